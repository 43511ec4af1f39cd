"""A message with several placeholders renders in one CEL call (the list of its placeholders)
and gives exactly what evaluating each placeholder on its own gives.

Each comparison runs the catalogue as compiled and with every template's list expression
removed (one CEL call per placeholder), with evidence (pass and not-applicable messages
rendered too), and requires equal findings, messages included.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from hdsguard.declarations.load import load_declarations
from hdsguard.declarations.located import SourceFile
from hdsguard.declarations.merge import merge
from hdsguard.declarations.validate import validate
from hdsguard.engine import run
from hdsguard.errors import InputError
from hdsguard.findings import Finding, Status
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import CompiledCheck, CompiledPolicy, load_catalogue
from hdsguard.policies.template import DeferredPart, Template, compile_template
from tests.helpers import REPO
from tests.test_fuzz import mutated_data
from tests.test_verdict import DAY


@cache
def catalogue() -> tuple[CelRuntime, tuple[CompiledPolicy, ...]]:
    runtime = CelRuntime()
    return runtime, tuple(load_catalogue(runtime).values())


def _one_by_one(value: Any) -> Any:
    if isinstance(value, Template):
        return dataclasses.replace(value, values=None)
    if isinstance(value, CompiledCheck | CompiledPolicy):
        changes = {f.name: _one_by_one(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_one_by_one(v) for v in value)
    return value


def both_ways(decl: Any) -> list[Finding]:
    runtime, policies = catalogue()
    together = run(runtime, policies, decl, DAY, evidence=True)
    apart = run(runtime, [_one_by_one(p) for p in policies], decl, DAY, evidence=True)
    assert together == apart
    return together.findings


def templates(policy: CompiledPolicy) -> list[Template]:
    found = [policy.pass_message, policy.not_applicable_message, policy.remediation]
    for check in policy.checks:
        found.append(check.message)
        if check.warn_message is not None:
            found.append(check.warn_message)
    return found


def test_messages_with_several_placeholders_have_one_expression() -> None:
    _, policies = catalogue()
    several = [
        t
        for p in policies
        for t in templates(p)
        if sum(not isinstance(part, str) for part in t.parts) >= 2
    ]
    assert len(several) > 20
    assert all(t.values is not None for t in several)


@pytest.mark.parametrize("example", ["lab-group", "hospital", "minimal"])
def test_examples_render_the_same_messages(example: str) -> None:
    assert both_ways(load_declarations([str(REPO / "examples" / example)]))


@pytest.mark.parametrize("shape", ["usual", "failing"])
def test_a_generated_estate_renders_the_same_messages(tmp_path: Path, shape: str) -> None:
    generate = [sys.executable, str(REPO / "bench" / "generate.py"), "400", str(tmp_path)]
    subprocess.run([*generate, "--shape", shape], check=True, stdout=subprocess.DEVNULL)
    findings = both_ways(load_declarations([str(tmp_path)]))
    assert {Status.PASS, Status.FAIL, Status.NOT_APPLICABLE} <= {f.status for f in findings}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_data())
def test_mutated_declarations_render_the_same_messages(data: Any) -> None:
    source = SourceFile("mutated.yaml", data, {})
    if validate(source):
        return
    try:
        decl = merge([source])
    except InputError:
        return
    both_ways(decl)


def test_a_failing_placeholder_is_unknown_alone() -> None:
    runtime = CelRuntime()
    template = compile_template(runtime, "{{ self.id }} patched {{ self.last_patch }} ok")
    assert template.values is not None
    found = runtime.activation({"self": {"id": "fw-1", "last_patch": "2026-01-02"}})
    missing = runtime.activation({"self": {"id": "fw-1"}})
    assert template.render(found) == "fw-1 patched 2026-01-02 ok"
    assert template.render(missing) == "fw-1 patched (unknown) ok"
    assert template.render(missing) == template.render_each(missing)


def test_a_placeholder_that_gives_nothing_leaves_no_blank_at_either_end() -> None:
    """TLS-003's remediation ended with a space when only its first sentence applied (its
    second placeholder gives ""); EXP-005's message started with one. Both ways of rendering
    strip the ends, and only the ends."""
    runtime = CelRuntime()
    activation = runtime.activation({"self": {"a": "x"}, "params": {}, "now": "", "target": ""})
    for text, expected in [
        ('{{ self.a == "x" ? "Fix it. " : "" }}{{ self.a == "y" ? "Then more." : "" }}', "Fix it."),
        ('{{ self.a == "y" ? "Never. " : "" }} remote  access {{ self.a }}', "remote  access x"),
        ("{{ self.a }} ", "x"),
    ]:
        template = compile_template(runtime, text)
        assert template.render(activation) == expected
        assert template.render_each(activation).strip() == expected


class _CountingEnv:
    """A CEL environment that records the texts it compiles (type-checked: a program kept)."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.compiled: list[str] = []

    def compile(self, text: str, disable_check: bool = False) -> Any:
        if not disable_check:
            self.compiled.append(text)
        return self.env.compile(text, disable_check)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.env, name)


def counting_runtime() -> tuple[CelRuntime, _CountingEnv]:
    runtime = CelRuntime()
    env = _CountingEnv(runtime.env)
    runtime.env = env  # type: ignore[assignment]
    return runtime, env


