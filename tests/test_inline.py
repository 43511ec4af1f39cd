"""Date helpers are compiled to plain CEL: same values as the Python definition, same errors."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hdsguard import i18n
from hdsguard.policies import valuewords
from hdsguard.policies.celenv import CelRuntime, evaluate
from hdsguard.policies.inline import _REWRITES, inline_helpers
from tests.helpers import AS_OF, REPO, findings_of, run_cli

RUNTIME = CelRuntime()
DATES = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31))
# End dates reach 9999-12-31 (RFC 5280's "no expiration"): beyond CEL's ±290-year durations,
# which made the rewrite an error ("integer overflow") where the helper gives the days.
ANY_DATES = st.one_of(DATES, st.dates(max_value=datetime.date(9999, 12, 31)))


@settings(max_examples=200, deadline=None)
@given(day=ANY_DATES, now=DATES, other=ANY_DATES)
def test_inlined_helpers_compute_whole_days(
    day: datetime.date, now: datetime.date, other: datetime.date
) -> None:
    expr = RUNTIME.compile("[days_since(self.d), days_until(self.d), days_between(self.d, self.e)]")
    variables = {"self": {"d": day.isoformat(), "e": other.isoformat()}, "now": now.isoformat()}
    value, error = evaluate(expr, RUNTIME.activation(variables))
    assert error is None
    assert value == [(now - day).days, (day - now).days, (other - day).days]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("days_since(a > b ? a : b) <= 3", "timestamp((a > b ? a : b) + "),
        ('"days_since(x)" + self.id', None),  # inside a string literal: untouched
        ("self.days_since(x)", None),  # a method or field, not the helper
        ("days_between(self.a, get(self, 'b', 'c'))", "timestamp((get(self, 'b', 'c'))"),
        ("my_days_since(x) + olddays_since(y)", None),  # part of another name
        ("days_since\n  (self.d) > 0", "timestamp((self.d) + "),  # space before the bracket
        ("days_since", None),  # a name without a call
        ("days_since(self.d", None),  # no closing bracket: left to the compiler's error
        ('"""days_since(x) \'\'\'"""  + r\'days_until(y)\'', None),  # triple and raw strings
        ("days_since(days_until(self.d))", "timestamp((now) + "),  # nested: the inner one too
    ],
)
def test_rewrite(source: str, expected: str | None) -> None:
    rewritten = inline_helpers(source)
    if expected is None:
        assert rewritten == source
    else:
        assert expected in rewritten
        assert "days_" not in rewritten


def test_the_far_end_of_the_calendar_is_a_number_of_days() -> None:
    expr = RUNTIME.compile("[days_until(self.d), days_between(self.e, self.d)]")
    variables = {"self": {"d": "9999-12-31", "e": "0001-01-01"}, "now": "2026-11-28"}
    value, error = evaluate(expr, RUNTIME.activation(variables))
    assert error is None
    far = datetime.date(9999, 12, 31)
    assert value == [(far - datetime.date(2026, 11, 28)).days, (far - datetime.date.min).days]


def test_a_bad_date_is_still_an_error_not_a_value() -> None:
    expr = RUNTIME.compile("days_since(self.d) > 0")
    value, error = evaluate(
        expr, RUNTIME.activation({"self": {"d": "2026-02-30"}, "now": "2026-11-28"})
    )
    assert value is None and error


def test_compile_errors_quote_what_the_author_wrote() -> None:
    with pytest.raises(ValueError, match=r"days_since\(self\.d\) >"):
        RUNTIME.compile("days_since(self.d) > ")


# ------------------------------------------------------------------------------ kev_added

CVES = st.sampled_from(["CVE-2026-0001", "CVE-2026-0002", ""])
# Vulnerabilities as the declarations' schema allows them (nulls dropped), and other values.
VULNERABILITIES = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "cve": CVES,
            "kev": st.booleans(),
            "kev_added": DATES.map(datetime.date.isoformat),
            "cvss": st.floats(0, 10),
        },
    ),
    st.none(),
    st.text(max_size=5),
    st.integers(-(2**63), 2**63 - 1),
    st.lists(st.integers(0, 9), max_size=2),
)
CATALOGUES = st.lists(
    st.fixed_dictionaries({"id": CVES, "date_added": DATES.map(datetime.date.isoformat)}),
    max_size=2,
)


