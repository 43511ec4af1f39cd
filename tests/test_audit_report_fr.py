"""`hdsguard report --lang fr`: the HTML audit report's prose, headings and dates in French."""

from __future__ import annotations

import html as htmllib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hdsguard.audit import frameworks
from hdsguard.audit.frameworks import framework_lists
from hdsguard.audit.text import EN
from hdsguard.i18n import language, translate
from hdsguard.policies.controls import FRAMEWORKS
from tests.helpers import REPO, run_cli


class _Text(HTMLParser):
    """The text of a page, and the text of its headings and table headers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "th", "summary", "title"):
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "th", "summary", "title") and self._open is not None:
            self.headings.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open is not None:
            self._open.append(data)


def _report(out: Path, lang: str) -> tuple[str, _Text]:
    args = ["report", str(REPO / "examples" / "lab-group"), "--as-of", "2026-11-28"]
    result = run_cli([*args, "--no-config", "--lang", lang, "-o", str(out)])
    assert result.exit_code == 1, result.stderr
    html = out.read_text(encoding="utf-8")
    page = _Text()
    page.feed(html)
    return html, page


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, _Text]]:
    folder = tmp_path_factory.mktemp("audit-fr")
    return {lang: _report(folder / f"{lang}.html", lang) for lang in ("en", "fr")}


def test_the_page_says_it_is_french(reports: dict[str, tuple[str, _Text]]) -> None:
    assert '<html lang="fr">' in reports["fr"][0]
    assert '<html lang="en">' in reports["en"][0]


def test_key_headings_and_sentences_are_french(reports: dict[str, tuple[str, _Text]]) -> None:
    _html, page = reports["fr"]
    text = " ".join(" ".join(page.text).split())
    for expected in (
        "Rapport d'audit hdsguard",
        "Synthèse",
        "Matrice de couverture par référentiel",
        "Constats par cible",
        "Registre des dérogations et référence",
        "Échéances à venir",
        "Traçabilité",
        "non évaluée par hdsguard",
        "évaluée au 28 novembre 2026",  # the evaluation date written out
        "NON CONFORME :",
        "Pare-feu",  # an area of the summary
    ):
        assert expected in text, expected


def test_a_failing_finding_says_how_to_fix_it_in_french(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    _html, page = reports["fr"]
    text = " ".join(" ".join(page.text).split())
    assert "Correction : Ajouter aux sauvegardes de billing une copie non modifiable" in text
    assert "Fix: " not in text


def test_no_english_heading_is_left(reports: dict[str, tuple[str, _Text]]) -> None:
    english = set(reports["en"][1].headings)
    french = reports["fr"][1].headings
    with language("fr"):
        same = {
            line for line in EN.values() if translate(line) == line
        }  # words French shares ("Total", "Date"…)
    kept = [h for h in french if h in english and h not in same and not _is_data(h)]
    assert not kept, kept


def _is_data(heading: str) -> bool:
    """A heading that is data, the same in both languages: a target, a rule id, a severity, a
    file name, a number."""
    return bool(re.fullmatch(r"[a-z0-9_./-]+|[A-Z]+-\d+|[\d\W]+", heading))


def test_no_english_sentence_of_the_report_is_left(reports: dict[str, tuple[str, _Text]]) -> None:
    _html, page = reports["fr"]
    text = " ".join(" ".join(page.text).split())
    with language("fr"):
        left = [
            line
            for line in EN.values()
            if "{" not in line and len(line) > 12 and translate(line) != line and line in text
        ]
    assert not left, left


def test_dates_of_the_tables_are_french_and_machine_files_keep_iso(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    french, english = reports["fr"][0], reports["en"][0]
    assert "<title>Rapport d&#39;audit hdsguard 28 novembre 2026</title>" in french
    assert "<title>hdsguard audit report 2026-11-28</title>" in english
    # No ISO date is left in the French page, the provenance's included (its evaluation date
    # and the dates of the data files were 2026-11-28 until the twenty-first session); an
    # identifier that holds a date (HDS-2024-0871, CHG-2026-11-28) is not one.
    assert not re.findall(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])", french)
    assert "Date d&#39;évaluation</th><td>28 novembre 2026</td>" in french
    assert re.search(r"<td>\d{1,2}(er)? [a-zéû]+ 2026</td></tr>", french)  # a data file's date
    assert "<th>Evaluation date</th><td>2026-11-28</td>" in english


def test_an_evidence_timestamp_is_written_out_in_french(tmp_path: Path) -> None:
    lab = REPO / "examples" / "lab-group"
    args = ["report", str(lab), "--as-of", "2026-11-28", "--no-config"]
    out = tmp_path / "r.html"
    evidence = ["--evidence", str(lab / "evidence" / "scan-external.xml")]
    run_cli([*args, *evidence, "--lang", "fr", "-o", str(out)])
    assert "<td>20 novembre 2026 à 07:12:05 UTC</td>" in out.read_text(encoding="utf-8")
    run_cli([*args, *evidence, "--lang", "en", "-o", str(out)])
    assert "<td>2026-11-20T07:12:05Z</td>" in out.read_text(encoding="utf-8")


def test_the_deadlines_messages_are_the_rules_french_ones(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    """A deadline's message is the rule's on its first failing day: in a French report, the
    rule's French message (the projection loaded the catalogue in English)."""

    def messages(html: str) -> list[str]:
        table = html[html.index('id="table-deadlines"') :]
        table = table[: table.index("</table>")]
        rows = re.findall(r"<tr><td[^>]*>.*?</tr>", table, re.S)
        return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1] for row in rows]

    french, english = messages(reports["fr"][0]), messages(reports["en"][0])
    assert len(french) == len(english) > 0
    backup = "dernière sauvegarde réussie le 27 novembre 2026, 2 jours avant le 29 novembre 2026"
    assert any(m.startswith(backup) for m in french), french[:3]
    assert not set(french) & {m for m in english if m.startswith("last ")}


