"""Policies local in a run without evidence: the helpers they may call, and the memo.

A policy whose only reads of other objects go through the evidence helpers is memoized like a
local one in a run given no evidence file (policies/locality.py). That is sound only when each
of those helpers, with every evidence section empty, answers the same whatever the other
objects declare: checked here helper by helper, on two estates that share only the argument.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hdsguard import engine
from hdsguard.api import CheckOptions, check, load_policies
from hdsguard.declarations.sections import EVIDENCE_SECTIONS
from hdsguard.declarations.sections import SECTIONS as DECLARED
from hdsguard.evidence.view import SECTIONS
from hdsguard.policies.celenv import (
    COUNTED,
    SECTIONS_READ,
    CelRuntime,
    Context,
    SectionNotAllowed,
    _functions,
    evaluate,
)
from hdsguard.policies.load import CompiledPolicy
from hdsguard.policies.locality import EVIDENCE_HELPERS, LOCAL_HELPERS, classify
from tests.helpers import REPO, run_cli, use_cache

AS_OF = datetime.date(2026, 11, 28)

SERVICE = {"id": "web", "host": "www.example.fr", "port": 443, "software": {"name": "nginx"},
           "tls": {"certificate": "c1"}}  # fmt: skip
CERTIFICATE = {"id": "c1", "subject": "www.example.fr"}
VULNERABILITY = {"cve": "CVE-2024-0001", "kev": True, "kev_added": "2024-01-02"}

# Each helper called as the built-in rules call it (a target name or an object).
CALLS = {
    "evidence_ports_of": "evidence_ports_of(target)",
    "evidence_hosts_of": "evidence_hosts_of(self)",
    "observed_certificates": "observed_certificates(decl.certificates[0])",
    "predating_certificates": "predating_certificates(decl.certificates[0])",
    "declared_certificates": "declared_certificates({'id': 'x', 'sha256': 'ab'})",
    "kev_entries": "kev_entries('nginx')",
    "kev_entries_of": "kev_entries_of('Fortinet', 'FortiOS')",
    "kev_entry": "kev_entry('CVE-2024-0001')",
    "kev_added": "kev_added({'cve': 'CVE-2024-0001', 'kev': true, 'kev_added': '2024-01-02'})",
    "hds_registry_entry": "hds_registry_entry('HDS-123')",
    "evidence_files": "evidence_files()",
    "evidence_scans": "evidence_scans()",
    "evidence_count": "[evidence_count('services'), evidence_count('evidence_ports')]",
    "evidence_given": "evidence_given()",
}


def _estate(other: bool) -> dict[str, Any]:
    """The same service and certificate; everything else declared differently (or not)."""
    data: dict[str, Any] = {name: [] for name in SECTIONS}
    data["services"] = [SERVICE]
    data["certificates"] = [CERTIFICATE]
    if other:
        data["services"].append({**SERVICE, "id": "api", "tls": {"certificate": "c2"}})
        data["certificates"].append({"id": "c2", "subject": "www.example.fr", "sha256": "ab"})
        data["firewalls"] = [{"id": "fw", "vendor": "Fortinet", "firmware": {"product": "FortiOS"}}]
        data["providers"] = [{"id": "HDS-123", "hds": {"certificate": "HDS-123"}}]
        data["systems"] = [{"id": "s", "vulnerabilities": [VULNERABILITY]}]
    return data


def _value(call: str, data: dict[str, Any]) -> Any:
    runtime = CelRuntime()
    runtime.context.bind(AS_OF, data)
    activation = runtime.activation(
        {"self": SERVICE, "params": {}, "now": AS_OF.isoformat(), "target": "services/web",
         "decl": data}
    )  # fmt: skip
    return runtime.compile(call).eval(activation).plain_value()


def test_every_evidence_helper_is_checked_here() -> None:
    assert set(CALLS) == EVIDENCE_HELPERS
    assert not EVIDENCE_HELPERS & LOCAL_HELPERS


@pytest.mark.parametrize("helper", sorted(CALLS))
def test_without_evidence_a_helper_reads_only_its_argument(helper: str) -> None:
    assert _value(CALLS[helper], _estate(False)) == _value(CALLS[helper], _estate(True))


def test_evidence_count_counts_evidence_sections_only() -> None:
    data = _estate(True)
    data["evidence_ports"] = [{"id": "p1"}, {"id": "p2"}]
    assert _value(CALLS["evidence_count"], data) == [0, 2]


def _catalogue() -> dict[str, CompiledPolicy]:
    return load_policies()[1]


def test_the_evidence_rules_are_local_only_without_evidence() -> None:
    catalogue = _catalogue()
    without = {pid for pid, p in catalogue.items() if p.local_without_evidence and not p.local}
    # EVD-001 looks up the declared services of an observed port (services_at); BKP-005,
    # EXP-*, HDS-*, IAM-008 and VND-* follow references to other objects.
    expected = {"EVD-002", "EVD-003", "EVD-005", "EVD-006", "EVD-007", "EVD-008", "EVD-009",
                "EVD-010", "EVD-011", "EVD-012", "EVD-013", "PAT-003"}  # fmt: skip
    assert without == expected
    assert all(catalogue[pid].local_in(False) and not catalogue[pid].local_in(True)
               for pid in expected)  # fmt: skip


def _evaluated(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(policy, object id) of each pair the engine evaluates from now on."""
    seen: list[tuple[str, str]] = []
    original: Callable[..., Any] = engine._verdict

    def counting(policy: CompiledPolicy, activation: Any) -> Any:
        seen.append((policy.id, ""))
        return original(policy, activation)

    monkeypatch.setattr(engine, "_verdict", counting)
    return seen