@settings(max_examples=300, deadline=None)
@given(vulnerability=VULNERABILITIES, catalogue=CATALOGUES)
def test_kev_added_inlined_gives_the_helpers_value(vulnerability: Any, catalogue: Any) -> None:
    """Compiled with the rewrite (the helper called only when a KEV catalogue was given) and
    as written (the helper always called): the same string."""
    RUNTIME.context.bind(datetime.date(2026, 11, 28), {"evidence_kev": catalogue})
    variables = {"self": {"v": vulnerability}, "now": "2026-11-28"}
    rewritten = RUNTIME.compile("kev_added(self.v)")
    as_written = RUNTIME.env.compile("kev_added(self.v)")
    activation = RUNTIME.activation(variables)
    assert evaluate(rewritten, activation) == evaluate(as_written, activation)
    assert evaluate(rewritten, activation)[1] is None


def test_kev_added_calls_the_helper_only_with_a_catalogue() -> None:
    rewritten = inline_helpers('kev_added(self.vulnerabilities[0]) != ""')
    assert rewritten.count("kev_added(") == 1  # behind the test of the catalogue's size
    assert 'evidence_count("evidence_kev") > 0 ? kev_added(hds_kev_v)' in rewritten
    assert "cel.bind(hds_kev_v, self.vulnerabilities[0]," in rewritten


# ------------------------------------------------------------------------------ shipped lists

LISTED = (
    "in_eea", "is_cleartext", "is_high_risk", "is_remote_access", "is_tls_protocol",
    "is_cleartext_without_tls", "has_explicit_tls",
)  # fmt: skip
WORDS = st.one_of(
    st.sampled_from(["FR", "DE", "RE", "US", "CH", "fr", "ftp", "telnet", "rdp", "https", "ssh"]),
    st.text(max_size=6),
    st.integers(0, 9),
    st.none(),
)


@settings(max_examples=200, deadline=None)
@given(word=WORDS)
def test_listed_helpers_inlined_give_the_helpers_value(word: Any) -> None:
    """Membership written in CEL and the helper as written: the same value for a string, an
    error both ways for anything else."""
    activation = RUNTIME.activation({"self": {"w": word}, "now": "2026-11-28"})
    for name in LISTED:
        rewritten = RUNTIME.compile(f"{name}(self.w)")
        as_written = RUNTIME.env.compile(f"{name}(self.w)")
        value, error = evaluate(rewritten, activation)
        expected, expected_error = evaluate(as_written, activation)
        assert value == expected
        assert (error is None) == (expected_error is None) == isinstance(word, str)


def test_listed_helpers_are_not_called_for_a_string() -> None:
    rewritten = inline_helpers('in_eea(self.country) && !is_cleartext("ftp")')
    assert 'type(hds_s) == string ? hds_s in ["AT", ' in rewritten
    assert '"ftp", ' in rewritten or '"ftp"]' in rewritten


# ------------------------------------------------------------------ no pattern per evaluation


def test_no_rewrite_matches_a_regular_expression() -> None:
    """cel-expr-python 0.1.3 compiles a `matches()` pattern at each evaluation: 109 µs for
    the pattern that spared `is_placeholder` its call (a comparison: 3 µs, the call: 6 µs),
    a second of CPU on a first run at 10k objects. A rewrite must be cheaper than the call
    it replaces."""
    calls = ([""], ["self"], ["target"], ["self.x"], ['"evidence_kev"'], ["self.x", "self.y"])
    for name, rewrite in _REWRITES.items():
        for args in calls:
            text = rewrite(list(args))
            assert text is None or ".matches(" not in text, (name, args)


# -------------------------------------------------------------------------------- index_of