# French titles that are the English word too (checked by hand, not an oversight).
SAME_TITLE: frozenset[tuple[str, str]] = frozenset()


def test_every_requirement_of_every_framework_has_a_french_title() -> None:
    """Each list's name, scope, sources and every requirement's title exist in French, and
    differ from the English (a copied English title would pass a mere presence check)."""
    lists = framework_lists()
    assert len(lists) == 6
    for rl in lists:
        fr = rl.in_language("fr")
        assert fr is not rl, rl.framework
        assert [r.id for r in fr.requirements] == [r.id for r in rl.requirements]
        assert fr.title != rl.title and fr.scope != rl.scope, rl.framework
        assert len(fr.sources) == len(rl.sources)
        for en_req, fr_req in zip(rl.requirements, fr.requirements, strict=True):
            assert fr_req.title.strip(), (rl.framework, en_req.id)
            if (rl.framework, en_req.id) not in SAME_TITLE:
                assert fr_req.title != en_req.title, (rl.framework, en_req.id, en_req.title)
        # English is the data's own fields.
        assert rl.in_language("en") is rl
    assert sum(len(rl.requirements) for rl in lists) == 233


def _matrix_section(page: str) -> str:
    start = page.index('<section id="matrix">')
    return htmllib.unescape(page[start : page.index("</section>", start)])


def test_a_french_matrix_holds_no_english_title(reports: dict[str, tuple[str, _Text]]) -> None:
    french, english = _matrix_section(reports["fr"][0]), _matrix_section(reports["en"][0])
    # Every French text is shown, and none of the English ones.
    english_texts: list[str] = []
    for rl in framework_lists():
        fr = rl.in_language("fr")
        assert fr.title in french and fr.scope in french, rl.framework
        # (a source named in French in both lists, Légifrance's code, is no English left)
        english_texts += [rl.title, rl.scope, *(s for s in rl.sources if s not in fr.sources)]
        for en_req, fr_req in zip(rl.requirements, fr.requirements, strict=True):
            assert f"{fr_req.id}</span> {fr_req.title}</td>" in french, fr_req
            assert f"{en_req.id}</span> {en_req.title}</td>" in english, en_req
            if fr_req.title != en_req.title:
                assert f"{en_req.id}</span> {en_req.title}</td>" not in french, en_req
    # The references without a requirement list are named in French too.
    with language("fr"):
        for spec in FRAMEWORKS.values():
            if translate(spec.title) != spec.title:
                english_texts.append(spec.title)
    left = [text for text in english_texts if text in french]
    assert not left, left
    assert "Guide d'hygiène informatique de l'ANSSI" in french
    assert "Délibérations de la CNIL" in french and "CNIL deliberations" in english


