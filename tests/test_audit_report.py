"""`hdsguard report`: the HTML audit report, its matrix, deadlines, provenance, determinism."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Collection
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from hdsguard.audit import deadlines as dl
from hdsguard.audit import folded
from hdsguard.audit.text import EN, PLURAL
from hdsguard.findings import Finding, Report, Severity, Status
from tests.audit_support import files
from tests.helpers import REPO, run_cli, use_cache

Tree = Callable[[dict[str, str]], Path]


class _Page(HTMLParser):
    """Ids, tags and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self._table: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "table":
            self._table.append(str(found.get("id") or found.get("data-framework") or ""))
            self.rows.setdefault(self._table[-1], [])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.rows[self._table[-1]].append(self._row)
            self._row = None
        elif tag == "table" and self._table:
            self._table.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def lab_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("lab") / "audit.html"
    result = run_cli(["report", str(REPO / "examples" / "lab-group"), "--as-of", "2026-11-28",
                      "--no-config", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 1, result.stderr  # the lab group fails rules: exit as `check`
    return out.read_text(encoding="utf-8")


def test_sections_charts_and_tables_are_present(lab_report: str) -> None:
    page = _page(lab_report)
    for section in ("summary", "matrix", "deadlines", "waivers", "targets", "provenance"):
        assert section in page.ids
    assert {"chart-status", "chart-area", "verdict"} <= page.ids
    assert page.tags.count("svg") == 2
    status = page.rows["table-status"]
    assert status[0] == [EN[f"status_{s.value}"] for s in Status]
    summary = json.loads(
        run_cli(["check", str(REPO / "examples" / "lab-group"), "--no-config",
                 "--as-of", "2026-11-28", "--format", "json"]).stdout
    )["summary"]  # fmt: skip
    assert status[1] == [str(summary[s.value]) for s in Status]
    failing = summary["fail"] + summary["error"]
    assert f"FAIL: {failing} findings fail" in "".join(page.text)


def test_matrix_states_what_is_not_assessed(lab_report: str) -> None:
    page = _page(lab_report)
    iso = {row[0].split()[0]: row for row in page.rows["iso27001-2022"][1:]}
    assert len(iso) == 93
    assert iso["A.5.1"][1] == "not assessed by hdsguard"
    assert iso["A.8.8"][1] == "failing" and "FW-001" in iso["A.8.8"][2]
    anssi = page.rows["anssi-hygiene"][1:]
    assert len(anssi) == 42
    assert sum(row[1] == "not assessed by hdsguard" for row in anssi) > 0
    for framework in ("hds-v2", "care", "gdpr", "csp"):
        assert len(page.rows[framework]) > 1
    gdpr = {row[0].split(" ", 2)[1]: row for row in page.rows["gdpr"][1:]}
    assert len(gdpr) == 46  # art. 5 to 50
    assert gdpr["6"][1] == gdpr["15"][1] == "not assessed by hdsguard"
    assert "VND-001" in gdpr["28"][2] and gdpr["28"][1] != "not assessed by hdsguard"
    assert "Also cited by the rules, outside the list: 6.1.2 (GOV-003)" in " ".join(
        " ".join(page.text).split()
    )


def test_every_target_has_its_view(lab_report: str) -> None:
    page = _page(lab_report)
    assert "firewalls/fw-edge-1" in page.text
    assert "providers/webagency-lyon" in page.text


def test_no_request_to_any_host_one_inline_script(lab_report: str) -> None:
    # The folded findings (inline JSON) and the script that renders them; nothing else runs.
    assert lab_report.count("<script") == 2 and "<link" not in lab_report
    assert '<script type="application/json" id="folded-data">' in lab_report
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src '{folded.SCRIPT_HASH}'"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in lab_report
    assert f"<script>{folded.SCRIPT}</script>" in lab_report  # the hash is of these bytes
    assert not re.search(r"\b(src|href)=\"(?!#)", lab_report)  # only in-page links
    assert "url(" not in lab_report and "@import" not in lab_report
    assert "@media print" in lab_report and "break-before:page" in lab_report


def test_same_inputs_same_bytes_cold_warm_and_without_cache(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(files())
    digests = []
    for cache in (Path("cache").absolute(), Path("cache").absolute(), None):
        use_cache(monkeypatch, cache)
        assert run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html"]).exit_code == 1
        digests.append(hashlib.sha256(Path("a.html").read_bytes()).hexdigest())
    assert len(set(digests)) == 1


def test_hostile_name_is_text_never_markup(tree: Tree) -> None:
    name = '<script>alert("x")</script> O\'Neil "quoted" \x1b[31m & <b>bold</b>'
    tree(files(name=json.dumps(name)))  # a YAML double-quoted scalar with \u001b
    assert run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html"]).exit_code == 1
    html = Path("a.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2 and "<b>" not in html and "\x1b" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    page = _page(html)
    assert any('<script>alert("x")</script> O\'Neil' in t for t in page.text)
    assert any("\\x1b[31m" in t for t in page.text)


def _folded(html: str) -> dict[str, Any]:
    start = html.index('<script type="application/json" id="folded-data">')
    text = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data: dict[str, Any] = json.loads(text)
    return data


def test_passes_are_compact_data_not_markup(lab_report: str) -> None:
    """Folded findings are not in the markup: each target has a count and an index into the
    inline JSON, which holds every folded finding of the JSON report, each string once."""
    report = json.loads(
        run_cli(["check", str(REPO / "examples" / "lab-group"), "--no-config",
                 "--as-of", "2026-11-28", "--format", "json"]).stdout
    )  # fmt: skip
    data = _folded(lab_report)
    statuses = [s for s, _ in data["s"]]
    got = sorted(
        (data["m"][a[k + 1]], statuses[a[k]], data["m"][a[k + 2]])
        for a in data["t"]
        for k in range(0, len(a), 3)
    )
    want = sorted(
        (f["rule"], f["status"], f["message"])
        for f in report["findings"]
        if f["status"] in ("pass", "not_applicable")
    )
    assert got == want and len(want) > 50
    assert len(data["m"]) == len(set(data["m"]))
    # No folded finding is markup: the lists are built in the browser when opened.
    assert "<li" not in lab_report[lab_report.index('<section id="targets">') :]
    assert lab_report.count("<details data-p=") == sum(1 for a in data["t"] if a)


def test_folded_data_cannot_end_its_script_element() -> None:
    from hdsguard.audit.model import TargetView

    hostile = "</script><script>alert(1)</script><!-- & \u2028 \x1b"
    view = TargetView("x/t", [], [_finding("R-1", Status.PASS)._replace(message=hostile)])
    text = folded.data([view], lambda key: key)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    decoded = json.loads(text)
    assert decoded["m"] == ["R-1", "</script><script>alert(1)</script><!-- & \u2028 \\x1b"]
    assert decoded["t"] == [[0, 0, 1]]


def test_deadlines_are_the_first_failing_days(tree: Tree) -> None:
    tree(files())
    assert run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html"]).exit_code == 1
    rows = _page(Path("a.html").read_text(encoding="utf-8")).rows["table-deadlines"][1:]
    got = [(r[0], r[1], r[2], r[4]) for r in rows]
    assert got == [
        # last patch 2026-10-01, 90-day limit: day 91 is the first failing day
        ("2026-12-31", "rule fails", "FW-001", "firewalls/fw-1"),
        # not_after 2027-01-15 is the last valid day
        ("2027-01-16", "rule fails", "TLS-002", "certificates/www"),
        # the waiver's last valid day is 2027-02-28
        ("2027-03-01", "waiver ends", "GOV-002", "organisation"),
        # rule review 2026-11-01, 180-day limit
        ("2027-05-01", "rule fails", "FW-003", "firewalls/fw-1"),
    ]


def test_horizon_limits_the_deadlines(tree: Tree) -> None:
    tree(files())
    run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html", "--horizon", "40"])
    rows = _page(Path("a.html").read_text(encoding="utf-8")).rows["table-deadlines"][1:]
    assert [r[2] for r in rows] == ["FW-001"]


def test_waiver_register_and_provenance(tree: Tree) -> None:
    root = tree(files())
    run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html"])
    page = _page(Path("a.html").read_text(encoding="utf-8"))
    (waiver,) = page.rows["table-waivers"][1:]
    assert waiver[0:2] == ["GOV-002", "organisation"] and waiver[5:] == ["2027-02-28", "", "active"]
    declared = dict(page.rows["table-declarations"][1:])
    sha = hashlib.sha256((root / "decl" / "decl.yaml").read_bytes()).hexdigest()
    assert declared == {"decl/decl.yaml": sha}
    provenance = {row[0]: row[1] for row in page.rows["table-provenance"]}
    config_sha = hashlib.sha256((root / ".hdsguard.yaml").read_bytes()).hexdigest()
    assert provenance["Configuration"] == f".hdsguard.yaml sha256:{config_sha}"
    assert provenance["Evaluation date"] == "2026-11-28"
    # Each data file by its title, its file name beside it for reproduction.
    data = dict(page.rows["table-data"][1:])
    assert data["ISO/IEC 27001:2022, Annex A (frameworks/iso27001-2022.json)"] == "2026-12-04"
    assert "Countries: EEA members and adequacy decisions (countries.json)" in data


def test_a_waived_finding_shows_its_waiver(tree: Tree) -> None:
    """Under the findings per target, a waived finding says until when, who approved it and
    why (it showed only "waived": the reader had to find the waiver in the register)."""
    tree(files())
    run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html"])
    rows = _page(Path("a.html").read_text(encoding="utf-8")).rows[""]
    (waived,) = [r for r in rows if r[:2] == ["waived", "GOV-002"]]
    assert (
        "Waived until 2027-02-28 (last valid day), approved by DPO: Security officer being "
        "recruited; the DPO acts meanwhile.References: ANSSI hygiene guide"  # then its rule's
    ) in waived[3], waived[3]


def test_a_failing_finding_shows_how_to_fix_it(lab_report: str) -> None:
    """The report an auditor and a director read gave each failing finding its message,
    references and place, but not its remediation, which every other output (text, SARIF,
    Markdown, JUnit) gives: the action plan had to be rebuilt from the JSON."""
    rows = _page(lab_report).rows[""]
    (backup,) = [r for r in rows if r[:2] == ["fail", "BKP-003"]]
    assert (
        "destroys production and its backups togetherFix: Add to the backups of billing a copy "
        "that cannot be modified from the network"
    ) in backup[3], backup[3]
    assert backup[3].index("Fix: ") < backup[3].index("References: ")
    # every failing or warning row says what to do; a waived one says why it is accepted
    assert all("Fix: " in r[3] for r in rows if r[0] in ("fail", "warn"))
    assert not any("Fix: " in r[3] for r in rows if r[0] == "waived")


def test_provenance_dates_each_evidence_file(tmp_path: Path) -> None:
    """The evidence table gives each file's own date (a scan's start) beside its hash: a
    report resting on a months-old scan said so nowhere but in the findings' messages."""
    out = tmp_path / "a.html"
    lab = REPO / "examples" / "lab-group"
    result = run_cli(["report", str(lab), "--evidence", str(lab / "evidence"), "--as-of",
                      "2026-11-28", "--no-config", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    rows = _page(out.read_text(encoding="utf-8")).rows["table-evidence"]
    assert rows[0][:3] == ["File", "Kind", "Observed (its own timestamp)"]
    assert [r[1:3] for r in rows[1:]] == [
        ["nmap scan", "2026-11-20T07:12:05Z"],
        ["sidecar (vantage point, host)", ""],
        ["nmap scan", "2026-11-21T09:02:10Z"],
        ["sidecar (vantage point, host)", ""],
    ]
    # The page gives every input of its reproduction: "the same declarations, configuration
    # and evaluation date" was false of a report resting on evidence (or in French).
    text = out.read_text(encoding="utf-8")
    assert "The same files read (listed above), hdsguard version, evaluation date and " in text
    assert "The same declarations, configuration" not in text


def test_an_evidence_finding_shows_its_second_location(tmp_path: Path) -> None:
    """The evidence line a finding rests on ("see also", as in text, JUnit, Markdown and
    SARIF) was missing from the HTML report: the undeclared FTP's row named the scan line
    only, not the declaration it contradicts."""
    out = tmp_path / "a.html"
    lab = REPO / "examples" / "lab-group"
    result = run_cli(["report", str(lab), "--evidence", str(lab / "evidence"), "--as-of",
                      "2026-11-28", "--no-config", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    rows = _page(out.read_text(encoding="utf-8")).rows[""]
    (ftp,) = [r for r in rows if r[:2] == ["fail", "EVD-001"]]
    where, _, also = ftp[4].partition("see also: ")
    assert where.endswith("lab-group/evidence/scan-external.xml:17:1")
    assert also.endswith("lab-group/services.yaml:12:5")


def test_a_bad_horizon_or_input_is_exit_2(tree: Tree) -> None:
    tree({"decl/x.yaml": "firewalls: [{id: A}]\n"})
    bad = run_cli(["report", "decl", "-o", "a.html"])
    assert bad.exit_code == 2 and bad.stderr.startswith("decl/x.yaml:1:")
    assert run_cli(["report", "decl", "--horizon", "-1"]).exit_code == 2


def test_every_sentence_the_template_asks_for_exists() -> None:
    template = (REPO / "src/hdsguard/audit/templates/report.html.j2").read_text(encoding="utf-8")
    keys = set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']\s*[,)]""", template))
    assert keys and keys <= EN.keys() | PLURAL.keys()
    # Composed keys: every status and deadline kind has its sentence.
    assert {f"status_{s.value}" for s in Status} | {"kind_rule", "kind_waiver"} <= EN.keys()


def _finding(rule: str, status: Status) -> Finding:
    return Finding(rule, status, Severity.HIGH, "x/t", None, None, None, "m", "", ())


def test_projection_bisects_to_the_first_failing_day() -> None:
    """A pair that fails from day 37 is found on day 37, with few evaluations."""
    as_of = datetime.date(2026, 1, 1)
    calls: list[datetime.date] = []

    def evaluate(
        day: datetime.date, pairs: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], Finding]:
        assert list(pairs) == [("R-1", "x/t")]
        calls.append(day)
        status = Status.FAIL if (day - as_of).days >= 37 else Status.PASS
        return {("R-1", "x/t"): _finding("R-1", status)}

    report = Report("0", as_of.isoformat(), (_finding("R-1", Status.PASS),))
    (deadline,) = dl.project(evaluate, as_of, report, 180)
    assert deadline.date == as_of + datetime.timedelta(days=37)
    assert len(calls) <= 1 + 8  # the horizon, then a bisection of 180 days


def test_waiver_states_on_the_evaluation_date() -> None:
    from hdsguard.audit.model import waiver_rows
    from hdsguard.findings import Waiver
    from hdsguard.waivers import WaiverEntry

    as_of = datetime.date(2026, 11, 28)

    def entry(target: str, expires: str) -> WaiverEntry:
        return WaiverEntry.model_validate(
            {"rule": "FW-001", "target": target, "justification": "j", "owner": "o",
             "approver": "a", "expires": expires}
        )  # fmt: skip

    waived = _finding("FW-001", Status.WAIVED)._replace(
        target="firewalls/a", waiver=Waiver("j", "o", "a", "2027-06-01")
    )
    report = Report("0", as_of.isoformat(), (waived,))
    rows = waiver_rows(
        [
            entry("firewalls/*", "2027-06-01"),  # matches firewalls/a through its pattern
            entry("firewalls/a", "2026-12-10"),  # 12 days left
            entry("firewalls/b", "2027-06-01"),  # nothing of that name is waived
            entry("firewalls/a", "2026-11-27"),  # ended yesterday
        ],
        report,
        as_of,
        30,
    )
    assert [(w.target, w.expires, w.state) for w in rows] == [
        ("firewalls/a", "2026-11-27", "waiver_state_expired"),
        ("firewalls/a", "2026-12-10", "waiver_state_expiring"),
        ("firewalls/*", "2027-06-01", "waiver_state_active"),
        ("firewalls/b", "2027-06-01", "waiver_state_unused"),
    ]


def test_projection_evaluates_what_check_evaluated() -> None:
    """On the evaluation date itself, the deadline evaluator gives every (rule, target) the
    verdict and message of `check`: the same declarations, with the same evidence attached
    (the examples' scans), read by the same code (api.read_declarations)."""
    from hdsguard.api import CheckOptions, check
    from hdsguard.evidence.load import EvidenceSpec

    lab = REPO / "examples" / "lab-group"
    options = CheckOptions(
        as_of=datetime.date(2026, 11, 28), evidence_files=(EvidenceSpec(lab / "evidence"),)
    )
    report = check([str(lab)], options)
    assert report.evidence  # the scans were read...
    pairs = {(f.rule, f.target): f for f in report.findings}
    projected = dl.evaluator([str(lab)], options)(options.as_of, sorted(pairs))
    # The projection only counts passes and not-applicable pairs (a pair it does not give
    # holds): the same statuses for the others, messages where the rule fails or warns.
    held = (Status.PASS, Status.NOT_APPLICABLE)
    assert projected.keys() == {pair for pair, f in pairs.items() if f.status not in held}
    assert any(f.status is Status.PASS for f in pairs.values())
    differing = [
        pair
        for pair, f in pairs.items()
        if f.status not in held
        and (
            projected[pair].status is not f.status
            or (f.status in (Status.FAIL, Status.WARN) and projected[pair].message != f.message)
        )
    ]
    assert differing == []
    assert sum(f.status is Status.FAIL for f in pairs.values()) > 10
    # ...and they decide findings: without them, the evidence rules say something else.
    bare = check([str(lab)], CheckOptions(as_of=options.as_of))
    assert {(f.rule, f.target, f.status, f.message) for f in bare.findings} != {
        (f.rule, f.target, f.status, f.message) for f in report.findings
    }


def test_every_kind_of_deadline_the_issue_names_is_found(tmp_path: Path) -> None:
    """Certificate and HDS certificate expiries, the surveillance audit, ends of support, a
    rule review and tests falling due: each on the first failing day computed here from the
    example's declared dates and the rules' default limits (waiver ends: see the test of the
    first failing days)."""
    import yaml

    hospital = REPO / "examples" / "hospital"
    declared: dict[str, Any] = {}
    for path in sorted(hospital.glob("*.yaml")):
        declared.update(yaml.safe_load(path.read_text(encoding="utf-8")))

    def item(section: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = next(x for x in declared[section] if x["id"] == name)
        return found

    def day(value: datetime.date, days: int = 0) -> str:
        return (value + datetime.timedelta(days=days)).isoformat()

    hds = item("providers", "imagerie-cloud")["hds"]
    firewall = item("firewalls", "fw-coeur-1")
    expected = {
        # expiries: the day after the last valid day
        ("HDS-003", "providers/imagerie-cloud"): day(hds["valid_until"], 1),
        ("TLS-002", "certificates/cert-pacs-viewer"): day(
            item("certificates", "cert-pacs-viewer")["not_after"], 1
        ),
        # the yearly surveillance audit: 395 days allowed
        ("HDS-004", "providers/imagerie-cloud"): day(hds["last_surveillance_audit"], 396),
        # ends of support
        ("FW-002", "firewalls/fw-coeur-1"): day(firewall["firmware"]["end_of_support"], 1),
        ("PAT-001", "services/admin-ssh"): day(
            item("services", "admin-ssh")["software"]["end_of_support"], 1
        ),
        # a review and tests falling due
        ("FW-003", "firewalls/fw-coeur-1"): day(firewall["last_rule_review"], 181),
        ("BKP-002", "systems/pacs"): day(
            item("systems", "pacs")["backup"]["last_restore_test"], 366
        ),
        ("GOV-005", "organisation"): day(
            declared["organisation"]["continuity_plan"]["last_test"], 366
        ),
        ("VND-005", "vendors/editeur-dpi"): day(item("vendors", "editeur-dpi")["last_audit"], 366),
    }
    out = tmp_path / "hospital.html"
    result = run_cli(["report", str(hospital), "--no-config", "--as-of", "2026-11-28",
                      "--horizon", "1000", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = _page(out.read_text(encoding="utf-8")).rows["table-deadlines"][1:]
    # One row names every target a deadline falls due for on that day for that reason.
    found = {(r[2], target): (r[0], r[1]) for r in rows for target in r[4].split(", ")}
    assert {pair: found.get(pair) for pair in expected} == {
        pair: (date, "rule fails") for pair, date in expected.items()
    }


def test_a_verdict_with_baselined_failures_says_the_baseline_accepts_them(tree: Tree) -> None:
    # The gate passes, but "no finding fails" would be false: the baseline only accepts the
    # failures, which still fail their rules.
    from tests.config_support import CONFIG, FIREWALLS

    tree({".hdsguard.yaml": CONFIG, "decl/fw.yaml": FIREWALLS})
    assert run_cli(["baseline", "--as-of", "2026-11-28"]).exit_code == 0
    argv = ["report", "--as-of", "2026-11-28", "--baseline", ".hdsguard-baseline.json"]
    # A baseline records its findings' messages in the run's language: the French report
    # reads one written in French.
    assert (
        run_cli(["baseline", "--as-of", "2026-11-28", "--lang", "fr", "-o", "fr.json"]).exit_code
        == 0
    )
    argv_fr = ["report", "--as-of", "2026-11-28", "--baseline", "fr.json"]
    assert run_cli([*argv, "-o", "a.html"]).exit_code == 0
    verdict = _verdict("a.html")
    assert verdict == (
        "PASS: no finding outside the baseline fails at or above the low severity; the baseline "
        "accepts 1 failing finding at or above it, listed below."
    )
    assert run_cli([*argv_fr, "-o", "fr.html", "--lang", "fr"]).exit_code == 0
    verdict = _verdict("fr.html")
    assert verdict == (
        "CONFORME : aucun constat non conforme de sévérité faible ou supérieure hors de la "
        "référence, qui en accepte 1, listé ci-dessous."
    )
    Path("decl/fw.yaml").write_text(FIREWALLS.replace("2026-09-20", "2025-09-20"))
    assert run_cli([*argv, "-o", "b.html"]).exit_code == 1
    verdict = _verdict("b.html")
    assert verdict == (
        "FAIL: 1 finding fails at or above the low severity, besides 1 accepted by the baseline."
    )
    assert run_cli([*argv_fr, "-o", "fr-b.html", "--lang", "fr"]).exit_code == 1
    assert _verdict("fr-b.html") == (
        "NON CONFORME : 1 constat non conforme de sévérité faible ou supérieure ; la référence "
        "en accepte en outre 1."
    )
    # The verdict says which failure is new only if the rows say which ones the baseline
    # accepts: every row just said "fail", the new one among them.
    rows = {r[1] + " " + r[3].split(" days")[0]: r[3] for r in _page(Path("b.html").read_text(
        encoding="utf-8")).rows[""] if r[0] == "fail"}  # fmt: skip
    accepted = "Accepted by the baseline: a failure known when the gate was adopted"
    assert [key for key, text in rows.items() if accepted in text] == [
        "FW-001 last patched 2025-06-02, 544"
    ], rows
    assert len(rows) == 2
    french = Path("fr-b.html").read_text(encoding="utf-8")
    assert french.count("Acceptée par la référence : une non-conformité déjà connue") == 1


def test_the_verdict_line_names_accepted_risks_warnings_and_deadlines(tmp_path: Path) -> None:
    # A verdict beside failures accepted by waivers and a rule failing tomorrow: the director
    # reads the verdict first, so the line after it says what it does not (HC: a green verdict
    # with a rule failing in eleven days).
    config = REPO / "examples" / "config" / ".hdsguard.yaml"
    argv = ["report", "--config", str(config), "--as-of", "2026-11-28"]
    assert run_cli([*argv, "-o", str(tmp_path / "a.html")]).exit_code == 1
    assert _also(tmp_path / "a.html") == (
        "Also: 4 failing findings accepted by waivers (see the waiver register); 32 upcoming "
        "deadlines by 2027-05-27, the first on 2026-11-29 (see the upcoming deadlines)."
    )
    assert run_cli([*argv, "--lang", "fr", "-o", str(tmp_path / "fr.html")]).exit_code == 1
    assert _also(tmp_path / "fr.html") == (
        "À noter aussi : 4 constats non conformes acceptés par des dérogations (voir le registre "
        "des dérogations) ; 32 échéances d'ici le 27 mai 2027, la première le 29 novembre 2026 "
        "(voir les échéances à venir)."
    )
    # Nothing to add: no such line.
    hospital = ["report", str(REPO / "examples" / "hospital"), "--no-config", "--horizon", "0"]
    out = tmp_path / "h.html"
    assert run_cli([*hospital, "--as-of", "2026-11-28", "-o", str(out)]).exit_code == 0
    assert _also(out) is None


def _also(path: Path) -> str | None:
    import html

    found = re.search(r'id="verdict-also">(.*?)</p>', path.read_text(encoding="utf-8"), re.S)
    return None if found is None else html.unescape(found.group(1))


def _verdict(path: str) -> str:
    import html

    found = re.search(r'id="verdict">(.*?)</p>', Path(path).read_text(encoding="utf-8"), re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_report_exits_1_on_a_rule_that_cannot_be_evaluated_and_says_so(tmp_path: Path) -> None:
    # Like `check`: an `error` finding fails the verdict. The help said only "1 a finding fails".
    (tmp_path / "pol").mkdir()
    (tmp_path / "pol" / "ACME-001.yaml").write_text(
        "id: ACME-001\ntitle: t\nseverity: low\napplies_to: firewalls\ndescription: d\n"
        "rationale: r\nremediation: r\nreferences: [x]\n"
        # `int("fw-1")` cannot be evaluated: the finding is an `error`.
        "condition: int(self.id) > 0\nmessage: m\ntests:\n"
        "  - {name: p, as_of: 2026-11-28, declarations: {firewalls: [{id: '1'}]}, expect: pass}\n"
        "  - {name: f, as_of: 2026-11-28, declarations: {firewalls: [{id: '0'}]}, expect: fail}\n",
        encoding="utf-8",
    )
    (tmp_path / "d.yaml").write_text("firewalls: [{id: fw-1}]\n", encoding="utf-8")
    out = tmp_path / "a.html"
    argv = ["report", str(tmp_path / "d.yaml"), "--no-config", "--as-of", "2026-11-28"]
    rules = ["--policies", str(tmp_path / "pol"), "-o", str(out)]
    result = run_cli([*argv, *rules, "--fail-on", "critical"])
    assert result.exit_code == 1, result.output
    help_text = " ".join(run_cli(["report", "--help"]).stdout.split())
    assert "1 a finding fails (or a rule could not be evaluated); 2" in help_text


def test_report_says_what_it_wrote(tree: Tree) -> None:
    # It wrote silently, where `calendar` and `init` say what they wrote: a CI log showed
    # nothing of the report.
    tree(files())
    result = run_cli(["report", "--as-of", "2026-11-28", "-o", "a.html", "--pack", "a.zip"])
    assert result.stderr == "hdsguard: wrote a.html\nhdsguard: wrote a.zip\n"
    assert result.stdout == ""


def test_a_deadline_shared_by_targets_is_one_row() -> None:
    """Nine targets failing PAT-003 on one day with one message were nine rows of the same
    sentence: 8 of the 52 pages of the printed French hospital report. One row now names
    every target; another day, rule or message is another row."""
    from hdsguard.audit.deadlines import Deadline
    from hdsguard.audit.html import deadline_rows

    def due(day: int, rule: str, target: str, message: str = "review 15 days old") -> Deadline:
        when = datetime.date(2026, 12, day)
        return Deadline(when, "rule", rule, target, "critical", message, None, None)

    rows = deadline_rows(
        [
            due(8, "PAT-003", "firewalls/a"),
            due(8, "PAT-003", "services/b"),
            due(8, "PAT-003", "services/c", "another message"),
            due(8, "PAT-002", "services/b"),
            due(9, "PAT-003", "services/d"),
            due(8, "PAT-003", "services/e"),
        ]
    )
    assert [(d.date.day, d.rule, d.message, targets) for d, targets in rows] == [
        (8, "PAT-003", "review 15 days old", ["firewalls/a", "services/b", "services/e"]),
        (8, "PAT-003", "another message", ["services/c"]),
        (8, "PAT-002", "review 15 days old", ["services/b"]),
        (9, "PAT-003", "review 15 days old", ["services/d"]),
    ]