SCALARS = st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b", ""]), st.booleans(), st.none())
ITEMS = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(st.sampled_from(["cve", "cvss"]), SCALARS, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(items=st.one_of(st.lists(ITEMS, max_size=5), SCALARS), value=ITEMS, pick=st.integers(0, 6))
def test_index_of_inlined_gives_the_helpers_value(items: Any, value: Any, pick: int) -> None:
    """The position written in CEL and the helper as written: the same value for a list
    (an item of it, or another value), an error both ways for anything else."""
    if isinstance(items, list) and items and pick < len(items):
        value = items[pick]  # what `locate` asks: the position of an item of the list
    activation = RUNTIME.activation({"self": {"l": items, "v": value}, "now": "2026-11-28"})
    rewritten = RUNTIME.compile("index_of(self.l, self.v)")
    as_written = RUNTIME.env.compile("index_of(self.l, self.v)")
    value_, error = evaluate(rewritten, activation)
    expected, expected_error = evaluate(as_written, activation)
    assert (error is None) == (expected_error is None)
    assert value_ == expected


@pytest.mark.parametrize(
    ("items", "value", "expected"),
    [
        ([1, True], True, 1),
        ([0, False], False, 1),
        ([1.0, 2], 1, 0),
        ([{"a": 1}, {"a": True}], {"a": True}, 1),
        ([None, 0], 0, 1),
        ([[1], [True]], [True], 1),
    ],
)
def test_index_of_compares_as_cel_does(items: Any, value: Any, expected: int) -> None:
    activation = RUNTIME.activation({"self": {"l": items, "v": value}, "now": "2026-11-28"})
    for program in (
        RUNTIME.compile("index_of(self.l, self.v)"),
        RUNTIME.env.compile("index_of(self.l, self.v)"),
    ):
        assert evaluate(program, activation) == (expected, None)


def test_index_of_calls_the_helper_only_for_what_is_not_a_list() -> None:
    rewritten = inline_helpers("index_of(self.rules, self.rules.filter(r, r.x)[0])")
    assert rewritten.count("index_of(") == 1  # the fallback, behind the test of the type
    assert "type(hds_io_l) == list ? hds_io_l.map(" in rewritten


# ------------------------------------------------------------------------ evidence helpers

SERVICE = {"id": "web", "host": "www.example.fr", "port": 443, "tls": {"certificate": "c1"}}
CERT = {"id": "c1", "subject": "www.example.fr", "not_after": "2027-01-01"}
EVIDENCE = {
    "evidence_ports": [
        {"host": "www.example.fr", "port": 443, "vantage": "external", "product": "nginx",
         "version": "1.2", "scan_date": "2026-11-20", "names": ["www.example.fr"],
         "addresses": [], "state": "open", "protocol": "tcp"}
    ],
    "evidence_scans": [{"id": "ext.xml", "date": "2026-11-20", "vantage": "external"}],
    "evidence_files": [{"path": "ext.xml", "kind": "nmap", "sha256": "ab"}],
    "evidence_certificates": [
        {"id": "c.pem", "sha256": "ab", "subject": "www.example.fr", "sans": [],
         "not_before": "2026-01-01", "not_after": "2026-12-31", "issuer": "x"}
    ],
    "evidence_kev": [{"id": "CVE-2026-0001", "date_added": "2026-01-02"}],
}  # fmt: skip
EVIDENCE_CALLS = [
    'evidence_count("evidence_kev")',
    "evidence_count('evidence_scans') + evidence_count('services')",
    "evidence_scans()",
    "evidence_files()",
    "size(evidence_files()) > 0",
    'evidence_scans().exists(s, s.vantage == "external")',
    "evidence_ports_of(self)",
    "evidence_ports_of(self).map(p, p.product)",
    "observed_certificates(self)",
    'size(observed_certificates(self)) > 0 || evidence_count("evidence_hds_registry") > 0',
    "evidence_ports_of(target)",
    "observed_certificates(target).map(c, c.id)",
]
# Targets named in sections the matchers read, and in others (the guard's error).
TARGETS = ["services/web", "certificates/c1", "services/none", "systems/s", "services", "x"]


def _estates() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, sections, self): without evidence, with an empty evidence file's worth (empty
    sections), and with evidence, for a service and a certificate as targets."""
    plain = {"services": [SERVICE], "certificates": [CERT]}
    empty = {**plain, **{name: [] for name in EVIDENCE}}
    full = {**plain, **EVIDENCE}
    return [
        (f"{name} {kind}", sections, target)
        for name, sections in (("none", plain), ("empty", empty), ("given", full))
        for kind, target in (("service", SERVICE), ("certificate", CERT))
    ]


@pytest.mark.parametrize("source", EVIDENCE_CALLS)
def test_evidence_helpers_behind_evidence_given_give_the_helpers_value(source: str) -> None:
    """Rewritten (the helper skipped when no evidence is given) and as written: the same
    value, without evidence, with empty evidence sections and with evidence; the rewritten
    text compiles (else the text as written would be used, silently)."""
    rewritten_text = inline_helpers(source)
    assert "(evidence_given() " in rewritten_text
    rewritten = RUNTIME.env.compile(rewritten_text)  # raises if it does not type-check
    as_written = RUNTIME.env.compile(source)
    for name, sections, target in _estates():
        RUNTIME.context.bind(datetime.date(2026, 11, 28), sections)
        for named in TARGETS:
            activation = RUNTIME.activation({"self": target, "now": "2026-11-28", "target": named})
            expected = evaluate(as_written, activation)
            assert evaluate(rewritten, activation) == expected, (name, named)
            if "target" not in source:
                assert expected[1] is None, name


def test_without_evidence_the_evidence_helpers_are_not_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting the calls that reach Python: none but evidence_given() without evidence."""
    from hdsguard.policies import celenv

    calls: list[str] = []
    real = celenv.Context.guard

    def counting(self: Any, name: str, sections: Any, impl: Any) -> Any:
        guarded = real(self, name, sections, impl)

        def counted(*args: Any) -> Any:
            calls.append(name)
            return guarded(*args)

        return counted

    monkeypatch.setattr(celenv.Context, "guard", counting)
    runtime = CelRuntime()
    programs = [runtime.compile(source) for source in EVIDENCE_CALLS]
    for sections, observed in (({"services": [SERVICE]}, False), (EVIDENCE, True)):
        calls.clear()
        runtime.context.bind(datetime.date(2026, 11, 28), sections)
        activation = runtime.activation(
            {"self": SERVICE, "now": "2026-11-28", "target": "services/web"}
        )
        for program in programs:
            assert evaluate(program, activation)[1] is None
        if observed:
            assert set(calls) > {"evidence_given", "evidence_count", "evidence_ports_of"}
        else:
            assert set(calls) == {"evidence_given"}


