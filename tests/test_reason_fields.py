"""A finding's reason quotes the declared values its message names, not a whole field, nor a
sentence a placeholder builds.

Where the placeholder that quotes a declared value also reads the evaluation date (a CVE with
its age), the reason held the whole top-level field (``{"vulnerabilities": [...]}``): an
unrelated vulnerability added to the firewall made its baselined PAT-002 finding "new". The
policies now name those values in hidden placeholders (``{{# … }}``, docs/policy-format.md).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from hdsguard.api import load_policies
from hdsguard.policies import template as template_module
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy
from hdsguard.policies.template import compile_template, placeholders
from tests.config_support import AS_OF, EXPOSED, Tree
from tests.helpers import REPO, run_cli


@cache
def _catalogue() -> dict[str, CompiledPolicy]:
    return load_policies()[1]


def test_no_reason_of_the_catalogue_holds_a_whole_field() -> None:
    whole = [
        (policy.id, check.key, kind, template.dated_fields)
        for policy in _catalogue().values()
        if policy.builtin
        for check in policy.checks
        for kind, template in (("message", check.message), ("warn_message", check.warn_message))
        if template is not None and template.dated_fields
    ]
    assert whole == [], (
        "these messages quote a declared field only in a placeholder that reads the date (or, "
        "with hidden placeholders, in a shown one that no hidden one quotes): name the "
        "declared values in a hidden placeholder `{{# … }}` (docs/policy-format.md)"
    )


# A message whose shown placeholders build an English sentence of six words or more in CEL,
# and that names no hidden placeholder, has its reason quote that sentence: rewording it makes
# the reason new (a baseline or a waiver's `accepts` written before no longer matches). 44
# policies did (EXP-001 and VND-008 first, the 42 others in the nineteenth session); each now
# quotes the declared values in hidden placeholders, and no message may build one again
# (tests/test_reason_language.py rewords every message and compares the reasons).
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')


def _builds_a_sentence(text: str) -> bool:
    if "{{#" in text:
        return False  # its reason quotes what the hidden placeholders name
    for source in placeholders(text):
        literals = [a or b for a, b in _STRING.findall(source)]
        if any(len(literal.split()) >= 6 for literal in literals):
            return True
    return False


def _sentence_builders() -> set[str]:
    found: set[str] = set()
    for path in sorted((REPO / "policies").glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for check in data.get("checks") or [data]:
            if any(_builds_a_sentence(check.get(k) or "") for k in ("message", "warn_message")):
                found.add(data["id"])
    return found


def test_no_message_builds_its_sentence_in_cel() -> None:
    found = _sentence_builders()
    assert found == set(), (
        f"{sorted(found)}: a message whose placeholder builds an English sentence quotes it "
        "in the finding's reason; quote the declared values in hidden placeholders `{{# … }}` "
        "(docs/policy-format.md)"
    )


def test_a_sentence_without_hidden_placeholders_is_found() -> None:
    built = '{{ self.x ? "the service is exposed to the Internet" : "" }}'
    assert _builds_a_sentence(built)
    assert not _builds_a_sentence("{{# self.x }}" + built)


def test_a_hidden_placeholder_is_quoted_never_shown() -> None:
    runtime = CelRuntime()
    template = compile_template(runtime, "port {{# self.host }}{{ self.port }} open", "T-1")
    activation = runtime.activation({"self": {"host": "a.example", "port": 21}})
    assert template.render(activation) == "port 21 open"
    assert template.render_each(activation) == "port 21 open"
    message, values = template.render_quoting(activation)
    assert message == "port 21 open"
    assert values == ["a.example", 21]
    # With a hidden placeholder the policy says what the reason quotes: that alone.
    assert template.steady_values(activation) == ["a.example"]
    assert template.dated_fields == ("port",)  # shown, and no hidden placeholder quotes it


def test_a_message_only_shown_does_not_evaluate_its_hidden_placeholders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What only a reason quotes is evaluated only when a reason is made: most runs make none,
    and a failing estate's messages paid for it (3-4 % of a first run's CPU at 10k)."""
    runtime = CelRuntime()
    template = compile_template(
        runtime, "{{ self.host }}:{{ self.port }}{{# self.cves.map(c, c.id) }} open", "T-1"
    )
    activation = runtime.activation(
        {"self": {"host": "a.example", "port": 21, "cves": [{"id": "CVE-1"}]}}
    )
    evaluated: list[Any] = []
    real = template_module.evaluate

    def counting(expr: Any, act: Any) -> Any:
        result = real(expr, act)
        evaluated.append(result[0])
        return result

    monkeypatch.setattr(template_module, "evaluate", counting)
    assert template.render(activation) == "a.example:21 open"
    assert evaluated == [["a.example", 21]]  # one evaluation, of the shown placeholders only
    evaluated.clear()
    assert template.render_quoting(activation) == (
        "a.example:21 open",
        ["a.example", 21, ["CVE-1"]],
    )
    assert evaluated == [["a.example", 21, ["CVE-1"]]]


# PAT-002 on an Internet-facing firewall: one critical CVE past its 30 days.
FIREWALL = """
version: 1
firewalls:
  - id: fw-edge-1
    vendor: Fortinet
    internet_facing: true
    vulnerabilities_reviewed: 2026-11-20
    vulnerabilities:
      - {{cve: CVE-2026-21762, cvss: 9.8, published: 2026-09-08, kev: false}}
{more}"""
PAT_CONFIG = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [PAT-002]\n"
CHECK = ["check", "--as-of", AS_OF, "--baseline", ".hdsguard-baseline.json", "--format", "json"]


def _baselined(result: Result) -> bool:
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["status"] == "fail"
    return bool(finding.get("baselined", False))


def test_an_unrelated_vulnerability_does_not_make_a_baselined_finding_new(
    tree: Tree, tmp_path: Path
) -> None:
    tree({".hdsguard.yaml": PAT_CONFIG, "decl/fw.yaml": FIREWALL.format(more="")})
    run_cli(["baseline", "--as-of", AS_OF])
    recorded = json.loads((tmp_path / ".hdsguard-baseline.json").read_text())
    assert json.loads(recorded["findings"][0]["reason"]) == [
        ["2", "fail", "vulnerabilities", [[["CVE-2026-21762", "9.8", "2026-09-08"]], 9.0, 30]]
    ]
    low = "      - {cve: CVE-2026-11111, cvss: 4.3, published: 2026-11-01, kev: false}\n"
    tree({"decl/fw.yaml": FIREWALL.format(more=low)})
    assert _baselined(run_cli(CHECK))
    # Another CVE past its limit is another reason.
    late = "      - {cve: CVE-2026-22222, cvss: 9.1, published: 2026-08-01, kev: false}\n"
    tree({"decl/fw.yaml": FIREWALL.format(more=late)})
    assert not _baselined(run_cli(CHECK))


def test_exp_001_quotes_codes_not_its_english_sentence(tree: Tree, tmp_path: Path) -> None:
    config = "version: 1\ndeclarations: [decl]\nrules:\n  enable: [EXP-001, VND-008]\n"
    tree({".hdsguard.yaml": config, "decl/s.yaml": EXPOSED})
    run_cli(["--lang", "fr", "baseline", "--as-of", AS_OF])
    [entry] = json.loads((tmp_path / ".hdsguard-baseline.json").read_text())["findings"]
    assert json.loads(entry["reason"]) == [
        [
            "0",
            "fail",
            "protocol",
            ["ftp", "internet", "ftp.lab.example", 21, "direct", False, "password"],
        ]
    ]
    assert "en clair" in entry["message"]  # the French run's words; the reason has none
