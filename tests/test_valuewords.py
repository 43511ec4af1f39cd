"""Declared enumerated values read as words in messages: "reached directly", not "via direct";
"le service est joignable uniquement depuis le réseau interne (`exposure: internal`)", not
"exposition internal" (the twenty-first session's French reading)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hdsguard.i18n import language
from hdsguard.policies.valuewords import WORDS, worded
from tests.helpers import REPO, run_cli

# A declared value quoted as code outside backticks, as the messages wrote them.
_RAW = re.compile(
    r"\bvia (direct|vpn|reverse_proxy|bastion)\b|\bexposure is (internal|partner|internet)\b"
    r"|\bexposition (internal|partner|internet)\b|\((on_site|questionnaire|certification|pentest)\)"
    r"|\brôle (web|admin|api)\b|\brole (web|admin|api):"
)


def test_worded_gives_the_run_language_and_keeps_what_it_does_not_list() -> None:
    assert worded("via", "direct") == "directly"
    assert worded("audit_kind", "on_site") == "on-site audit"
    assert worded("via", "carrier_pigeon") == "carrier_pigeon"
    assert worded("colour", "blue") == "blue"
    with language("fr"):
        assert worded("via", "direct") == "directement"
        assert worded("exposure", "internal") == "joignable uniquement depuis le réseau interne"
        assert all(worded(f, v) != v for f, values in WORDS.items() for v in values)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("example", ["hospital", "lab-group"])
def test_no_message_quotes_a_declared_value_as_code(example: str, lang: str) -> None:
    args = ["check", str(REPO / "examples" / example), "--as-of", "2026-11-28", "--no-config"]
    result = run_cli([*args, "--lang", lang, "--format", "json", "--verbose"])
    texts = [
        f"{f['rule']}: {f[key]}"
        for f in json.loads(result.stdout)["findings"]
        for key in ("message", "remediation")
        if f.get(key)
    ]
    assert not [t for t in texts if _RAW.search(t)]
    if example == "lab-group":
        reached = "reached directly" if lang == "en" else "joint directement"
        assert any(t.startswith("EXP-001") and reached in t for t in texts)


# How the policies quoted a declared value as a word of the sentence before the twenty-first
# session ("of kind hospital", "via direct", "exposition internal", "(on_site)").
_QUOTED_RAW = re.compile(
    r"""(?:of\ kind|de\ type|\(kind|\(type|via|exposure\ is|exposition|rôle|role)\ *
        (?:"\ *\+\ *|\{\{\ *)self\.(?:kind|via|exposure|role)\b
      |"\ \("\s*\+\s*self\.audit_kind""",
    re.VERBOSE,
)


def test_no_policy_quotes_a_declared_value_as_a_word() -> None:
    quoted = {
        path.name: [m.group(0) for m in _QUOTED_RAW.finditer(path.read_text(encoding="utf-8"))]
        for path in sorted((REPO / "policies").glob("*.yaml"))
    }
    assert not {name: found for name, found in quoted.items() if found}
    with language("fr"):
        assert worded("kind", "medical_laboratory") == "un laboratoire de biologie médicale"


@pytest.mark.parametrize(
    ("lang", "covered"),
    [
        ("en", "are covered by standard contractual clauses (`scc`)"),
        ("fr", "sont couverts par des clauses contractuelles types (`scc`)"),
    ],
)
def test_a_transfer_mechanism_reads_as_words(tmp_path: Path, lang: str, covered: str) -> None:
    """VND-003's pass said "are covered by scc", a code word (HA, twenty-fourth session)."""
    (tmp_path / "v.yaml").write_text(
        "vendors:\n"
        "  - {id: dict, name: DictaMed, country: TN, transfer_mechanism: scc,"
        " processes_personal_data: true}\n",
        encoding="utf-8",
    )
    args = ["--lang", lang, "check", str(tmp_path), "--as-of", "2026-11-28", "--no-config"]
    result = run_cli([*args, "--format", "json", "--verbose"])
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "VND-003"]
    assert finding["status"] == "pass"
    assert finding["message"].endswith(covered), finding["message"]