@pytest.mark.parametrize(
    "source",
    ["evidence_count(self.section)", "evidence_hosts_of(target)", "observed_certificates(x)",
     "evidence_scans(1)", 'evidence_count("a\\"b")'],
)  # fmt: skip
def test_evidence_helpers_with_other_arguments_are_left_as_written(source: str) -> None:
    """An argument whose evaluation could fail, or give another value, is not rewritten."""
    assert inline_helpers(source) == source


def test_the_shipped_rules_evidence_calls_compile_rewritten() -> None:
    """Every text of the shipped catalogue calling these helpers compiles once rewritten, so
    that the rewrite is what runs (the text as written would otherwise, silently)."""
    from hdsguard.policies.inline import worth_scanning

    texts = [
        text
        for path in sorted((REPO / "policies").glob("*.yaml"))
        for text in _expressions(path.read_text())
        if worth_scanning(text) and "(evidence_given() " in inline_helpers(text)
    ]
    assert len(texts) > 10
    for text in texts:
        RUNTIME.env.compile(inline_helpers(text))  # type-checked


def _expressions(text: str) -> list[str]:
    """The conditions and placeholders of a policy file (a rough cut: enough to compile)."""
    import re

    import yaml

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key in ("condition", "applicable_if"):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            # A hidden placeholder, `{{# … }}`, holds an expression after its mark.
            found.extend(
                m.strip().removeprefix("#").strip() for m in re.findall(r"\{\{(.*?)\}\}", node)
            )

    walk(yaml.safe_load(text))
    return found


def test_the_matchers_skipped_for_a_target_name_read_its_section() -> None:
    """A target name's section must be one the matcher's guard allows, else the helper's
    error would become a value."""
    from hdsguard.policies.celenv import SECTIONS_READ

    for name in ("evidence_ports_of", "observed_certificates"):
        text = inline_helpers(f"{name}(target)")
        named = set(re.findall(r'startsWith\("([a-z_]+)/"\)', text))
        assert named
        assert named <= SECTIONS_READ[name]


# -------------------------------------------------------------------------------- worded

FIELDS = [*valuewords.WORDS, "not_listed"]
WORDED_VALUES = st.one_of(
    st.sampled_from([v for words in valuewords.WORDS.values() for v in words]),
    st.sampled_from(["", "Direct", "internet ", "d'accord", 'a "b"']),
    st.text(max_size=6),
    st.integers(0, 9),
    st.none(),
    st.lists(st.just("vpn"), max_size=1),
)


def _runtime_in(lang: str) -> CelRuntime:
    """A runtime whose expressions are compiled while the run is in ``lang`` (a runtime keeps
    what it compiled: one per language)."""
    runtime = CelRuntime()
    with i18n.language(lang):
        for field in FIELDS:
            runtime.compile(f'worded("{field}", self.w)')
    return runtime


RUNTIMES = {lang: _runtime_in(lang) for lang in i18n.LANGUAGES}


@settings(max_examples=200, deadline=None)
@given(value=WORDED_VALUES)
def test_worded_inlined_gives_the_helpers_words(value: Any) -> None:
    """Compiled in either language and evaluated in either: the helper's words for a string
    (the language of the run, never the one compiled), an error both ways for anything else,
    and a missing field the same error."""
    for compiled_in, runtime in RUNTIMES.items():
        for lang in i18n.LANGUAGES:
            with i18n.language(lang):
                for field in FIELDS:
                    source = f'worded("{field}", self.w)'
                    rewritten = runtime.compile(source)
                    as_written = runtime.env.compile(source)
                    for self_ in ({"w": value}, {}):
                        activation = runtime.activation({"self": self_, "now": "2026-11-28"})
                        value_, error = evaluate(rewritten, activation)
                        expected, expected_error = evaluate(as_written, activation)
                        assert value_ == expected, (compiled_in, lang, field)
                        assert error == expected_error, (compiled_in, lang, field)
                        assert (error is None) == ("w" in self_ and isinstance(value, str))


