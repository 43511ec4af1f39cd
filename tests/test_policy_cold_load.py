"""A run's first load of the catalogue (empty cache) takes short cuts: built-in policies are
read without their inline tests and without pydantic, and each CEL text is compiled once, the
user's own text only parsed when the rewrite provably checks it. Whatever the short cut, the
compiled catalogue and every message are those of the general way."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from cel_expr_python import cel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsguard.declarations.reader import parse
from hdsguard.errors import InputError
from hdsguard.policies import load, meta
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.celtree import may_bind
from hdsguard.policies.inline import inline_helpers
from hdsguard.policies.load import CompiledPolicy, load_catalogue, load_policy
from hdsguard.policies.meta import PolicyMeta, rules_of
from hdsguard.policies.model import Check, Param, Policy, SectionName, SeverityName
from hdsguard.policies.template import DeferredPart, placeholders
from hdsguard.speed import catalogue_cache as cache
from hdsguard.speed.catalogue_cache import LazyExpression
from tests.helpers import REPO, cache_env, random_spot, run_cli, use_cache
from tests.test_policy_loading import GOOD

BUILTINS = sorted((REPO / "policies").glob("*.yaml"))
DATA = {path.stem: parse(path.read_text("utf-8"), path.name).data for path in BUILTINS}


class _RecordingEnv:
    """The runtime's CEL environment, remembering the text behind every expression it made."""

    def __init__(self, env: cel.Env) -> None:
        self.env = env
        self.texts: dict[int, tuple[str, bool]] = {}

    def compile(self, text: str, disable_check: bool = False) -> cel.Expression:
        expr = self.env.compile(text, disable_check)
        self.texts[id(expr)] = (text, disable_check)
        return expr

    def __getattr__(self, name: str) -> Any:
        return getattr(self.env, name)


def recording_runtime() -> tuple[CelRuntime, _RecordingEnv]:
    runtime = CelRuntime()
    recorder = _RecordingEnv(runtime.env)
    runtime.env = recorder  # type: ignore[assignment]
    return runtime, recorder


# ------------------------------------------------------------------------------ compile


def reference(env: Any, source: str, policy_id: str | None) -> str:
    """What the general way compiles for ``source`` (the text), or ``error: <message>``."""
    try:
        checked = env.compile(source)
    except RuntimeError as exc:
        text = str(exc).removeprefix("INVALID_ARGUMENT: ").removesuffix(" [INVALID_ARGUMENT]")
        return "error: " + text.replace("<input>", "condition")
    scope = policy_id if "params" in source else None  # FW-004's helpers take its id
    # The twins only where no comprehension binds `self` or `target` (celtree.may_bind).
    own = not may_bind(checked.serialize(), ("self", "target"))
    for candidate in (inline_helpers(source, scope, own=own), source):
        if policy_id is not None and "params" in candidate:
            candidate = f"cel.bind(params, params[{json.dumps(policy_id)}], {candidate}\n)"
        if candidate == source:
            return source
        try:
            env.compile(candidate)
        except RuntimeError:
            continue
        return candidate
    return "error: the expression cannot be scoped to its policy's parameters"


def outcome(runtime: CelRuntime, recorder: _RecordingEnv, source: str, pid: str | None) -> str:
    try:
        expr = runtime.compile(source, pid)
    except ValueError as exc:
        return f"error: {exc}"
    text, parse_only = recorder.texts[id(expr)]
    assert not parse_only, "a parse-only expression must never be used"
    return text


def _texts(spec: Policy) -> list[str]:
    parts: list[Any] = [spec, *spec.all_checks()]
    found = [getattr(p, k, None) for p in parts for k in load._CEL_KEYS]
    for part in parts:
        for key in load._TEMPLATE_KEYS:
            found += placeholders(getattr(part, key, None) or "")
    return [text for text in found if text]


