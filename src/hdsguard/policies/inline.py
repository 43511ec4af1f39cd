"""Helpers rewritten into plain CEL before compilation.

cel-expr-python 0.1.3 leaks memory on every call from CEL into a Python function: the tuple of
its arguments, converted (measured: 50–350 bytes a call, more for a map). The date helpers
are the most called: ``days_since(d)``, ``days_until(d)`` and ``days_between(a, b)`` on every
target of most rules. Their definitions are plain CEL timestamp arithmetic, so an expression
is compiled with each call replaced by it; the original text is compiled first, so users
still see errors about what they wrote.

``kev_added(v)`` takes a whole vulnerability map (≈ 760 bytes leaked a call, 9.1 MB at 10k
objects). Without a KEV catalogue among the evidence its value is the vulnerability's own
``kev_added`` when it declares ``kev: true``, else "": plain CEL. So the call is kept only
for a run given the catalogue, behind ``evidence_count("evidence_kev")`` (a short string
argument). On a map of the declarations' schema (``kev`` a boolean, ``kev_added`` a date
string, nulls dropped: what every run evaluates) both give the same string, and anything but
a map gives "" as the helper does (``tests/test_inline.py``).

``in_eea(c)`` and the protocol classes (``is_cleartext(p)``, ``has_explicit_tls(p)``…) ask
whether a string is in a shipped list: 28,000 calls at 10k objects, 3.4 MB leaked; they become
membership in that list, written in CEL, for a string argument (the helper is still called for
anything else, so a wrong type is the same error).

The evidence helpers return nothing in a run given no evidence file (every evidence section
empty), yet the rules call them on every target: ``evidence_count("...")`` (18,000–24,000
calls at 10k objects, with ``kev_added``'s rewrite), ``evidence_ports_of(self)`` and
``observed_certificates(self)`` (each converting the whole target, ≈ 800 bytes leaked a call),
``evidence_scans()`` and ``evidence_files()`` (their new lists leaked). Each such call is put
behind ``evidence_given()``, a helper without arguments (nothing converted, nothing leaked)
saying whether any evidence section holds an item: when none does, the value the helper would
give (0, []) is written instead. Only for arguments whose evaluation cannot fail or differ: a
string literal for ``evidence_count`` (any string gives 0 then), ``self`` (the target object)
for the matchers, which give [] for any value without evidence, and ``target`` when it names
an object of a section the matcher may read (any other is the guard's error). The program is
the same with evidence and without (the choice is made while it runs): a compiled catalogue
serves both. ``tests/test_inline.py`` compares each with the helper as written, with and
without evidence.

``worded(field, value)`` words a declared value in messages (``via: direct`` "directly"):
14,204 calls at 10k objects, each leaking its two strings and their tuple, ≈ 4 MiB over both
processes at a first run's peak. For a field it lists, the call becomes a comparison of the
value with each listed value, giving that value's words in the language the expression is
compiled in, when the run is in that language (``hds_language()``, without an argument:
nothing converted, and the same string object each time); the helper is still called in
another language, and for anything but a string (its error).

``when("words", condition)`` gives its condition and exists for the rule help, which reads
the words (policies/conditionwords.py): 2,328 calls at 10k objects, each leaking its words. With
the words a string literal, the call becomes its condition, bound to ``hds_when`` and given
as it is when it is a boolean (the helper, with the same words, for anything else: its
error); the rule help reads that binding as the call (its words are in the helper's branch).

The helpers the rules give the target's own name (``hds_flaws(target)``) or one of its
fields (``provider(self.hosted_by)``, ``is_placeholder(self.owner)``): 45,000 calls at 10k
objects, each leaking a string and its tuple (≈ 110 bytes). Each listed in
``owntwins.OWN_TARGET`` or ``owntwins.OWN_PATHS`` has a twin without arguments that reads the
same value in Python from the target under evaluation, the one whose activation was made last
(:meth:`~hdsguard.policies.celenv.CelRuntime.activation`). In a text where no comprehension
binds ``target`` or ``self`` (``list.map(self, …)``, ``cel.bind(target, …)``: the compiler
checks the text's checked tree, :func:`~hdsguard.policies.celtree.may_bind`), each of them is
that target's own, and the call becomes the twin: for a field, when the field's value is a
string, the helper otherwise (the value bound once, so that the field's error, when it has
none, is the text's). In any other text, the helpers as written (``own=False``); FW-004's
helpers by name, below, likewise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from hdsguard import data, i18n
from hdsguard.policies import valuewords
from hdsguard.policies.owntwins import OWN_PATHS, OWN_TARGET, own_twin

Rewrite = Callable[[list[str]], str | None]

# Seconds since the epoch, not a duration: CEL durations hold ±290 years (int64
# nanoseconds), and an end date of 9999-12-31, legal for a certificate (RFC 5280's "no
# expiration"), made every rule reading it an error ("integer overflow") where the helper
# gives the number of days.
_DAY = '(int(timestamp(({a}) + "T00:00:00Z")) - int(timestamp(({b}) + "T00:00:00Z"))) / 86400'
# The argument is bound once (it may be any expression); the name is not one a text can mean.
_KEV = (
    'cel.bind(hds_kev_v, {v}, evidence_given() && evidence_count("evidence_kev") > 0'
    " ? kev_added(hds_kev_v)"
    " : type(hds_kev_v) == map"
    ' ? string(hds_kev_v.?kev_added.orValue("")) : "")'
)


def _member(name: str, values: Callable[[], frozenset[str]]) -> Rewrite:
    """A helper that says whether a string is in a shipped list (countries, protocols): the
    list itself, in CEL, for a string; the helper still for anything else (its error)."""

    def rewrite(args: list[str]) -> str | None:
        if len(args) != 1:
            return None
        listed = ", ".join(json.dumps(v) for v in sorted(values()))
        return (
            f"cel.bind(hds_s, {args[0]}, type(hds_s) == string"
            f" ? hds_s in [{listed}] : {name}(hds_s))"
        )

    return rewrite


# A string literal without escapes: evaluating it cannot fail.
_LITERAL = re.compile(r""""[A-Za-z0-9_]*"|'[A-Za-z0-9_]*'""")


def _unless_evidence(name: str, empty: str, takes: Callable[[list[str]], bool]) -> Rewrite:
    """An evidence helper called only when evidence is given; ``empty``, its value without
    any, otherwise. Only for the arguments ``takes`` accepts."""

    def rewrite(args: list[str]) -> str | None:
        if not takes(args):
            return None
        return f"evidence_given() ? {name}({', '.join(args)}) : {empty}"

    return rewrite


def _matcher(name: str, sections: tuple[str, ...]) -> Rewrite:
    """An evidence matcher (``name``) called only when evidence is given, on ``self`` or on
    ``target``. A target name is looked up in its section, which the helper's guard refuses
    (an error) unless it is one the helper reads: the call is skipped for a name of one of
    ``sections`` (some of those, ``tests/test_inline.py`` checks), made otherwise."""

    def rewrite(args: list[str]) -> str | None:
        if args == ["self"]:
            return f"evidence_given() ? {name}(self) : []"
        if args == ["target"]:
            known = " || ".join(f'target.startsWith("{section}/")' for section in sections)
            return f"evidence_given() || !({known}) ? {name}(target) : []"
        return None

    return rewrite


# ``index_of(list, value)`` converts the whole list at each call (a target's vulnerabilities
# or rules: ≈ 1.4 KB leaked a call, 3.8 MB at 10k objects). For a list, it is the first
# position where an item equals the value, in CEL: "1" where it does, "0" elsewhere, joined,
# and the first "1" (-1 when none, as the helper). The helper still for anything else.
_INDEX_OF = (
    "cel.bind(hds_io_l, {items}, cel.bind(hds_io_v, {value}, type(hds_io_l) == list"
    ' ? hds_io_l.map(hds_io_x, hds_io_x == hds_io_v ? "1" : "0").join("").indexOf("1")'
    " : index_of(hds_io_l, hds_io_v)))"
)


# The variable the rewrite binds the value to: the rule help (slotwords._innermost_call) reads
# a binding of it as the ``worded`` call the text wrote.
WORDED_VAR = "hds_w"


def _worded(args: list[str]) -> str | None:
    """``worded("field", value)``: the words of the compiling language in CEL, for a field
    :mod:`~hdsguard.policies.valuewords` lists and a string value, the helper otherwise."""
    if len(args) != 2 or not _one_literal(args[0]):
        return None
    words = valuewords.WORDS.get(args[0][1:-1])  # a field's name: no quote nor escape in it
    if not words:
        return None
    field, lang = args[0][1:-1], i18n.current()
    # The helper's own words, in the language of this compilation (the same lookup).
    said = {
        value: json.dumps(valuewords.worded(field, value), ensure_ascii=False) for value in words
    }
    chosen = " : ".join(
        f"{WORDED_VAR} == {json.dumps(value)} ? {text}" for value, text in said.items()
    )
    return (
        f'cel.bind({WORDED_VAR}, {args[1]}, hds_language() == "{lang}"'
        f" && type({WORDED_VAR}) == string ? ({chosen} : {WORDED_VAR})"
        f" : worded({args[0]}, {WORDED_VAR}))"
    )


# The variable the rewrite of ``when`` binds the condition to: the rule help
# (conditionwords._when_words) reads a binding of it as the ``when`` call the text wrote.
WHEN_VAR = "hds_when"


def _when(args: list[str]) -> str | None:
    """``when("words", condition)``: the condition itself when it is a boolean, the helper
    (given the same words) for anything else, so that its error is the same. Only for words
    written as one string literal: evaluating them cannot fail, and the help reads them."""
    if len(args) != 2 or not _one_literal(args[0]):
        return None
    return (
        f"cel.bind({WHEN_VAR}, {args[1]}, type({WHEN_VAR}) == bool"
        f" ? {WHEN_VAR} : when({args[0]}, {WHEN_VAR}))"
    )


# The variable the rewrite of a helper given the target's field binds the argument to: the
# rule help (slotwords._innermost_call) reads the binding as the helper's call.
OWN_VAR = "hds_own_v"
# The helpers whose calls read the target under evaluation in Python: only in a text that
# cannot rebind `target` or `self`.
_OWN = frozenset({*OWN_TARGET, *OWN_PATHS})
_SELF_PATH = re.compile(r"self((?:\.[a-z_][a-z0-9_]*)+)")


def _own(name: str) -> Rewrite:
    """``name(target)`` (OWN_TARGET): the twin without arguments; ``name(self.<field>)``
    (OWN_PATHS): the twin while the field's value is a string (the helper given anything else
    may err or differ), the helper otherwise, the value bound once as the text evaluates it.
    Only in a text that cannot rebind ``target`` or ``self`` (see the module's docstring)."""
    paths = OWN_PATHS.get(name, ())

    def rewrite(args: list[str]) -> str | None:
        if len(args) != 1:
            return None
        if args[0] == "target" and name in OWN_TARGET:
            return f"{own_twin(name)}()"  # `target` is a string: nothing to test nor to err
        found = _SELF_PATH.fullmatch(args[0])
        path = found.group(1)[1:] if found is not None else None
        if path not in paths:
            return None
        return (
            f"cel.bind({OWN_VAR}, {args[0]}, type({OWN_VAR}) == string"
            f" ? {own_twin(name, path)}() : {name}({OWN_VAR}))"
        )

    return rewrite


def _required_activities(args: list[str]) -> str | None:
    """``required_activities(["backup"])``: the activities, a list of numbers, for a list of
    plain string literals (BKP-005 and HDS-002: 3,008 calls at 10k objects, each leaking
    its list); the helper for anything else."""
    items = _literals(args[0]) if len(args) == 1 else None
    if items is None:
        return None
    return "[" + ", ".join(str(a) for a in data.required_activities(items)) + "]"


def _literals(text: str) -> list[str] | None:
    """The strings of a list written as plain string literals (``["backup", "iaas"]``), else
    None."""
    if text[:1] != "[" or matching(text, 0) != len(text) - 1:
        return None
    items = [item.strip() for item in split_args(text[1:-1])]
    return [i[1:-1] for i in items] if all(_LITERAL.fullmatch(i) for i in items) else None


# ``published_contradicted_by(v, ["kev_added", "cve"])``: the tests PAT-002 and PAT-003
# wrote out in each of their texts (a KEV listing before publication; a CVE id of a later
# year), joined with ``||`` in the order listed, so that the program is the one they gave:
# cve_year (a short string) its only call, not made once a listed test before it holds.
# For a list of those names written as literals; the argument is bound once unless it is a
# name (a non-map is an error, as for the helper).
_CONTRADICTS = {
    "kev_added": (
        "{v}.?kev_added.hasValue() && {v}.?published.hasValue()"
        " && string({v}.kev_added) < string({v}.published)"
    ),
    "cve": (
        "{v}.?cve.hasValue() && {v}.?published.hasValue()"
        " && cve_year({v}.cve) > int(string({v}.published).substring(0, 4))"
    ),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _contradicted(args: list[str]) -> str | None:
    fields = _literals(args[1]) if len(args) == 2 else None
    if not fields or not all(f in _CONTRADICTS for f in fields):
        return None
    v = args[0] if _NAME.fullmatch(args[0]) else "hds_pc_v"
    body = " || ".join(f"({_CONTRADICTS[f].format(v=v)})" for f in fields)
    return body if v == args[0] else f"cel.bind({v}, {args[0]}, {body})"


_REWRITES: dict[str, Rewrite] = {
    "days_since": lambda args: _DAY.format(a="now", b=args[0]) if len(args) == 1 else None,
    "days_until": lambda args: _DAY.format(a=args[0], b="now") if len(args) == 1 else None,
    "days_between": lambda args: _DAY.format(a=args[1], b=args[0]) if len(args) == 2 else None,
    "kev_added": lambda args: _KEV.format(v=args[0]) if len(args) == 1 else None,
    "index_of": lambda args: (
        _INDEX_OF.format(items=args[0], value=args[1]) if len(args) == 2 else None
    ),
    # The lists are shipped data: the catalogue cache's key covers the whole package.
    "in_eea": _member("in_eea", lambda: data.eea() | data.eea_territories()),
    # One name for a test VND-003 makes of each recipient: compiled as written out, so that
    # the program (verdicts, memory) is the one the two calls gave.
    "eea_or_adequate_for": lambda args: (
        f"({_REWRITES['in_eea']([args[0]])}) || is_adequate_for({args[0]}, {args[1]})"
        if len(args) == 2
        else None
    ),
    "published_contradicted_by": _contradicted,
    "is_cleartext": _member("is_cleartext", data.cleartext_protocols),
    "is_high_risk": _member("is_high_risk", data.high_risk_protocols),
    "is_remote_access": _member("is_remote_access", data.remote_access_protocols),
    "is_tls_protocol": _member("is_tls_protocol", data.tls_protocols),
    "is_cleartext_without_tls": _member("is_cleartext_without_tls", data.cleartext_without_tls),
    "has_explicit_tls": _member("has_explicit_tls", data.explicit_tls_protocols),
    "evidence_count": _unless_evidence(
        "evidence_count", "0", lambda args: len(args) == 1 and bool(_LITERAL.fullmatch(args[0]))
    ),
    "evidence_scans": _unless_evidence("evidence_scans", "[]", lambda args: args == [""]),
    "evidence_files": _unless_evidence("evidence_files", "[]", lambda args: args == [""]),
    "evidence_ports_of": _matcher("evidence_ports_of", ("services", "evidence_ports")),
    "observed_certificates": _matcher(
        "observed_certificates", ("certificates", "services", "evidence_certificates")
    ),
    "predating_certificates": _matcher(
        "predating_certificates", ("certificates", "services", "evidence_certificates")
    ),
    # The words are the language's: the catalogue cache's key holds the language and covers
    # the package (the .po catalogue included).
    "worded": _worded,
    "when": _when,
    # Shipped data: the catalogue cache's key covers the whole package.
    "required_activities": _required_activities,
    **{name: _own(name) for name in _OWN},
}


# FW-004's helpers given `target` and spelling lists of the policy's params: 3,607 calls at
# 10k objects, each converting two or three lists of strings and leaking them (≈ 1.1 KB a
# call). Given the policy's id and the parameters' names instead, in one string, the helper
# reads the same lists from the run's parameters (Context.params, bound by the engine from
# what its activations hold) for the target under evaluation, when they are lists of
# strings and parameters are bound; the helper as written otherwise.
_PARAM = re.compile(r"params\.([a-z_][a-z0-9_]*)")
_NAMED = {
    "any_to_any": 2,
    "any_to_any_alone": 2,
    "internet_to_any": 3,
    "internet_every_port": 3,
    "any_every_port": 3,
}


def _by_name(name: str, args: list[str], policy_id: str | None) -> str | None:
    """``name(target, params.a, …)`` of a policy: ``hds_<name>("<policy> a …")`` behind the
    test that each list is one of strings, the call as written otherwise (one string
    argument: each converted and leaked at each call, the target's name and three strings
    were ≈ 350 bytes). Only in a text that cannot rebind ``target``."""
    found = [_PARAM.fullmatch(a) for a in args[1:]]
    if policy_id is None or args[:1] != ["target"] or len(found) != _NAMED[name]:
        return None
    keys = [m.group(1) for m in found if m is not None]
    if len(keys) != len(found):
        return None
    bound = [f"hds_p{i}" for i in range(len(keys))]
    tests = " && ".join(
        f"type({b}) == list && {b}.all(hds_px, type(hds_px) == string)" for b in bound
    )
    spec = json.dumps(" ".join([policy_id, *keys]))
    body = (
        f"hds_params_bound() && {tests} ? hds_{name}({spec}) : {name}(target, {', '.join(bound)})"
    )
    for b, arg in reversed(list(zip(bound, args[1:], strict=True))):
        body = f"cel.bind({b}, {arg}, {body})"
    return body


# The helpers whose rewrite reads the target under evaluation in Python (twins, FW-004's
# helpers by name): only in a text that cannot rebind `target` or `self`.
TARGET_READERS = _OWN | frozenset(_NAMED)
# The helpers whose rewrite keeps the text's types: the twins (each call given `target`, a
# string, or a field of `self`, dyn, type-checks, and the program has the helper's type).
TYPE_KEEPING = _OWN


def worth_scanning(source: str) -> bool:
    """Whether ``source`` may call a helper rewritten here (most texts call none)."""
    return any(name in source for name in _REWRITES) or any(name in source for name in _NAMED)


def inline_helpers(
    source: str,
    policy_id: str | None = None,
    *,
    own: bool = True,
    applied: set[str] | None = None,
) -> str:
    """``source`` with every call of a helper of ``_REWRITES`` (the date helpers,
    ``kev_added``, ``in_eea``, the protocol classes) replaced by its CEL definition;
    ``policy_id``: the policy whose ``params`` the text reads (FW-004's helpers). ``own``
    False: the helpers that read the target under evaluation in Python (TARGET_READERS) as
    written, for a text that may rebind ``target`` or ``self``. ``applied``: the names of
    the helpers rewritten are added to it."""
    out: list[str] = []
    i = 0
    while (found := _NEXT.search(source, i)) is not None:
        start = found.start()
        out.append(source[i:start])
        name = found.group(1)
        if name is None:  # a string literal: copied whole, whatever names it holds
            i = _string_end(source, start)
            out.append(source[start:i])
            continue
        close = matching(source, found.end() - 1)
        if close is not None:
            args = [
                inline_helpers(a.strip(), policy_id, own=own, applied=applied)
                for a in split_args(source[found.end() : close])
            ]
            rewrite = _REWRITES.get(name)
            if not own and (name in _OWN or rewrite is None):
                body = None
            elif rewrite is not None:
                body = rewrite(args)
            else:
                body = _by_name(name, args, policy_id)
            if body is not None:
                out.append(f"({body})")
                if applied is not None:
                    applied.add(name)
                i = close + 1
                continue
        out.append(source[start])
        i = start + 1
    out.append(source[i:])
    return "".join(out)


# The next string literal or call of a helper of _REWRITES: a name not part of another name
# nor a field or method (`x.days_since(...)`), then its bracket. One search, not a test of
# every helper at every character: that was 8 % of compiling the catalogue.
_NEXT = re.compile(
    r"[\"']|(?<![\w.])("
    + "|".join(re.escape(name) for name in sorted([*_REWRITES, *_NAMED], key=len, reverse=True))
    + r")\s*\("
)


def _one_literal(text: str) -> bool:
    """Whether ``text`` is one string literal, whatever it holds (its evaluation cannot fail)."""
    return text[:1] in ("'", '"') and _string_end(text, 0) == len(text)


def _string_end(source: str, start: int) -> int:
    quote = source[start]
    triple = source.startswith(quote * 3, start)
    delimiter = quote * 3 if triple else quote
    i = start + len(delimiter)
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    return len(source)


def _code(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth before it) of every character outside string literals."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _string_end(text, i)
            continue
        if char in ")]}":
            depth -= 1
        yield i, char, depth
        if char in "([{":
            depth += 1
        i += 1


def matching(source: str, open_paren: int) -> int | None:
    """Where the bracket opened at ``open_paren`` closes."""
    for i, char, depth in _code(source, open_paren):
        if char in ")]}" and depth == 0:
            return i
    return None


def split_args(text: str) -> list[str]:
    """The comma-separated arguments of a call, commas in nested brackets and strings kept."""
    cuts = [i for i, char, depth in _code(text) if char == "," and depth == 0]
    bounds = zip([-1, *cuts], [*cuts, len(text)], strict=True)
    return [text[a + 1 : b] for a, b in bounds]