def test_worded_in_the_compiled_language_calls_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """The call converts and leaks its arguments (cel-expr-python 0.1.3): a string value of a
    listed field is worded in CEL when the run is in the language compiled in; the helper is
    still called in the other language."""
    calls: list[tuple[str, str]] = []
    real = valuewords.worded

    def counted(field: str, value: str) -> str:
        calls.append((field, value))
        return real(field, value)

    monkeypatch.setattr(valuewords, "worded", counted)
    for lang in i18n.LANGUAGES:
        runtime = CelRuntime()  # its helpers take the counting `worded`
        with i18n.language(lang):
            program = runtime.compile('worded("via", self.via) + worded("kind", self.kind)')
            calls.clear()
            activation = runtime.activation(
                {"self": {"via": "direct", "kind": "clinic"}, "now": "2026-11-28"}
            )
            assert evaluate(program, activation) == (
                real("via", "direct") + real("kind", "clinic"),
                None,
            )
            assert calls == []
        other = "fr" if lang == "en" else "en"
        with i18n.language(other):
            calls.clear()
            worded = evaluate(program, activation)[0]
            assert worded == real("via", "direct") + real("kind", "clinic")
            assert calls == [("via", "direct"), ("kind", "clinic")]


# ----------------------------------------------------------------- FW-004's helpers by name

FW_CALLS = [
    "any_to_any_alone(target, params.any_values, params.any_port_values)",
    "any_to_any(target, params.any_values, params.any_port_values).rules",
    "internet_to_any(target, params.internet_values, params.any_values, params.any_port_values)",
    "internet_every_port(target, params.internet_values, params.any_values,"
    " params.any_port_values)",
    "any_every_port(target, params.internet_values, params.any_values, params.any_port_values)",
]
FIREWALL = {
    "id": "fw1",
    "internet_facing": True,
    "rules": [
        {"from": "any", "to": "any", "port": "any", "action": "allow"},
        {"from": "internet", "to": "web", "port": "1-65535", "action": "allow"},
        {"from": "wan", "to": "0.0.0.0/0", "port": 443, "action": "allow"},
        {"from": "lan", "to": "dmz", "port": "*", "action": "allow"},
        {"from": "0.0.0.0/0", "to": "db", "action": "allow"},
    ],
}
SPELLINGS = st.one_of(
    st.lists(st.sampled_from(["any", "all", "*", "0.0.0.0/0", "internet", "wan", "1-65535"])),
    st.lists(st.one_of(st.sampled_from(["any", "*"]), st.integers(0, 3)), max_size=3),
    st.sampled_from(["any", 3, None]),
)


@settings(max_examples=100, deadline=None)
@given(
    any_values=SPELLINGS,
    any_ports=SPELLINGS,
    internet=SPELLINGS,
    bound=st.booleans(),
    facing=st.sampled_from([True, False, None]),
    under_evaluation=st.booleans(),
)
def test_fw004_helpers_by_name_give_the_helpers_value(
    any_values: Any,
    any_ports: Any,
    internet: Any,
    bound: bool,
    facing: bool | None,
    under_evaluation: bool,
) -> None:
    """Given the policy and its parameters' names (the lists read from the run's
    parameters) and as written (the lists converted at each call): the same value, or an
    error both ways; the parameters not bound (no engine) or another target under
    evaluation, the call as written."""
    from hdsguard.policies.celenv import scope_to_policy

    params = {
        "any_values": any_values,
        "any_port_values": any_ports,
        "internet_values": internet,
    }
    firewall = {k: v for k, v in FIREWALL.items() if k != "internet_facing"}
    if facing is not None:  # any_every_port reads a firewall that does not say
        firewall["internet_facing"] = facing
    runtime = CelRuntime()
    for source in FW_CALLS:
        rewritten = runtime.compile(source, "FW-004")
        as_written = runtime.env.compile(scope_to_policy(source, "FW-004"))
        for program in (rewritten, as_written):
            runtime.context.bind(
                datetime.date(2026, 11, 28),
                {"firewalls": [firewall]},
                None,
                {"FW-004": params} if bound else None,
            )
            name = "firewalls/fw1" if under_evaluation else "firewalls/other"
            runtime.context.evaluating(name, firewall)
            activation = runtime.activation(
                {
                    "self": firewall,
                    "params": {"FW-004": params},
                    "now": "2026-11-28",
                    "target": "firewalls/fw1",
                }
            )
            if program is rewritten:
                got = evaluate(program, activation)
            else:
                expected = evaluate(program, activation)
        assert got == expected, source
        listed = all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in params.values()
        )
        if listed and under_evaluation:
            assert got[1] is None, source