def test_a_placeholder_its_list_renders_is_compiled_alone_only_when_needed() -> None:
    """Issue 17: every placeholder compiled alone beside its template's list held 458 more
    programs of the built-in catalogue's (0.1-0.5 MiB each), most never evaluated alone; the
    hidden placeholders of the reasons had pushed a first run's peak over 150 MB."""
    runtime, env = counting_runtime()
    text = "{{ self.host }}:{{ self.port }}{{# self.cves.map(c, c.id) }} open"
    template = compile_template(runtime, text, "T-1")
    assert template.values is not None and template.shown is not None
    assert len(env.compiled) == 2  # the list of every placeholder, the list of the shown ones
    assert all(isinstance(p, DeferredPart) and not p.compiled for p in _placeholders(template))
    activation = runtime.activation({"self": {"host": "a.example", "cves": [{"id": "CVE-1"}]}})
    host, port, cves = _placeholders(template)
    assert template.render(activation) == "a.example:(unknown) open"  # the list fails
    # Then each shown placeholder is cut out of its list, never compiled again from a text.
    assert host.compiled and port.compiled and not cves.compiled
    assert template.render(activation) == "a.example:(unknown) open"
    assert template.render_quoting(activation)[1] == ["a.example", None, ["CVE-1"]]
    assert cves.compiled  # and the hidden one, for a reason
    assert len(env.compiled) == 2


def test_a_placeholder_no_list_renders_is_compiled_at_once() -> None:
    runtime, env = counting_runtime()
    one = compile_template(runtime, "patched {{ self.last_patch }}")
    assert one.values is None and not any(isinstance(p, DeferredPart) for p in one.parts)
    # One shown placeholder beside a hidden one: rendered alone at every rendering.
    shown = compile_template(runtime, "{{ self.port }} open{{# self.host }}", "T-1")
    assert shown.values is not None and shown.shown is None
    port, host = _placeholders(shown)
    assert not isinstance(port, DeferredPart) and isinstance(host, DeferredPart)
    activation = runtime.activation({"self": {"host": "a.example", "port": 21}})
    assert shown.render(activation) == "21 open"
    assert not host.compiled
    assert env.compiled == ["self.last_patch", "[self.port\n,self.host\n]", "self.port"]


def test_the_builtin_catalogue_compiles_no_placeholder_its_list_renders() -> None:
    runtime, _env = counting_runtime()
    policies = load_catalogue(runtime).values()
    listed = [
        t
        for p in policies
        for t in templates(p)
        if t is not None and t.values is not None and (t.shown is not None or not t.hidden)
    ]
    assert len(listed) > 200
    parts = [p for t in listed for p in _placeholders(t)]
    assert all(isinstance(p, DeferredPart) and not p.compiled for p in parts)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ self.a, self.b }} and {{ self.c }}", "{{ self.a, self.b }}"),  # fits in a list
        ("{{ self.a] + [self.b }} and {{ self.c }}", "{{ self.a] + [self.b }}"),
        ("{{ self.a }} and {{ self.b + }}", "{{ self.b + }}"),
        ("{{ self.a }} and {{ nope(self.b) }}", "{{ nope(self.b) }}"),
    ],
)
def test_a_placeholder_that_does_not_compile_alone_is_refused_by_name(
    text: str, named: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(f"in placeholder {named}:")):
        compile_template(CelRuntime(), text)


def _placeholders(template: Template) -> list[Any]:
    return [p for p in template.parts if not isinstance(p, str)]


@pytest.mark.parametrize(
    "text",
    [
        "{{ self.id }} patched {{ days_since(self.last_patch) }} days ago, {{ now }}",
        "{{ self.name }} over {{ params.max_age_days }} days ({{ double(params.min_cvss) }})",
        "{{ self.vulnerabilities.filter(v, kev_added(v) != '').map(v, v.cve) }} "
        "{{ {'a': self.id}.a }}{{# cel.bind(x, self.tls, x.min_version) }}",
    ],
)
def test_a_placeholder_cut_out_of_its_list_is_the_placeholder_compiled_alone(text: str) -> None:
    # What a finding's reason reads from a placeholder's tree (the date, the fields of self),
    # its type and its value: the same cut out of its list as compiled from its text.
    from hdsguard.policies.locality import reads_date
    from hdsguard.policies.selffields import root_paths
    from hdsguard.policies.template import placeholders

    runtime = CelRuntime()
    template = compile_template(runtime, text, "FW-001")
    parts = _placeholders(template)
    assert all(isinstance(p, DeferredPart) for p in parts)
    firewall = {"id": "fw", "name": "edge", "last_patch": "2026-01-05", "tls": {}}
    variables = {"self": firewall, "params": {"FW-001": {"max_age_days": 90, "min_cvss": 7}}}
    activation = runtime.activation({**variables, "now": "2026-11-28", "decl": {}})
    for source, part in zip(placeholders(text), parts, strict=True):
        alone, cut = runtime.compile(source, "FW-001"), part.expression()
        assert reads_date(cut) == reads_date(alone)
        assert root_paths(cut) == root_paths(alone)
        assert str(cut.return_type()) == str(alone.return_type())
        got, want = cut.eval(activation), alone.eval(activation)
        assert (got.type(), str(got.value())) == (want.type(), str(want.value()))