CORPUS = sorted({t for data in DATA.values() for t in _texts(Policy.model_validate(data))})
TOKENS = [
    ")",
    "(",
    "params.",
    " params ",
    "params.max_age",
    " + 1 + 'a'",
    "// note",
    "\n",
    "days_since(",
    "days_since(now)",
    ",",
    "'",
    '"',
    " now ",
    " && ",
    "self.x",
    "provider(self.hosted_by)",
    "hds_flaws(target)",
    ".map(self, ",
    "[",
    "]",
    "r'\\'",
    "cel.bind(params, 1, params)",
    " == 'x'",
]


@pytest.mark.parametrize(
    "source",
    [
        "params.max_age > 1 && 1 + 'a' == 'b'",  # a type error beside params
        "params.max_age) || (true",  # parses only once wrapped in the scoping bind
        "params.max_age >",
        "nope(params.max_age)",
        "days_since(self.d) > params.max_age && size(1)",
        "days_since(1) > params.max_age",
    ],
)
def test_an_invalid_expression_gets_the_message_about_what_its_author_wrote(source: str) -> None:
    runtime = CelRuntime()
    with pytest.raises(ValueError) as unscoped:
        runtime.compile(source)
    with pytest.raises(ValueError) as scoped:
        runtime.compile(source, "ACME-001")
    assert str(scoped.value) == str(unscoped.value)
    assert f"error: {scoped.value}" == reference(runtime.env, source, "ACME-001")
    assert "cel.bind" not in str(scoped.value)


def test_the_scoped_type_error_is_located_in_the_policy_file(tree: Any) -> None:
    policy = GOOD.replace('self.vendor != ""', "params.x > 1 && 1 + 'a' == 'b'")
    policy = policy.replace(
        "requires:", "params:\n  x: {type: integer, default: 1, description: d}\nrequires:"
    )
    tree({"pol/acme.yaml": policy, "d/fw.yaml": "firewalls:\n  - id: fw-1\n"})
    result = run_cli(["check", "d", "--policies", "pol"])
    assert result.exit_code == 2
    assert result.stderr == (
        "pol/acme.yaml:13:12: CEL does not compile: ERROR: condition:1:19: found no matching "
        "overload for '_+_' applied to '(int, string)'\n"
        " | params.x > 1 && 1 + 'a' == 'b'\n"
        " | ..................^\n"
    )


@pytest.mark.parametrize("source", CORPUS[::7])
def test_every_builtin_text_compiles_as_the_general_way_compiles_it(source: str) -> None:
    runtime, recorder = recording_runtime()
    for pid in ("ACME-001", None):
        assert outcome(runtime, recorder, source, pid) == reference(recorder.env, source, pid)


@st.composite
def edited(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
    return text


RUNTIME, RECORDER = recording_runtime()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=edited(), pid=st.sampled_from(["ACME-001", "FW-001", None]))
def test_an_edited_expression_compiles_or_fails_as_the_general_way(
    source: str, pid: str | None
) -> None:
    # Twice: the second answer comes from the runtime's memo.
    for _ in range(2):
        assert outcome(RUNTIME, RECORDER, source, pid) == reference(RECORDER.env, source, pid)


def test_a_text_whose_only_rewrites_are_twins_is_compiled_once() -> None:
    """The rewritten text compiles exactly when the text does (policies.inline): one
    compilation, not the text's then the rewritten one's (89 texts of the catalogue); an
    error is still about the text as written, and a text rebinding `self` keeps its helpers."""
    runtime, recorder = recording_runtime()
    source = 'provider(self.hosted_by).name == "x" && size(hds_flaws(target)) == 0'
    assert outcome(runtime, recorder, source, "ACME-001") == inline_helpers(source)
    assert len(recorder.texts) == 1
    bad = "is_placeholder(self.owner) + 1 == 2"  # a boolean plus a number
    worded = outcome(runtime, recorder, bad, None)
    assert worded == reference(recorder.env, bad, None)
    assert worded.startswith("error: ") and "is_placeholder(self.owner) + 1" in worded
    assert "hds_own" not in worded
    rebinding = "decl.systems.all(self, provider(self.hosted_by) != null)"
    assert outcome(runtime, recorder, rebinding, None) == rebinding