def test_fw004_helpers_are_given_names_not_lists() -> None:
    rewritten = inline_helpers(FW_CALLS[0], "FW-004")
    assert 'hds_any_to_any_alone("FW-004 any_values any_port_values")' in rewritten
    assert rewritten.count("any_to_any_alone(target, hds_p0, hds_p1)") == 1  # the fallback
    assert inline_helpers(FW_CALLS[0]) == FW_CALLS[0]  # no policy: as written
    assert inline_helpers("any_to_any_alone(self.rules, params.a, params.b)", "P") == (
        "any_to_any_alone(self.rules, params.a, params.b)"
    )


# ---------------------------------------------------------------------------- when(words, c)


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.booleans(), st.text(max_size=3), st.integers(), st.none()))
def test_when_inlined_gives_the_helpers_value(value: Any) -> None:
    """The condition itself for a boolean; the helper's error for anything else, and a
    missing field the same error."""
    for source in ('when("the words", self.c)', "when('it (is) so', self.c) && true"):
        rewritten = RUNTIME.compile(source)
        as_written = RUNTIME.env.compile(source)
        for self_ in ({"c": value}, {}):
            activation = RUNTIME.activation({"self": self_, "now": "2026-11-28"})
            assert evaluate(rewritten, activation) == evaluate(as_written, activation)


def test_when_with_a_boolean_calls_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """The call converts and leaks its words (cel-expr-python 0.1.3); the words of a
    string literal stay in the compiled text, for the rule help."""
    from hdsguard.policies import celenv

    calls: list[tuple[Any, ...]] = []
    real = celenv._functions

    def counting(ctx: Any) -> Any:
        out = []
        for name, params, returns, impl in real(ctx):
            if name == "when":
                impl = lambda *args, _impl=impl: calls.append(args) or _impl(*args)  # noqa: E731
            out.append((name, params, returns, impl))
        return out

    monkeypatch.setattr(celenv, "_functions", counting)
    runtime = CelRuntime()
    program = runtime.compile('when("the words", self.c > 1) ? "a" : "b"')
    activation = runtime.activation({"self": {"c": 2}, "now": "2026-11-28"})
    assert evaluate(program, activation) == ("a", None)
    assert calls == []
    assert 'when("the words", hds_when)' in inline_helpers('when("the words", self.c > 1)')
    # Words that are not one string literal: the call as written.
    assert inline_helpers('when("a" + "b", self.c)') == 'when("a" + "b", self.c)'
    odd = runtime.compile('when("w", self.c)')  # a string: no overload, an error
    assert evaluate(odd, runtime.activation({"self": {"c": "x"}, "now": "2026-11-28"}))[1]


@pytest.mark.parametrize(
    ("source", "rewritten"),
    [(r'when("the \"words\"", x)', True), ("when('''it's so''', x)", True),
     ('when("a" + "b", x)', False), ("when(words, x)", False),
     ('worded("via", x)', True), ("worded('via', x)", True), ('worded("""via""", x)', False),
     (r'worded("v\x69a", x)', False), ('worded("vi" + "a", x)', False),
     ('worded("host", x)', False)],
)  # fmt: skip
def test_when_and_worded_rewrite_calls_given_one_string_literal(
    source: str, rewritten: bool
) -> None:
    """One test of "one string literal" for both: any for the words of `when`, which the
    help reads; for `worded`, one whose text is a field it words (no quote nor escape)."""
    assert (inline_helpers(source) != source) is rewritten


# ------------------------------------------- helpers given the target's own name or field


OWN_DECL: dict[str, Any] = {
    "providers": [
        {"id": "p1", "name": "P1", "services": ["iaas"],
         "hds": {"certificate": "C-1", "certifier": "TBD", "activities": [1, 2],
                 "valid_from": "2024-01-01", "valid_until": "2026-01-01"}},
        {"id": "p2", "name": "P2", "hosted_by": "p1"},
    ],
    "systems": [{"id": "s1", "hosted_by": "p1", "backup": {"provider": "p2", "site": "N/A"}}],
    "certificates": [{"id": "c1", "subject": "x"}],
    "vendors": [{"id": "v1", "hosted_by": "p2", "country": "FR"}],
}  # fmt: skip
# Values of a field: a string the sections know, one they do not, a placeholder, another type.
FIELD_VALUES = st.one_of(
    st.sampled_from(["p1", "p2", "s1", "c1", "nope", "TBD", "", "1.2", "2024-05-01",
                     "sha256WithRSAEncryption", "sha1WithRSAEncryption", "FR", "US"]),
    st.integers(0, 3),
    st.none(),
)  # fmt: skip


