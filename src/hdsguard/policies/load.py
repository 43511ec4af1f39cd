"""Load policy files: validate against the policy model, compile every CEL expression.

An invalid policy is a hard error naming its file and line: a broken policy must never
silently stop enforcing. A run reads the built-in policies a shorter way when it can
(:func:`_builtin_for_run`), and the general way, with its exact messages, otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cel_expr_python import cel

from hdsguard.declarations.files import decode_text, display_path, read_bytes, read_text
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import _, labelled, language
from hdsguard.policies.celenv import SCAN_AGE_PARAM, SCAN_AGE_RULE, CelRuntime
from hdsguard.policies.compiled import CompiledCheck as CompiledCheck
from hdsguard.policies.compiled import CompiledPolicy as CompiledPolicy
from hdsguard.policies.meta import PolicyMeta, PolicyRules
from hdsguard.policies.template import DeferredPart, Template, compile_template, literal
from hdsguard.policies.texts import (
    PlacedProblem,
    PolicyTexts,
    default_not_applicable_message,
    default_pass_message,
)
from hdsguard.speed.fastpath import verdict_source

if TYPE_CHECKING:
    from pydantic import ValidationError

    from hdsguard.declarations.located import SourceFile
    from hdsguard.policies.locality import Locality
    from hdsguard.policies.meta import CheckRules
    from hdsguard.policies.model import Check, Policy

POLICY_SUFFIXES = (".yaml", ".yml")


def builtin_policy_dir() -> Path:
    """The shipped catalogue: inside the wheel, or ``policies/`` of a source checkout."""
    from hdsguard.shipped import shipped

    return shipped("policies")


def policy_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise InputError(
            [Problem(display_path(directory), None, None, _("policy directory not found"))]
        )
    return sorted(p for p in directory.rglob("*") if p.suffix in POLICY_SUFFIXES and p.is_file())


def load_catalogue(
    runtime: CelRuntime,
    extra_dirs: Sequence[Path] = (),
    *,
    builtin: bool = True,
    with_specs: bool = False,
    lang: str | None = None,
) -> dict[str, CompiledPolicy]:
    """Built-in policies plus those of ``extra_dirs``; ids must be unique unless overridden.

    ``with_specs`` keeps each policy's full file model (inline tests, raw texts) for the
    authoring commands; without it a cached compiled catalogue may be used. ``lang``: the
    language of the texts (None: each policy's main language, as its inline tests expect).
    """
    if lang is not None:
        # The default messages (a pass without `pass_message`) are in the texts' language.
        with language(lang):
            return _load_catalogue(runtime, extra_dirs, builtin, with_specs, lang)
    return _load_catalogue(runtime, extra_dirs, builtin, with_specs, lang)


def _load_catalogue(
    runtime: CelRuntime,
    extra_dirs: Sequence[Path],
    builtin: bool,
    with_specs: bool,
    lang: str | None,
) -> dict[str, CompiledPolicy]:
    from hdsguard.speed import catalogue_cache as cache

    problems: list[Problem] = []
    files, contents, key = _sources(extra_dirs, builtin, lang)
    runtime.catalogue_key = key

    def rebuild() -> list[CompiledPolicy]:
        """The catalogue compiled from the bytes read above (a cached expression that does
        not deserialise: :class:`hdsguard.speed.catalogue_cache.LazyExpression`)."""
        again: list[Problem] = []
        with language(lang) if lang is not None else contextlib.nullcontext():
            fresh = _load_files(runtime, files, contents, again, False, lang)
        if again:
            raise InputError(again)
        return fresh

    cached = cache.load(runtime, key, rebuild) if key and not with_specs else None
    if cached is None:
        loaded = _load_files(runtime, files, contents, problems, with_specs, lang)
    else:
        loaded = cached
    catalogue: dict[str, CompiledPolicy] = {}
    for policy in loaded:
        _register(catalogue, policy, problems)
    if problems:
        raise InputError(problems)
    if key and cached is None:
        cache.store(key, loaded)
    scans = catalogue.get(SCAN_AGE_RULE)
    default = scans.default_params().get(SCAN_AGE_PARAM) if scans is not None else None
    runtime.scan_age_default = default if isinstance(default, int) else None
    return dict(sorted(catalogue.items()))


def _sources(
    extra_dirs: Sequence[Path], builtin: bool, lang: str | None
) -> tuple[list[tuple[Path, bool]], dict[Path, bytes], str | None]:
    """The policy files (path, built-in), the bytes of each, and the catalogue cache's key for
    them (None when one cannot be read: the load reports it, and nothing is cached)."""
    from hdsguard.speed import catalogue_cache as cache

    problems: list[Problem] = []
    dirs = [(builtin_policy_dir(), True)] if builtin else []
    dirs += [(d, False) for d in extra_dirs]
    files: list[tuple[Path, bool]] = []
    # A directory named twice (the config's `policies` and `--policies`, to which it adds)
    # or reached through a link is read once: a policy must not collide with itself.
    seen: set[Path] = set()
    for directory, is_builtin in dirs:
        try:
            for path in policy_files(directory):
                real = path.resolve()
                if real not in seen:
                    seen.add(real)
                    files.append((path, is_builtin))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    # Each file is read once: the key hashes the very bytes that are compiled, so an edit
    # made meanwhile can never be stored under the key of the previous text.
    contents: dict[Path, bytes] = {}
    for path, _builtin in files:
        with contextlib.suppress(InputError):  # reported by the load; nothing is then cached
            contents[path] = read_bytes(path, display_path(path))
    key = cache.catalogue_key(files, contents, lang) if len(contents) == len(files) else None
    return files, contents, key


def catalogue_cached(extra_dirs: Sequence[Path] = (), *, lang: str | None = None) -> bool | None:
    """Whether the catalogue cache holds an entry for the catalogue :func:`load_catalogue`
    would load now (not whether that entry is sound: its load checks that); None when there
    is no cache, or a policy directory or file cannot be read."""
    from hdsguard.speed import catalogue_cache as cache

    try:
        key = _sources(extra_dirs, True, lang)[2]
    except InputError:
        return None
    return None if key is None else cache.stored(key)


def _load_files(
    runtime: CelRuntime,
    files: Sequence[tuple[Path, bool]],
    contents: Mapping[Path, bytes],
    problems: list[Problem],
    with_specs: bool,
    lang: str | None,
) -> list[CompiledPolicy]:
    loaded: list[CompiledPolicy] = []
    for path, builtin in files:
        raw = contents.get(path)
        try:
            loaded.append(
                load_policy(
                    runtime, path, builtin=builtin, with_spec=with_specs, lang=lang, raw=raw
                )
            )
        except InputError as exc:
            problems.extend(exc.problems)
    return loaded


def _register(
    catalogue: dict[str, CompiledPolicy], policy: CompiledPolicy, problems: list[Problem]
) -> None:
    first = catalogue.get(policy.id)
    if first is None or (first.builtin and not policy.builtin and policy.meta.override):
        catalogue[policy.id] = policy
    else:
        hint = (
            _("; set `override: true` in your policy to replace the built-in one deliberately")
            if first.builtin and not policy.builtin
            else _("; policy ids must be unique")
        )
        message = _("policy id {id} is already defined by {file}").format(
            id=policy.id, file=first.file
        )
        problems.append(Problem(policy.file, 1, 1, message + hint))


def builtin_clashes(policies: Iterable[CompiledPolicy]) -> list[Problem]:
    """The problems :func:`_register` reports for user policies taking a built-in id without
    ``override: true``, found from the built-in files' names (``FW-001.yaml``) without loading
    them: ``hdsguard policies test DIR`` must refuse what ``hdsguard check`` refuses."""
    builtin = {path.stem: path for path in policy_files(builtin_policy_dir())}
    problems = []
    for policy in policies:
        taken = builtin.get(policy.id)
        if taken is not None and not policy.builtin and not policy.meta.override:
            hint = _(
                "; set `override: true` in your policy to replace the built-in one deliberately"
            )
            message = _("policy id {id} is already defined by {file}").format(
                id=policy.id, file=display_path(taken)
            )
            problems.append(Problem(policy.file, 1, 1, message + hint))
    return problems


def load_policy(
    runtime: CelRuntime,
    path: Path,
    *,
    builtin: bool = False,
    with_spec: bool = True,
    lang: str | None = None,
    raw: bytes | None = None,
) -> CompiledPolicy:
    """``with_spec=False``: a run's load, whose ``spec`` may be None; a built-in policy's
    inline tests are then not even read (a user's still are: a broken test case is refused).
    ``raw``: the file's bytes, already read (those the catalogue key hashed)."""
    # Only a catalogue compiled from its files parses YAML: a cached one (every warm run)
    # does not even import the reader.
    from hdsguard.declarations.reader import parse

    display = display_path(path)
    text = read_text(path, display) if raw is None else decode_text(raw, display)
    if builtin and not with_spec:
        compiled = _builtin_for_run(runtime, text, display, lang)
        if compiled is not None:
            return compiled
    source = parse(text, display)
    if not isinstance(source.data, dict):
        message = _("a policy file is a mapping (id:, title:, …)")
        raise InputError([Problem(display, 1, 1, message)])
    from pydantic import ValidationError

    from hdsguard.policies.model import Policy

    try:
        spec = Policy.model_validate(source.data)
    except ValidationError as exc:
        raise InputError(_schema_problems(source, exc)) from None
    return compile_policy(runtime, spec, source, builtin=builtin, lang=lang)


# The top-level `tests:` key of a block mapping; after it, a line that could start something
# else than its value: all but a blank line, an indented one, a comment, or a `- ` item.
_TESTS_KEY = re.compile(r"^tests:[ ]*$", re.MULTILINE)
_TOP_LEVEL_LINE = re.compile(r"^(?!$|[ #]|-(?: |$))", re.MULTILINE)


def _builtin_for_run(
    runtime: CelRuntime, text: str, display: str, lang: str | None
) -> CompiledPolicy | None:
    """A built-in policy compiled for a run without its inline tests nor pydantic, or None to
    load it the general way, which also words every problem exactly.

    The tests are most of each file (four fifths of the parsing), a run never reads them, and
    ``hdsguard policies test`` and the test suite load them in full. Cutting them off the text
    is only done when they run from a top-level ``tests:`` line to the end of the file: a
    construct opened above that line and cut short fails to parse, and such a failure, like
    any doubt about the rest of the file (see ``meta.rules_of``), takes the general way.
    """
    from hdsguard.declarations.reader import parse
    from hdsguard.policies.meta import rules_of

    tests = _TESTS_KEY.search(text)
    if tests is None or _TOP_LEVEL_LINE.search(text, tests.end() + 1):
        return None
    try:
        source = parse(text[: tests.start()], display)
        rules = rules_of(source.data)
        if rules is None:
            return None
        return compile_policy(runtime, rules, source, builtin=True, lang=lang)
    except InputError:
        return None


def compile_policy(
    runtime: CelRuntime,
    spec: Policy | PolicyRules,
    source: SourceFile,
    *,
    builtin: bool = False,
    lang: str | None = None,
) -> CompiledPolicy:
    """``lang``: the language of the texts (None: the policy's main language)."""
    problems: list[Problem] = []

    def expr(text: str | None, *where: str | int) -> cel.Expression | None:
        if text is None:
            return None
        try:
            return runtime.compile(text, spec.id)
        except ValueError as exc:
            problems.append(
                _at(source, where, _("CEL does not compile: {error}").format(error=exc))
            )
            return None

    texts = PolicyTexts(spec, lang)

    def tmpl(text: str | None, default: str, key: str, check: int | None = None) -> Template:
        chosen, where, text_lang = texts.get(text, key, check)
        if chosen is None:
            return literal(default, texts.lang)
        try:
            return compile_template(runtime, chosen, spec.id, text_lang)
        except ValueError as exc:
            problems.append(_at(source, where, str(exc)))
            return literal(chosen, text_lang)

    checks: list[CompiledCheck] = []
    single = not spec.checks
    all_checks: Sequence[Check | CheckRules] = spec.all_checks()

    def main_text(text: str | None, key: str, check: int | None) -> str | None:
        """``text``, the main-language one, when the run's is a translation (a failure's
        reason quotes the main one: hdsguard.reasons); None when the run's is ``text``."""
        return text if texts.get(text, key, check)[0] != text else None

    for i, check in enumerate(all_checks):
        base: tuple[str | int, ...] = () if single else ("checks", i)
        condition = expr(check.condition, *base, "condition")
        at = None if single else i
        checks.append(
            CompiledCheck(
                condition=condition,  # type: ignore[arg-type]  # None only when problems
                message=tmpl(check.message, "", "message", at),
                warn_if=expr(check.warn_if, *base, "warn_if"),
                warn_message=tmpl(check.warn_message, "", "warn_message", at)
                if check.warn_message
                else None,
                field=split_path(check.field) if check.field else (),
                locate=expr(check.locate, *base, "locate"),
                requires=tuple(tuple(r.split(".")) for r in check.requires),
                key=check.id or str(i),
                main_message=main_text(check.message, "message", at),
                main_warn_message=main_text(check.warn_message, "warn_message", at),
            )
        )
    meta = PolicyMeta.of(spec, texts)
    compiled = CompiledPolicy(
        meta=meta,
        spec=None if isinstance(spec, PolicyRules) else spec,
        file=source.path,
        builtin=builtin,
        applicable_if=expr(spec.applicable_if, "applicable_if"),
        not_applicable_message=tmpl(
            spec.not_applicable_message,
            default_not_applicable_message(),
            "not_applicable_message",
        ),
        pass_message=tmpl(spec.pass_message, default_pass_message(meta.title), "pass_message"),
        remediation=tmpl(spec.remediation, "", "remediation"),
        checks=tuple(checks),
        verdict=_verdict(runtime, verdict_source(spec), spec.id),
        fell_back=texts.fell_back,
    )
    _check_params(meta, source, problems)
    if not isinstance(spec, PolicyRules):  # a built-in run's load has no inline tests
        _check_case_params(meta, spec, source, problems)
    if not builtin:  # the built-in catalogue is checked by its tests, not on every compile
        _check_self_fields(compiled, single, source, problems)
    if problems:
        raise InputError(problems)
    local, local_without_evidence, reads = _locality(compiled)
    return dataclasses.replace(
        compiled, local=local, local_without_evidence=local_without_evidence, reads=reads
    )


def _verdict(runtime: CelRuntime, text: str, policy_id: str) -> cel.Expression | None:
    try:
        return runtime.compile(text, policy_id)
    except ValueError:
        return None  # the exact path alone still decides every outcome


# The keys of a policy or check that hold CEL, and those that hold templates.
_CEL_KEYS = ("applicable_if", "condition", "warn_if", "locate")
_TEMPLATE_KEYS = (
    "message",
    "warn_message",
    "pass_message",
    "not_applicable_message",
    "remediation",
)


Located = list[tuple[tuple[str | int, ...], list[cel.Expression | None]]]


def located_expressions(policy: CompiledPolicy, *, single: bool = True) -> Located:
    """Every compiled expression of ``policy``, the placeholders of its texts included, with
    where its file writes it (``("checks", 1, "condition")``; ``single``: a policy written
    with one `condition` rather than `checks`). The verdict, made of the conditions, comes
    last."""

    def parts(template: Template | None) -> list[cel.Expression | None]:
        if template is None:
            return []
        # The list of every placeholder reads what each does: a placeholder compiled only
        # when needed alone (DeferredPart) is not compiled for this.
        compiled = (p for p in template.parts if not isinstance(p, (str, DeferredPart)))
        return [*compiled, template.values]

    located: Located = [
        (("applicable_if",), [policy.applicable_if]),
        (("not_applicable_message",), parts(policy.not_applicable_message)),
        (("pass_message",), parts(policy.pass_message)),
        (("remediation",), parts(policy.remediation)),
    ]
    for index, check in enumerate(policy.checks):
        base: tuple[str | int, ...] = () if single else ("checks", index)
        located += [
            ((*base, "condition"), [check.condition]),
            ((*base, "warn_if"), [check.warn_if]),
            ((*base, "locate"), [check.locate]),
            ((*base, "message"), parts(check.message)),
            ((*base, "warn_message"), parts(check.warn_message)),
        ]
    located.append(((), [policy.verdict]))
    return located


def _check_self_fields(
    policy: CompiledPolicy, single: bool, source: SourceFile, problems: list[Problem]
) -> None:
    """A field of ``self`` that no object the policy applies to can declare, a parameter it
    does not have, a section that does not exist (:mod:`.selffields`): located at the
    expression or text that reads it, once per path."""
    from hdsguard.policies.selffields import unknown_field_messages

    told: set[tuple[str | int, ...]] = set()  # one problem per path, where it is first read
    for where, exprs in located_expressions(policy, single=single):
        key = "".join(f"[{w}]" if isinstance(w, int) else f".{w}" for w in where).lstrip(".")
        found = unknown_field_messages(policy.meta.applies_to, policy.meta.params, exprs, key)
        for path, message in found:
            if path not in told:
                told.add(path)
                problems.append(_at(source, where, message))


def _locality(policy: CompiledPolicy) -> Locality:
    """Whether no compiled expression of the policy, placeholders included, can read another
    object than its target, as the checked syntax tree says (:mod:`.locality`): in any run,
    and in a run given no evidence; and which sections its helpers read in the latter."""
    from hdsguard.policies.locality import classify

    return classify(e for _where, exprs in located_expressions(policy) for e in exprs)


def split_path(text: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in text.split("."))


def _check_params(meta: PolicyMeta, source: SourceFile, problems: list[Problem]) -> None:
    from hdsguard.policies.params import param_problem

    for name, param in meta.params.items():
        if param.default is None:  # an optional parameter: unset unless the config sets it
            continue
        message = param_problem(param, param.default)
        if message:
            problems.append(_at(source, ("params", name, "default"), labelled(name, message)))


def _check_case_params(
    meta: PolicyMeta, spec: Policy, source: SourceFile, problems: list[Problem]
) -> None:
    """An inline test case's ``params`` are checked like the config's: a misspelt name would
    leave the case running on the default, and the test passing for the wrong reason."""
    from hdsguard.declarations.validate import did_you_mean
    from hdsguard.policies.params import param_problem

    for index, case in enumerate(spec.tests):
        for name, value in case.params.items():
            where = ("tests", index, "params", name)
            label = ".".join(str(p) for p in where)
            param = meta.params.get(name)
            if param is None:
                declared = list(meta.params)
                hint = did_you_mean(name, declared) or (
                    _("; it has: {names}").format(names=", ".join(declared))
                    if declared
                    else _("; it has none")
                )
                message = _("unknown parameter '{name}' of {rule}").format(name=name, rule=meta.id)
                line, column = source.locate(where)
                problems.append(Problem(source.path, line, column, labelled(label, message + hint)))
            elif (wrong := param_problem(param, value)) is not None:
                problems.append(_at(source, where, labelled(label, wrong)))


def _at(source: SourceFile, where: Iterable[str | int], message: str) -> Problem:
    line, column = source.locate(tuple(where), value=True)
    return Problem(source.path, line, column, message)


def _advice(err: Any) -> str | None:
    """What to write instead, for a wrong choice or form (see declarations.advice)."""
    from hdsguard.declarations import advice

    got, ctx = err.get("input"), err.get("ctx") or {}
    if not isinstance(got, str):
        return None
    if err["type"].startswith("literal_error") or err["type"] == "enum":
        return advice.choice_message(got, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    if err["type"] == "string_pattern_mismatch":
        return advice.pattern_message(str(ctx.get("pattern", "")), got)
    return None


def _schema_problems(source: SourceFile, exc: ValidationError) -> list[Problem]:
    from hdsguard.declarations.errtext import error_message

    problems = []
    for err in exc.errors(include_url=False):
        placed = (err.get("ctx") or {}).get("error")
        if isinstance(placed, PlacedProblem):  # its message names the path already
            line, column = source.locate(placed.where)
            problems.append(Problem(source.path, line, column, str(placed)))
            continue
        loc = tuple(err["loc"])
        line, column = source.locate(loc, value=err["type"] != "extra_forbidden")
        where = ".".join(str(p) for p in loc)
        message = error_message(err)
        if err["type"] == "extra_forbidden":
            message = _unknown_key(loc)
        message = _advice(err) or _case_advice(loc, err) or message
        problems.append(
            Problem(source.path, line, column, labelled(where, message) if where else message)
        )
    return problems


def _case_advice(loc: tuple[str | int, ...], err: Any) -> str | None:
    """What an inline test case needs, for the mistakes a first policy makes: the object
    written as the ``target`` (which names it), or a case without its declarations or its
    expected status. The other errors keep the general sentence."""
    if len(loc) != 3 or loc[0] != "tests" or not isinstance(loc[1], int):
        return None
    key, kind = loc[2], err["type"]
    if key == "target" and kind == "string_type":
        return _(
            "a test case's `target` names the object it checks, as `section/id` "
            "(`services/web-1`); the object itself goes in `declarations` "
            "(`declarations: {services: [{id: web-1, …}]}`)"
        )
    if key == "declarations" and kind == "missing":
        return _(
            "a test case runs on `declarations`, a declaration set written as in a declaration "
            "file (`declarations: {services: [{id: web-1, …}]}`); add it "
            "(docs/policy-format.md, Inline tests)"
        )
    if key == "expect" and kind == "missing":
        return _(
            "a test case names the status it expects: `expect: pass`, `fail`, `warn`, "
            "`not_applicable` or `error`"
        )
    return None


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    """``unknown key 'x'``, with the closest key the policy format has there."""
    from hdsguard.declarations.model import field_names
    from hdsguard.declarations.validate import did_you_mean
    from hdsguard.policies.model import Policy

    key = str(loc[-1])
    return _("unknown key '{key}'").format(key=key) + did_you_mean(
        key, field_names(Policy, list(loc[:-1]))
    )