def test_a_warm_run_without_evidence_does_not_evaluate_evidence_rules_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "examples" / "lab-group", tmp_path / "lab")
    lab = [str(tmp_path / "lab")]
    options = CheckOptions(as_of=AS_OF)
    first = check(lab, options)
    # A file holding neither services nor firewalls changes: the rules that follow references
    # run again on the whole set, the evidence rules (services, firewalls) on no file.
    systems = tmp_path / "lab" / "systems.yaml"
    systems.write_text(systems.read_text() + "# reviewed\n")
    seen = _evaluated(monkeypatch)
    second = check(lab, options)
    assert second.findings == first.findings
    assert seen  # the rules that follow references still run
    assert not {pid for pid, _ in seen} & {"EVD-002", "EVD-003", "PAT-003"}


def test_runs_with_and_without_evidence_never_share_memo_entries(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = tmp_path / "lab"
    shutil.copytree(REPO / "examples" / "lab-group", lab)
    evidence = str(lab / "evidence")

    def json_report(*extra: str) -> str:
        args = ["check", str(lab), "--as-of", "2026-11-28", "--format", "json", *extra]
        result = run_cli(args)
        assert result.exit_code in (0, 1), result.stderr
        return result.stdout

    # Without, with, without again, with again: each as a run without any cache gives it.
    runs = [json_report(), json_report("--evidence", evidence)]
    runs += [json_report(), json_report("--evidence", evidence)]
    use_cache(monkeypatch, None)
    assert runs == [json_report(), json_report("--evidence", evidence)] * 2
    assert runs[0] != runs[1]


# --- the sections each helper reads: a table, enforced ------------------------------------


def test_every_helper_has_an_entry_naming_real_sections() -> None:
    assert {name for name, *_ in _functions(Context())} == set(SECTIONS_READ)
    known = set(DECLARED) | set(EVIDENCE_SECTIONS)
    assert all(
        {s.removesuffix(COUNTED) for s in sections} <= known for sections in SECTIONS_READ.values()
    )
    assert {name for name, sections in SECTIONS_READ.items() if not sections} == LOCAL_HELPERS


def test_the_rules_that_follow_references_read_these_sections() -> None:
    reads = {pid: p.reads for pid, p in _catalogue().items() if not p.local_in(False)}
    assert reads == {
        "BIO-001": ("organisation",),  # organisation_kind(): a hospital runs such devices
        "BKP-005": ("providers",),
        "EVD-001": ("evidence_ports", "services"),
        # services_count(): whether the inventory is declared, and how many: a counted read
        "EXP-006": ("services#count",),
        "IAM-001": ("services",),  # services_without_mfa(): a service may deny mfa_admin: true
        "TLS-004": ("certificates",),  # certificate(): the one the exposed service presents
        **dict.fromkeys(("EXP-002", "EXP-007", "IAM-008"), ("systems",)),
        # the Internet services it runs itself, the firewalls in front of them
        "FW-005": ("firewalls", "services", "systems"),
        # the systems; whether vendors and certificates are declared; the services speaking TLS
        "GOV-011": ("certificates#count", "services", "systems", "vendors#count"),
        # health_data_at() follows the providers running on a provider (`hosted_by`)
        **dict.fromkeys(
            ("HDS-001", "HDS-002", "HDS-006", "HDS-007", "HDS-008", "HDS-009", "VND-002"),
            ("providers", "systems", "vendors"),
        ),
    }


@pytest.mark.parametrize(
    ("source", "reads"),
    [
        ("self.name == 'x'", ()),
        ("provider(self.hosted_by).name == 'x'", ("providers",)),
        (
            "size(health_data_at(self.id)) > 0 && system('s') != null",
            ("providers", "systems", "vendors"),
        ),
        ("size(evidence_ports_of(target)) == 0", ()),  # evidence: empty in such a run
        ("decl.providers.size() > 0", None),  # the whole set
    ],
)
def test_the_sections_an_expression_reads(source: str, reads: tuple[str, ...] | None) -> None:
    assert classify([CelRuntime().compile(source, "X-001")]).reads == reads


def _bound(data: dict[str, Any]) -> tuple[CelRuntime, Any]:
    runtime = CelRuntime()
    runtime.context.bind(AS_OF, data)
    activation = runtime.activation(
        {"self": {}, "params": {}, "now": AS_OF.isoformat(), "target": "providers/p",
         "decl": data}
    )  # fmt: skip
    return runtime, activation


HOSTING = {
    "providers": [{"id": "p", "name": "P"}],
    "systems": [{"id": "s", "hosted_by": "p"}],
    "vendors": [{"id": "v", "hosted_by": "p"}],
}


def test_a_helper_reading_a_section_its_entry_does_not_name_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime, activation = _bound(HOSTING)
    assert evaluate(runtime.compile("health_data_at('p')"), activation)[1] is None
    monkeypatch.setitem(SECTIONS_READ, "health_data_at", frozenset({"systems"}))
    runtime, activation = _bound(HOSTING)
    value, error = evaluate(runtime.compile("health_data_at('p')"), activation)
    assert value is None and error is not None
    assert "health_data_at read the section 'vendors'" in error
    # A helper said to read nothing is given nothing.
    monkeypatch.setitem(SECTIONS_READ, "provider", frozenset())
    runtime, activation = _bound(HOSTING)
    error = evaluate(runtime.compile("provider('p').name == 'P'"), activation)[1]
    assert error is not None and "read the section 'providers'" in error


def test_a_helper_reading_too_much_makes_its_pairs_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_cache(monkeypatch, None)
    lab = [str(REPO / "examples" / "lab-group")]
    before = {f.target: f.status.value for f in check(lab, CheckOptions(as_of=AS_OF)).findings
              if f.rule == "HDS-001"}  # fmt: skip
    assert "error" not in before.values()
    monkeypatch.setitem(SECTIONS_READ, "health_data_at", frozenset({"systems"}))
    after = [f for f in check(lab, CheckOptions(as_of=AS_OF)).findings if f.rule == "HDS-001"]
    assert {f.target for f in after} == set(before)
    assert {f.status.value for f in after} == {"error"}
    assert all("read the section 'vendors'" in f.message for f in after)


def test_a_nested_helper_call_gives_back_the_sections_of_the_outer_one() -> None:
    context = Context()
    context.bind(AS_OF, HOSTING)
    seen: list[frozenset[str]] = []

    def inner() -> Any:
        seen.append(context.allowed)
        return context.lookup("systems", "s")

    def outer() -> Any:
        found = context.guard("inner", frozenset({"systems"}), inner)()
        seen.append(context.allowed)
        with pytest.raises(SectionNotAllowed):
            context.lookup("systems", "s")
        return found, context.lookup("providers", "p")

    assert context.guard("outer", frozenset({"providers"}), outer)() == (
        HOSTING["systems"][0],
        HOSTING["providers"][0],
    )
    assert seen == [frozenset({"systems"}), frozenset({"providers"})]
    assert context.allowed == frozenset()  # outside any helper: nothing
    with pytest.raises(SectionNotAllowed):
        context.section("providers")


def test_expressions_skipped_undecoded_reach_what_decoding_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An expression whose bytes hold no helper overload, non-local global or qualified local
    name is not decoded (locality._MAY_REACH): for every expression of the built-in
    catalogue, and for texts that hold those names only inside strings, the answer is the
    full decoding's."""
    from hdsguard.policies import locality

    blobs: list[bytes] = []
    original = locality._reach

    def keeping(expr: Any) -> frozenset[str]:
        blobs.append(expr.serialize())
        return original(expr)

    monkeypatch.setattr(locality, "_reach", keeping)
    use_cache(monkeypatch, tmp_path)  # compiled here, not read back
    load_policies(())
    runtime = CelRuntime()
    for source in (
        "'decl' + self.id == 'x'",
        "'hds_provider' == self.name",
        "'self.x' == self.id",
        "self.name == 'x'",
        "provider(self.hosted_by).name == 'x'",
        "decl.providers.size() > 0",
    ):
        blobs.append(runtime.compile(source).serialize())
    skipped = [b for b in blobs if locality._MAY_REACH.search(b) is None]
    # Nearly half are never decoded (three in four while every placeholder a template's list
    # renders was also compiled alone, most of them `self.x`).
    assert len(skipped) > len(blobs) * 2 // 5
    for blob in blobs:
        expr = runtime.env.deserialize(blob)
        assert original(expr) == locality._decoded_reach(blob)