def _own_cases() -> list[tuple[str, str | None]]:
    from hdsguard.policies.owntwins import OWN_PATHS, OWN_TARGET

    return [(name, None) for name in OWN_TARGET] + [
        (name, path) for name, paths in OWN_PATHS.items() for path in paths
    ]


def _at(path: str, value: Any) -> dict[str, Any]:
    """An object with ``value`` at ``path`` (none there for None)."""
    obj: dict[str, Any] = {"id": "p1"}
    if value is None:
        return obj
    *parents, leaf = path.split(".")
    node = obj
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return obj


# A text whose call is not on the target under evaluation: the call inside a comprehension
# that binds `self` or `target` to another value (`{}` stands for the call).
REBINDING = [
    "{}",
    "cel.bind(self, decl.providers[1], {})",
    'cel.bind(target, "providers/p2", {})',
    "decl.providers.map(self, {})",
    '["providers/p2", target].map(target, {})',
    "decl.systems.map(s, cel.bind((self), s, {}))",
    'decl.vendors.exists(self, dyn({}) == "x") ? 1 : 2',
]


@pytest.mark.parametrize(("helper", "path"), _own_cases())
@settings(max_examples=25, deadline=None)
@given(value=FIELD_VALUES, section=st.sampled_from(["providers", "systems", "vendors"]),
       around=st.sampled_from(REBINDING))  # fmt: skip
def test_helpers_given_the_targets_own_name_or_field_give_the_helpers_value(
    helper: str, path: str | None, value: Any, section: str, around: str
) -> None:
    """The twin without arguments (the target under evaluation) and the helper as written:
    the same value, or the same error, whatever the field holds, and in a text that binds
    `self` or `target` to another object (the helper is called: a twin read the target's
    own field there, `provider(self.hosted_by)` of the providers giving the target's
    provider for each)."""
    call = f"{helper}(target)" if path is None else f"{helper}(self.{path})"
    source = around.format(call)
    obj = OWN_DECL[section][0] if path is None else _at(path, value)
    target = f"{section}/{obj['id']}"
    rewritten = RUNTIME.compile(source)
    as_written = RUNTIME.env.compile(source)
    assert "hds_own_" in inline_helpers(call)
    results = []
    for program in (rewritten, as_written):
        RUNTIME.context.bind(datetime.date(2026, 11, 28), OWN_DECL)
        RUNTIME.context.evaluating(target, obj)  # as the engine names it
        activation = RUNTIME.activation(
            {"self": obj, "params": {}, "now": "2026-11-28", "target": target, "decl": OWN_DECL}
        )
        results.append(evaluate(program, activation))
    assert results[0] == results[1], source


def test_the_target_under_evaluation_calls_the_twin_not_the_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A call with an argument leaks it (cel-expr-python 0.1.3): the target's own name or
    field is read in Python by the twin, the helper is called for any other target."""
    from hdsguard.policies import celenv

    calls: list[str] = []
    real = celenv._functions

    def counting(ctx: Any) -> Any:
        out = []
        for name, params, returns, impl in real(ctx):
            if params:  # a helper given arguments
                impl = lambda *a, _f=impl, _n=name: calls.append(_n) or _f(*a)  # noqa: E731
            out.append((name, params, returns, impl))
        return out

    monkeypatch.setattr(celenv, "_functions", counting)
    runtime = CelRuntime()
    source = "provider(self.hosted_by).name + string(size(hds_flaws(target)))"
    program = runtime.compile(source)
    obj = OWN_DECL["systems"][0]
    runtime.context.bind(datetime.date(2026, 11, 28), OWN_DECL)
    activation = runtime.activation(
        {"self": obj, "params": {}, "now": "2026-11-28", "target": "systems/s1", "decl": OWN_DECL}
    )
    assert evaluate(program, activation) == ("P11", None)  # one flaw: no `hds` block
    assert calls == []
    # `self` and `target` bound to other values: the helpers, given them.
    rebinding = runtime.compile(
        'decl.vendors.map(self, cel.bind(target, "vendors/" + self.id, '
        "provider(self.hosted_by).name + string(size(hds_flaws(target)))))"
    )
    assert evaluate(rebinding, activation)[0] is None  # hds_flaws refuses another target
    assert calls == ["provider", "hds_flaws"]
    calls.clear()
    # The same call where only the comprehension's own variable is bound: the twins.
    other = runtime.compile(f"decl.vendors.map(v, {source})")
    assert evaluate(other, activation) == (["P11"], None)
    assert calls == []


REBINDING_POLICY = """
id: ACME-002
title: Every system's provider is named
severity: low
applies_to: systems
description: A rule reading the other systems through `self`.
rationale: A twin read the target's own field where `self` was another system.
remediation: Name the provider.
references: [internal policy 12]
condition: decl.systems.all(self, provider(self.hosted_by).name != "Bad")
message: a system's provider is Bad
tests:
  - name: bad
    as_of: 2026-11-28
    declarations:
      providers: [{id: p1, name: Good}, {id: p2, name: Bad}]
      systems: [{id: a, name: A, hosted_by: p1}, {id: b, name: B, hosted_by: p2}]
    target: systems/a
    expect: fail
  - name: good
    as_of: 2026-11-28
    declarations:
      providers: [{id: p1, name: Good}]
      systems: [{id: a, name: A, hosted_by: p1}]
    expect: pass
