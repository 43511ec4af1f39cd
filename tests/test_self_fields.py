"""A policy that reads a field of ``self`` no declaration can hold is refused when it loads.

``!has(self.management_exposd) || …`` compiled (``self`` is dynamic) and passed on every
firewall: a green that lies, in a user's own rule. Each case fails without
``policies/selffields.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import load_catalogue, located_expressions
from hdsguard.policies.selffields import self_paths, unknown_field_messages
from tests.helpers import run_cli

POLICY = """\
id: ORG-001
title: Firewall management is not exposed
severity: high
applies_to: {applies_to}
condition: {condition}
message: "{message}"
remediation: Close it.
references: [Internal network standard NET-2]
tests:
  - declarations: {{firewalls: [{{id: a}}]}}
    expect: pass
  - declarations: {{firewalls: [{{id: b, management_exposed: true}}]}}
    expect: fail
"""


def refused(tmp_path: Path, lang: str = "en", **fields: str) -> list[str]:
    values = {"applies_to": "firewalls", "message": "{{ self.id }} is exposed", **fields}
    (tmp_path / "ours").mkdir(exist_ok=True)
    (tmp_path / "ours" / "ORG-001.yaml").write_text(POLICY.format(**values), encoding="utf-8")
    result = run_cli(["--lang", lang, "policies", "test", str(tmp_path / "ours")])
    assert result.exit_code == 2, result.output
    return [line.split("/ours/", 1)[1] for line in result.stderr.splitlines()]


def test_a_misspelt_field_is_refused_with_the_one_it_meant(tmp_path: Path) -> None:
    condition = "'!has(self.management_exposd) || !self.management_exposd'"
    assert refused(tmp_path, condition=condition) == [
        "ORG-001.yaml:5:12: condition reads `self.management_exposd`, but `management_exposd` "
        "is no field an object of `firewalls` can declare (the declaration schema has no such "
        "field): it would never see a declared value; did you mean `management_exposed`?"
    ]
    assert refused(tmp_path, "fr", condition=condition) == [
        "ORG-001.yaml:5:12: condition lit `self.management_exposd`, mais `management_exposd` "
        "n'est pas un champ qu'un objet de `firewalls` peut déclarer (le schéma des "
        "déclarations n'a pas ce champ) : aucune valeur déclarée n'y serait jamais lue ; "
        "vouliez-vous dire `management_exposed` ?"
    ]


def test_a_nested_field_and_a_message_placeholder_are_checked(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        applies_to="systems",
        condition="self.backup.last_sucess > now",
        message="{{ self.naem }} has no recent backup",
    )
    assert [line.split(": ", 1)[1].split(",")[0] for line in lines] == [
        "condition reads `self.backup.last_sucess`",
        "message reads `self.naem`",
    ]
    assert lines[0].endswith("did you mean `last_success`?")
    assert lines[1].startswith("ORG-001.yaml:6:")
    assert lines[1].endswith("did you mean `name`?")


def test_an_unknown_parameter_or_section_is_refused(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        condition="'!has(params.max_ag) || decl.firewall.size() > 0'",
    )
    assert [line.split(": ", 1)[1] for line in lines] == [
        "condition reads `decl.firewall`, but no section is named `firewall`; did you mean "
        "`firewalls`?",
        "condition reads `params.max_ag`, but the policy has no parameter `max_ag`",
    ]


def test_a_field_of_one_of_the_sections_is_allowed(tmp_path: Path) -> None:
    """PAT-001 reads `self.software` on services and systems: only services have it."""
    (tmp_path / "ours").mkdir()
    policy = POLICY.format(
        applies_to="[services, firewalls]",
        condition="'!has(self.software) || self.software.name != \"x\"'",
        message="{{ self.id }}",
    )
    (tmp_path / "ours" / "ORG-001.yaml").write_text(policy, encoding="utf-8")
    result = run_cli(["policies", "test", str(tmp_path / "ours")])
    assert "no field" not in result.output


def test_a_string_that_looks_like_a_field_is_not_read() -> None:
    runtime = CelRuntime()
    expr = runtime.compile('self.id != "self.idd" && [dyn({})].exists(r, r.idd == 1)', None)
    assert self_paths(expr) == {("id",)}


def test_a_macro_variable_stands_for_what_it_ranges_over() -> None:
    runtime = CelRuntime()
    expr = runtime.compile(
        "self.rules.exists(r, r.port == 22) && cel.bind(b, self.backup, b.mfa)"
        " && [dyn({})].all(self, self.x == 1) && self.vulnerabilities.map(v, v).exists(w, w.c)",
        None,
    )
    assert self_paths(expr) == {
        ("rules",),
        ("rules", 0, "port"),
        ("backup",),
        ("backup", "mfa"),
        ("vulnerabilities",),
    }


def test_a_misspelt_field_of_a_list_item_is_refused(tmp_path: Path) -> None:
    lines = refused(
        tmp_path,
        condition="'!self.rules.exists(r, has(r.form) && r.form == \"any\")'",
    )
    assert [line.split(": ", 1)[1] for line in lines] == [
        "condition reads `self.rules[*].form`, but `form` is no field an object of "
        "`firewalls` can declare (the declaration schema has no such field): it would never "
        "see a declared value; did you mean `from`?"
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_builtin_catalogue_reads_only_declarable_fields(lang: str) -> None:
    """The check is skipped when the built-in catalogue compiles (its cost, on every first
    run): this test runs it on every expression of every built-in policy instead."""
    runtime = CelRuntime()
    catalogue = load_catalogue(runtime, lang=lang)
    checked = 0
    for policy in catalogue.values():
        exprs = [e for _where, some in located_expressions(policy) for e in some]
        meta = policy.meta
        found = list(unknown_field_messages(meta.applies_to, meta.params, exprs, "expression"))
        assert found == [], (policy.meta.id, found)
        checked += sum(len(self_paths(e)) for e in exprs if e is not None)
    assert checked > 500  # the catalogue's expressions were decoded, not skipped


def test_an_optional_select_is_checked_like_a_select(tmp_path: Path) -> None:
    # `self.?x.orValue(…)` reads `x` as `self.x` does: a typo there never saw a value either,
    # and was not refused (found by HA, eighteenth session).
    condition = "'!self.?management_exposd.orValue(false)'"
    assert refused(tmp_path, condition=condition) == [
        "ORG-001.yaml:5:12: condition reads `self.management_exposd`, but `management_exposd` "
        "is no field an object of `firewalls` can declare (the declaration schema has no such "
        "field): it would never see a declared value; did you mean `management_exposed`?"
    ]
    runtime = CelRuntime()
    expr = runtime.compile(
        'self.?backup.?mfa.orValue(false) && self.rules.exists(r, r.?to.orValue("") == "x")',
        None,
    )
    assert self_paths(expr) == {("backup",), ("backup", "mfa"), ("rules",), ("rules", 0, "to")}