def test_a_text_is_compiled_once_per_policy_only_when_it_reads_params() -> None:
    runtime = CelRuntime()
    assert runtime.compile("self.id", "A-1") is runtime.compile("self.id", "B-1")
    assert runtime.compile("self.id", "A-1") is runtime.compile("self.id")
    assert runtime.compile("params.x", "A-1") is not runtime.compile("params.x", "B-1")
    assert runtime.compile("params.x", "A-1") is runtime.compile("params.x", "A-1")


# ------------------------------------------------------------------- rules without pydantic


from hdsguard.policies.texts import as_dict  # noqa: E402


def view(spec: Policy | meta.PolicyRules) -> tuple[Any, ...]:
    """Everything of a validated policy that a run reads, tests aside."""
    plain = {k: getattr(spec, k) for k in sorted(meta.POLICY_KEYS - {"params", "checks"})}
    plain["controls"] = [(c.framework, c.id, c.note) for c in spec.controls]
    # The model holds translations as models, the short cut as the parsed mappings.
    plain["translations"] = {
        lang: {k: v for k, v in as_dict(block).items() if v not in (None, {}, [])}
        for lang, block in spec.translations.items()
    }
    checks = [[getattr(c, k) for k in sorted(meta.CHECK_KEYS)] for c in spec.all_checks()]
    return plain, PolicyMeta.of(spec), checks, spec.checks is None


def without_tests(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "tests"}


@pytest.mark.parametrize("name", sorted(DATA))
def test_the_rules_of_a_builtin_hold_what_the_model_holds(name: str) -> None:
    rules = rules_of(without_tests(DATA[name]))
    assert rules is not None, "every built-in policy must take the run's short cut"
    assert view(rules) == view(Policy.model_validate(DATA[name]))


def test_the_rules_know_every_field_and_choice_of_the_model() -> None:
    assert set(Policy.model_fields) - {"tests"} == meta.POLICY_KEYS
    assert set(Check.model_fields) == meta.CHECK_KEYS
    assert set(Param.model_fields) == meta.PARAM_KEYS
    assert set(typing.get_args(SeverityName)) == meta.SEVERITIES
    assert set(typing.get_args(SectionName)) == meta.SECTIONS
    assert set(typing.get_args(typing.get_type_hints(Param)["type"])) == meta.PARAM_TYPES


