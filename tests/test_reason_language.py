"""A finding's reason is the same whatever the language of the run and the wording of the
message: a baseline one member of a team wrote in English must match the CI that runs in
French, and rewording a message must not make every baselined finding of its rule new.

Measured on every failing (or warning) inline case of the built-in catalogue (593 cases of
80 policies when this was written): the English and the French runs gave the same reasons
(the reason is made from the main-language message, evaluated in English); rewording the
English messages changed the reasons of 221 cases of 46 policies, every one a policy whose
shown placeholders build words in CEL (42 with sentences, 12 with shorter words: " (365
recommended)"). Each now quotes the declared values in hidden placeholders.

Words a helper builds in Python were left as written by that rewording, and a French run's
reason is evaluated in English: HDS-001 and HDS-006 to HDS-009 quoted ``health_data_at``'s
phrases ("system gam (hosted)") and HDS-006 an English country name, and both tests passed.
The rewording now changes those words too; the rules quote ids (``health_data_refs``) and codes.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from hdsguard import data, i18n
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import merge
from hdsguard.engine import run
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledPolicy, builtin_policy_dir, load_catalogue
from hdsguard.policies.selftest import case_date
from hdsguard.policies.template import HIDDEN

if TYPE_CHECKING:
    from hdsguard.policies.model import TestCase

Reasons = dict[tuple[str, int], tuple[str, str]]  # (policy, case) -> (status, reason)


def _findings(runtime: CelRuntime, policy: CompiledPolicy, index: int, case: TestCase) -> Any:
    decl = merge([SourceFile(f"{policy.file}#tests[{index}]", case.declarations, {})])
    if case.evidence:
        from hdsguard.evidence.view import attach

        at = f"{policy.file}#tests[{index}].evidence:1"
        attach(decl, {k: [{"at": at, **i} for i in v] for k, v in case.evidence.items()})
    findings = run(runtime, [policy], decl, case_date(case), {policy.id: case.params}).findings
    if case.target is not None:
        findings = [f for f in findings if f.target == case.target]
    [finding] = findings
    return finding


def _reasons(policy_dir: Path, lang: str) -> Reasons:
    """The status and reason of every failing or warning inline case of the policies of
    ``policy_dir``, in a run in ``lang``."""
    out: Reasons = {}
    with i18n.language(lang):
        runtime = CelRuntime()
        catalogue = load_catalogue(runtime, [policy_dir], builtin=False, with_specs=True, lang=lang)
        for policy in catalogue.values():
            for index, case in enumerate(policy.authoring().tests):
                if case.expect in ("fail", "warn"):
                    finding = _findings(runtime, policy, index, case)
                    out[(policy.id, index)] = (finding.status.value, finding.reason)
    return out


@cache
def _builtin(lang: str) -> Reasons:
    return _reasons(builtin_policy_dir(), lang)


def test_every_failing_case_has_a_reason() -> None:
    english = _builtin("en")
    assert len(english) > 500
    assert all(status in ("fail", "warn") for status, _ in english.values())
    assert [key for key, (_, reason) in english.items() if not reason] == []


def test_a_french_run_gives_the_reasons_of_an_english_run() -> None:
    english, french = _builtin("en"), _builtin("fr")
    assert french.keys() == english.keys()
    differ = {key: (english[key], french[key]) for key in english if english[key] != french[key]}
    assert differ == {}, "a baseline written in English would not match a run in French"


_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')


def _reworded_literal(match: re.Match[str]) -> str:
    """A CEL string literal with a word added when it holds words (a space): one that holds
    none is more likely a value compared (`"internet"`) than a text shown."""
    literal = match.group(0)
    if " " not in literal:
        return literal
    return literal[0] + "now " + literal[1:]


def reworded(message: str) -> str:
    """``message`` with its text and the words its shown placeholders build changed, its
    hidden placeholders left as written."""
    out: list[str] = []
    pos = 0
    for found in _PLACEHOLDER.finditer(message):
        out.append(message[pos : found.start()].upper())
        source = found.group(1)
        if not source.strip().startswith(HIDDEN):
            source = _STRING.sub(_reworded_literal, source)
        out.append("{{" + source + "}}")
        pos = found.end()
    out.append(message[pos:].upper())
    return "".join(out)


def _write_reworded_catalogue(folder: Path) -> None:
    for path in sorted(builtin_policy_dir().glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for check in data.get("checks") or [data]:
            for key in ("message", "warn_message"):
                if check.get(key):
                    check[key] = reworded(check[key])
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / path.name).write_text(text, encoding="utf-8")


def _reword_the_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words the helpers build in Python changed too: a phrase of hdsguard's catalogue
    (``health_data_at``'s "system gam (hosted)") and a country's English name
    (``country_name``) are worded by code a translator or a data update rewords, as a
    message's own text is. Rewording only the policies' CEL literals left them as written:
    HDS-006 and HDS-007 quoted them in their reasons, and this test passed."""
    gettext, name = i18n._, data.country_name
    monkeypatch.setattr(i18n, "_", lambda message: "now " + gettext(message))
    monkeypatch.setattr(data, "country_name", lambda code: "now " + (name(code) or code))


def test_rewording_a_message_changes_no_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_reworded_catalogue(tmp_path)
    before = _builtin("en")
    _reword_the_helpers(monkeypatch)
    after = _reasons(tmp_path, "en")
    assert after.keys() == before.keys()
    changed = sorted({key[0] for key in before if before[key] != after[key]})
    assert changed == [], (
        f"{changed}: rewording the message changes the finding's reason; quote the declared "
        "values in hidden placeholders `{{# … }}` (docs/policy-format.md)"
    )


def test_the_rewording_changes_the_words_only() -> None:
    message = 'ftp on {{ self.host }}{{ has(self.port) ? ", port " + string(self.port) : "" }}'
    assert reworded(message) == (
        'FTP ON {{ self.host }}{{ has(self.port) ? "now , port " + string(self.port) : "" }}'
    )
    assert reworded("{{# self.a + ' b c' }}x") == "{{# self.a + ' b c' }}X"