"""


def test_a_rule_that_binds_self_to_another_object_reads_that_objects_field(tree: Any) -> None:
    """`decl.systems.all(self, provider(self.hosted_by)…)`: each system's provider, not the
    target's own each time (a twin reads the target under evaluation; its call gave s1 a
    pass, its own provider being Good)."""
    tree(
        {
            "pol/acme.yaml": REBINDING_POLICY,
            "d/estate.yaml": "providers:\n  - {id: p1, name: Good}\n  - {id: p2, name: Bad}\n"
            "systems:\n  - {id: s1, name: S1, hosted_by: p1}\n"
            "  - {id: s2, name: S2, hosted_by: p2}\n",
        }
    )
    result = run_cli(["check", "d", "--policies", "pol", "--as-of", AS_OF, "--format", "json"])
    acme = [(f["target"], f["status"]) for f in findings_of(result) if f["rule"] == "ACME-002"]
    assert acme == [("systems/s1", "fail"), ("systems/s2", "fail")]


def test_the_shipped_rules_give_no_argument_to_these_helpers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check of the shipped examples calls none of the helpers whose arguments the
    catalogue's rules used to leak at every call: FW-004's lists, when()'s words, the
    target's own name or field (counted by helper and argument)."""
    from hdsguard.api import CheckOptions, check
    from hdsguard.policies import celenv
    from tests.helpers import use_cache

    use_cache(monkeypatch, None)
    calls: dict[str, int] = {}
    real = celenv._functions

    def counting(ctx: Any) -> Any:
        out = []
        for name, params, returns, impl in real(ctx):
            if params:

                def counted(*args: Any, _f: Any = impl, _n: str = name) -> Any:
                    calls[_n] = calls.get(_n, 0) + 1
                    return _f(*args)

                impl = counted
            out.append((name, params, returns, impl))
        return out

    monkeypatch.setattr(celenv, "_functions", counting)
    monkeypatch.setenv("HDSGUARD_JOBS", "1")
    examples = [str(REPO / "examples" / name) for name in ("hospital", "lab-group")]
    for folder in examples:
        check([folder], CheckOptions(as_of=datetime.date(2026, 11, 28)))
    leaking = {
        "any_to_any", "any_to_any_alone", "internet_to_any", "internet_every_port",
        "any_every_port", "when", "hds_flaws", "hds_flaw_text", "activities_needed",
        "health_data_at", "certificate", "system", "is_sha2",
    }  # fmt: skip
    assert calls, "nothing counted"
    assert not {name: n for name, n in calls.items() if name in leaking}


@settings(max_examples=50, deadline=None)
@given(
    names=st.lists(
        st.sampled_from(["backup", "iaas", "paas", "saas", "hosting", "nope", "Backup"]),
        min_size=1,
        max_size=4,
    )
)
def test_required_activities_of_literals_is_the_helpers_list(names: list[str]) -> None:
    """A list of string literals: the helper's activities, written in the program (the call
    leaked its list at each of 3,008 calls at 10k objects)."""
    source = "required_activities([" + ", ".join(f'"{n}"' for n in names) + "])"
    assert "required_activities" not in inline_helpers(source)
    rewritten = RUNTIME.compile(source)
    as_written = RUNTIME.env.compile(source)
    activation = RUNTIME.activation({"now": "2026-11-28"})
    assert evaluate(rewritten, activation) == evaluate(as_written, activation)
    assert inline_helpers("required_activities(self.services)") == (
        "required_activities(self.services)"
    )