def test_a_french_list_missing_a_title_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half a translation is an error when the list is read, not a matrix half in English."""
    source = REPO / "src" / "hdsguard" / "data" / "frameworks" / "csp.json"
    raw = json.loads(source.read_text(encoding="utf-8"))
    del raw["translations"]["fr"]["requirements"]["L.1115-1"]
    (tmp_path / "csp.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(frameworks, "_folder", lambda: tmp_path)
    with pytest.raises(ValueError, match=r"translations\.fr\.requirements .*'L\.1115-1'"):
        frameworks._load("csp")


def test_the_verdict_and_counts_are_french_prose_without_identifiers(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    """The verdict names the threshold in French, with plural forms (no "constat(s)"); the
    report's tables name severities in French too; the English verdict takes its own
    singular or plural ("findings fail")."""
    french, english = reports["fr"][0], reports["en"][0]
    verdict = re.search(r'id="verdict">(.*?)</p>', french, re.S)
    assert verdict is not None
    assert re.fullmatch(
        r"NON CONFORME : \d+ constats non conformes de sévérité faible ou supérieure\.",
        verdict.group(1),
    ), verdict.group(1)
    assert re.search(
        r'id="verdict">FAIL: \d+ findings fail at or above the low severity\.', english
    )
    text = " ".join(" ".join(reports["fr"][1].text).split())
    assert "(s)" not in text
    for word in (" low ", " high ", " medium ", " critical "):
        assert word not in f" {text} ", word
    table = french[french.index('id="table-severity"') :]
    table = table[: table.index("</tr>")]
    assert re.findall(r'<th class="num">(.*?)</th>', table) == [
        "critique",
        "élevée",
        "moyenne",
        "faible",
        "info",
    ]
    assert '<span class="badge s-pass">5 conformes</span>' in french
    assert '<span class="badge s-pass">5 pass</span>' in english
    assert "constats conformes ou non applicables" in text  # a target's folded findings


def test_a_rule_without_findings_says_so_in_the_matrix(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    """EVD-001 gives no finding without scans: its line in the matrix ended on a bare colon."""
    french, english = _matrix_section(reports["fr"][0]), _matrix_section(reports["en"][0])
    assert re.search(
        r'EVD-001</span> [^<]+ : <span class="note">aucun constat sur ce parc</span>', french
    )
    assert re.search(
        r'EVD-001</span> [^<]+: <span class="note">no finding on this estate</span>', english
    )
    assert " : </div>" not in french and ": </div>" not in english


def test_dates_and_rule_ids_of_the_deadlines_are_not_cut(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    """French dates are written out ("29 novembre 2026"): a narrow column cut them in three
    lines, and rule ids after their hyphen ("BKP-" / "001"), in both languages."""
    for html, _page in reports.values():
        assert (
            "#table-deadlines td:nth-child(1),#table-deadlines td:nth-child(3){white-space:nowrap}"
            in html
        )
        # The rules of a reference without a requirement list ("TLS-" / "001", twenty-first
        # session): each id is kept whole, the list still wraps between ids.
        assert "#table-others .rule-id{white-space:nowrap}" in html
        assert '<span class="rule-id">TLS-001</span>' in html


def test_the_report_reads_as_a_french_auditor_expects(
    reports: dict[str, tuple[str, _Text]],
) -> None:
    """Read whole as a French auditor and a hospital director would (the nineteenth session):
    an area named by its prefix was repeated ("TLS (TLS)", "Hébergement HDS (HDS)"); the data
    files of the provenance were their internal names ("countries", "frameworks/hds-v2"); a
    list's scope began with a capital after the colon."""
    _html, page = reports["fr"]
    text = " ".join(" ".join(page.text).split())
    assert "TLS (TLS)" not in text and "Hébergement HDS (HDS)" not in text
    assert "Pare-feu (FW)" in text  # a name that does not say its prefix keeps it
    # After a colon, French goes on in lower case ("Périmètre de la liste : Les 31…").
    assert "Périmètre de la liste : les 31 exigences numérotées" in text
    assert not re.search(r"(Périmètre de la liste|référentiel complet) : [A-ZÉ]", text)
    assert "Pays : membres de l'EEE et décisions d'adéquation (countries.json)" in text
    assert (
        "Référentiel de certification HDS v2 (arrêté du 26 avril 2024) "
        "(frameworks/hds-v2.json)" in text
    )


def test_a_requirement_says_by_what_rule_and_on_what_it_passes(tmp_path: Path) -> None:
    """A requirement assessed by one rule read "conforme", and the rule "1 conforme": an
    auditor could not tell on which target, nor on what declared value. The rule's result now
    names the targets it judged (the first three, then how many more), each linked to its
    findings; a rule that gave one finding quotes it, with its declaration line."""
    out = tmp_path / "h.html"
    args = ["report", str(REPO / "examples" / "hospital"), "--as-of", "2026-11-28"]
    result = run_cli([*args, "--no-config", "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    # The page's text as a browser shows it (tags removed, whitespace folded).
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", html)).split())
    assert (
        "GOV-002 Un responsable de la sécurité (RSSI) désigné, avec un nom et une adresse "
        "électronique : 1 conforme sur organisation : « responsable de la sécurité désigné : "
        "Claire Dumesnil <rssi@ch-valmont.example> » (examples/hospital/organisation.yaml:17)"
    ) in text
    assert (
        "HDS-009 Le contrat d'hébergement comporte les clauses de l'article R.1111-11 : "
        "2 conformes sur providers/imagerie-cloud, providers/santecloud"
    ) in text
    assert "sur systems/dpi, systems/gam, systems/pacs et 1 autre" in text
    # Each target named links to its block among the findings per target.
    block = re.search(r'<div class="target[^"]*" id="(target-\d+)">\s*<h3>organisation</h3>', html)
    assert block is not None
    assert f'<a href="#{block.group(1)}">organisation</a>' in html