ODD = [
    *[None, "", "x", "FW-001", "fw-001", "FW-001\n", "self.x", "a.b", "A.b", "systems", "high"],
    *["5", "1.5", "true", "integer", "list"],
    *[0, 1, -1, 2**60, 1.5, float("inf"), True, False, [], {}, ["systems"], ["x"], [1]],
    *[{"condition": "true", "message": "m"}, {"type": "integer", "default": 1}],
    *[[{"condition": "true", "message": "m"}], {"p": {"type": "list", "default": []}}],
]
KEYS = st.sampled_from(sorted(meta.POLICY_KEYS | meta.CHECK_KEYS | meta.PARAM_KEYS | {"x"}))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(a built-in policy with a few random edits, its original tests)."""
    original = DATA[draw(st.sampled_from(sorted(DATA)))]
    data = json.loads(json.dumps(without_tests(original)))
    for _ in range(draw(st.integers(1, 3))):
        parent, key = random_spot(draw, data)
        if parent is None:
            continue
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD)))
        elif action == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = copy.deepcopy(draw(st.sampled_from(ODD)))
    return data, {"tests": original["tests"]}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_rules_never_accept_what_the_model_refuses_or_reads_otherwise(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    from pydantic import ValidationError

    data, tests = case
    rules = rules_of(data)
    if rules is None:
        return
    try:
        policy = Policy.model_validate({**data, **tests})
        expected = view(policy)
    except ValidationError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"the rules accepted what the model refuses: {exc}")
    assert view(rules) == expected


@pytest.mark.parametrize(
    "edit",
    [
        {"applies_to": []},
        {"params": {"p": {"type": "integer", "default": 1, "description": "d", "minimum": "5"}}},
        {"params": {"p": {"type": "integer", "default": 1, "description": "d", "minimum": True}}},
        {"condition": ""},
        {"conditon": "true"},
        {"checks": [{"condition": "true", "message": "m"}]},  # beside `condition`
        {"warn_if": "true"},  # without warn_message
        {"tests": []},
        {"override": None},
    ],
    ids=str,
)
def test_the_rules_leave_any_doubt_to_the_model(edit: dict[str, Any]) -> None:
    assert rules_of({**without_tests(DATA["FW-001"]), **edit}) is None


# ------------------------------------------------------------------------------- loading


def comparable(policy: CompiledPolicy, recorder: _RecordingEnv) -> Any:
    """A compiled policy with each expression as the text it was compiled from."""

    def plain(value: Any) -> Any:
        if isinstance(value, cel.Expression):
            return recorder.texts[id(value)]
        if isinstance(value, DeferredPart):  # cut out of its list when needed alone
            return ("deferred", plain(value.listed), value.position)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = dataclasses.fields(value)
            return [(f.name, plain(getattr(value, f.name))) for f in fields if f.name != "spec"]
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    return plain(policy)


def test_a_run_compiles_the_builtins_as_the_authoring_commands_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_cache(monkeypatch, None)
    monkeypatch.setenv("HDSGUARD_JOBS", "1")  # every expression compiled here, recorded
    fast_runtime, fast_recorder = recording_runtime()
    fast = load_catalogue(fast_runtime)
    full_runtime, full_recorder = recording_runtime()
    full = load_catalogue(full_runtime, with_specs=True)
    assert all(p.spec is None for p in fast.values())
    assert all(p.spec is not None for p in full.values())
    assert list(fast) == list(full)
    for pid in fast:
        assert comparable(fast[pid], fast_recorder) == comparable(full[pid], full_recorder), pid


def test_a_run_on_the_builtins_does_not_import_pydantic() -> None:
    code = (
        "import sys; from hdsguard.api import load_policies; load_policies(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))"
    )
    env = cache_env(None, {"PATH": ""})
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


FW_001 = (REPO / "policies" / "FW-001.yaml").read_text("utf-8")
BKP_001 = (REPO / "policies" / "BKP-001.yaml").read_text("utf-8")


def _problems(path: Path, *, with_spec: bool) -> list[Any] | None:
    try:
        load_policy(CelRuntime(), path, builtin=True, with_spec=with_spec)
    except InputError as exc:
        return exc.problems
    return None


@pytest.mark.parametrize(
    ("text", "old", "new"),
    [
        (FW_001, "condition: days_since", "condition: nope() && days_since"),
        (FW_001, "field: last_patch", "field: last_patch\nconditon: true"),
        (FW_001, "severity: high", "severity: severe"),
        (FW_001, "default: 90", "default: ninety"),
        (FW_001, "tags: [firewalls, patching]", "tags: [firewalls, patching"),
        (FW_001, "pass_message: >-", 'pass_message: "{{ self. }}'),
        (FW_001, "\ntests:\n", "\ntests:\nid: FW-002\n"),
        (FW_001, "\ntests:\n", '\ndescription: "x\ntests:\n'),
        (BKP_001, "condition: self.backup.monitored == true", "condition: self.backup.monitored +"),
        (BKP_001, "  - requires: [backup.monitored]", "  - requires: [backup.monitored]\n    x: 1"),
    ],
)
def test_a_broken_builtin_is_reported_as_the_general_way_reports_it(
    tmp_path: Path, text: str, old: str, new: str
) -> None:
    assert text.count(old) == 1
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    expected = _problems(path, with_spec=True)
    assert expected
    assert _problems(path, with_spec=False) == expected


@pytest.mark.parametrize(
    "tail",
    [
        "override: false\n",  # a key after the tests
        "  # the end\n---\n",
    ],
)
def test_a_builtin_whose_tests_are_not_last_is_read_the_general_way(
    tmp_path: Path, tail: str
) -> None:
    path = tmp_path / "FW-001.yaml"
    path.write_text(FW_001 + tail, "utf-8")
    try:
        policy = load_policy(CelRuntime(), path, builtin=True, with_spec=False)
    except InputError as exc:
        assert exc.problems == _problems(path, with_spec=True)
    else:
        assert policy.spec is not None


def test_a_run_does_not_read_the_tests_of_a_builtin_but_a_users(tmp_path: Path) -> None:
    path = tmp_path / "FW-001.yaml"
    path.write_text(FW_001.replace("expect: pass", "expect: maybe", 1), "utf-8")
    # `hdsguard policies test` and the test suite read the built-in tests in full.
    assert _problems(path, with_spec=True)
    assert load_policy(CelRuntime(), path, builtin=True, with_spec=False).spec is None
    with pytest.raises(InputError, match="expect"):
        load_policy(CelRuntime(), path, builtin=False, with_spec=False)


# --------------------------------------------------------------------------------- cache


def _expressions(value: Any) -> list[cel.Expression | LazyExpression]:
    """Every expression of ``value``: compiled, or read back from the cache (deserialised when
    first used)."""
    if isinstance(value, (cel.Expression, LazyExpression)):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [e for f in dataclasses.fields(value) for e in _expressions(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [e for v in value for e in _expressions(v)]
    if hasattr(value, "parts"):
        return [e for v in value.parts for e in _expressions(v)]
    return []


def test_a_shared_expression_is_stored_and_loaded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cache(monkeypatch, tmp_path)
    runtime = CelRuntime()
    cold = list(load_catalogue(runtime).values())
    assert runtime.catalogue_key is not None
    warm = cache.load(CelRuntime(), runtime.catalogue_key)
    assert warm is not None
    shared = [len({id(e) for e in _expressions(tuple(p))}) for p in (cold, warm)]
    assert shared[0] == shared[1] < len(_expressions(tuple(cold)))


def test_the_mirror_knows_the_models_names() -> None:
    from typing import get_args

    from hdsguard.policies import meta, model

    assert set(get_args(model.SeverityName)) == meta.SEVERITIES
    assert set(get_args(model.SectionName)) == meta.SECTIONS


def test_a_null_translation_params_is_left_to_the_model() -> None:
    """Found by the mutation test above: `translations.fr.params: null` was accepted by the
    pydantic-free reading, which the model refuses (a mapping); `checks: null` is accepted
    by both."""
    from pydantic import ValidationError

    data = {k: v for k, v in copy.deepcopy(DATA["FW-001"]).items() if k != "tests"}
    data["translations"]["fr"]["params"] = None
    assert rules_of(data) is None
    tests = {"tests": DATA["FW-001"]["tests"]}
    with pytest.raises(ValidationError):
        Policy.model_validate({**data, **tests})
    data["translations"]["fr"]["params"] = {}
    data["translations"]["fr"]["checks"] = None
    assert rules_of(data) is not None
    Policy.model_validate({**data, **tests})


@pytest.mark.parametrize("checks", [False, "", 0, {}])
def test_translated_checks_that_are_no_list_are_left_to_the_model(checks: object) -> None:
    """Found by the mutation test above: `translations.fr.checks: false` was read as no
    checks by the pydantic-free reading (and then crashed the translation check); the model
    refuses anything but a list or null."""
    from pydantic import ValidationError

    data = {k: v for k, v in copy.deepcopy(DATA["IAM-001"]).items() if k != "tests"}
    data["translations"]["fr"]["checks"] = checks
    assert rules_of(data) is None
    with pytest.raises(ValidationError):
        Policy.model_validate({**data, "tests": DATA["IAM-001"]["tests"]})
