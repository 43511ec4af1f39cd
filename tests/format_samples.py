"""Reports shared by the output-format tests (tests/test_fmt_*.py, tests/test_outputs.py).

``sample_report()`` is built by hand so that the golden files do not move when the built-in
catalogue or the engine's wording changes: it holds every status, a waiver, a baselined
failure, a finding without a file and a path with a space. ``nasty_report()`` carries the
characters that break formats (pipes, backticks, ``<script>``, newlines, ``%``, ``::``, an ESC
sequence). ``fixture_report()`` evaluates tests/fixtures/formats through the library, keeping
only the findings of the fixture's own ``FMT-*`` policies.
"""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

from hdsguard.findings import Finding, Report, RuleInfo, Severity, Status, Waiver

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "formats"
AS_OF = "2026-11-28"
DOCS = "https://github.com/hdsguard/hdsguard/blob/main/docs/policies.md"


def rule(rule_id: str, title: str, severity: Severity, *tags: str) -> RuleInfo:
    return RuleInfo(
        id=rule_id,
        title=title,
        severity=severity,
        description=f"{title} (description).",
        rationale=f"Why {title.lower()} matters.",
        remediation="Fix {{ self.id }} and update `last_patch`.",
        references=(f"ISO/IEC 27001:2022 Annex A 8.{rule_id[-1]}",),
        tags=tags,
        help_uri=f"{DOCS}#{rule_id.lower()}",
    )


RULES = {
    r.id: r
    for r in (
        rule("SMP-001", "Firewall patched recently", Severity.HIGH, "firewalls", "patching"),
        rule("SMP-002", "MFA for administrators", Severity.CRITICAL, "identity"),
        rule("SMP-003", "Certificate not expiring soon", Severity.MEDIUM, "tls"),
        rule("SMP-004", "Vendor audited", Severity.LOW, "vendors"),
        rule("SMP-005", "Firmware recorded", Severity.INFO),
    )
}


def finding(
    rule_id: str,
    status: Status,
    target: str,
    where: tuple[str, int, int] | None,
    message: str,
    **extra: object,
) -> Finding:
    file, line, column = where if where else (None, None, None)
    base = Finding(
        rule=rule_id,
        status=status,
        severity=RULES[rule_id].severity if rule_id in RULES else Severity.HIGH,
        target=target,
        file=file,
        line=line,
        column=column,
        message=message,
        remediation=f"Fix {target.rsplit('/', 1)[-1]}.",
        references=RULES[rule_id].references if rule_id in RULES else (),
    )
    return base._replace(**extra)  # type: ignore[arg-type]


WAIVER = Waiver(
    justification="Replacement ordered; the DMZ firewall is isolated until then",
    owner="Infrastructure team",
    approver="RSSI",
    expires="2027-01-31",
    ticket="CHG-1234",
)


def sample_report() -> Report:
    fw = "infra/firewalls.yaml"
    findings = (
        finding("SMP-001", Status.PASS, "firewalls/fw-core-1", (fw, 9, 5), "patched 2026-10-20"),
        finding("SMP-001", Status.WAIVED, "firewalls/fw-dmz-1", (fw, 14, 5), "patched 2025-01-10",
                waiver=WAIVER),
        finding("SMP-001", Status.FAIL, "firewalls/fw-edge-1", (fw, 6, 17), "patched 2025-06-02"),
        finding("SMP-001", Status.FAIL, "firewalls/fw-old-1", (fw, 20, 17), "patched 2024-01-02",
                baselined=True),
        finding("SMP-002", Status.FAIL, "identity", None, "evidence missing: `mfa_admin`"),
        finding("SMP-003", Status.PASS, "certificates/intranet", ("infra/certs.yaml", 8, 16),
                "valid until 2027-06-30"),
        finding("SMP-003", Status.WARN, "certificates/portal", ("infra/certs.yaml", 3, 16),
                "expires on 2026-12-10, in 12 days"),
        finding("SMP-004", Status.NOT_APPLICABLE, "vendors/cleaning", None, "no health data"),
        finding("SMP-004", Status.FAIL, "vendors/tana", ("infra/vendor files/tana.yaml", 2, 5),
                "never audited"),
        finding("SMP-005", Status.ERROR, "firewalls/fw-edge-1", (fw, 4, 5),
                "condition could not be evaluated: no such key: firmware"),
    )  # fmt: skip
    return Report(
        tool_version="0.0.0-test",
        as_of=AS_OF,
        findings=findings,
        rules=RULES,
        data_versions={"countries": "2026-10-01"},
        notices=("waiver SMP-001 firewalls/fw-dmz-1 expires in 64 days",),
    )


NASTY = (
    "a|b `code` <script>alert(1)</script> 100% ::error::x\n::warning::y\r\n"
    "\x1b[31mred\x1b[0m @admin [l](u) & *e* _u_ ]]> \\ \x85"
)


def nasty_report() -> Report:
    target = "firewalls/fw|`<b>`,:%\x1b[31m"
    findings = (
        finding("SMP-001", Status.FAIL, target, ("in fra/a,b:c%|`<x>`.yaml", 3, 4), NASTY,
                remediation=NASTY),
        finding("SMP-001", Status.PASS, "firewalls/ok|\n", ("in fra/a.yaml", 1, 1), NASTY),
        finding("SMP-003", Status.WARN, target, None, NASTY),
        finding("SMP-004", Status.NOT_APPLICABLE, target, None, NASTY),
        finding("SMP-005", Status.ERROR, target, None, NASTY),
        finding("SMP-002", Status.WAIVED, "identity", None, NASTY,
                waiver=Waiver(NASTY, NASTY, NASTY, "2027-01-31", NASTY)),
    )  # fmt: skip
    nasty_rules = {**RULES, "SMP-001": RULES["SMP-001"]._replace(title=NASTY, description=NASTY)}
    return Report("0.0.0-test", AS_OF, findings, nasty_rules, notices=(NASTY,))


def empty_report() -> Report:
    return Report("0.0.0-test", AS_OF, ())


def fixture_report() -> Report:
    """tests/fixtures/formats evaluated through the library, FMT-* findings only."""
    from hdsguard.api import CheckOptions, check

    rules = frozenset(f"FMT-00{n}" for n in range(1, 6))
    options = CheckOptions(
        as_of=datetime.date.fromisoformat(AS_OF), policy_dirs=(FIXTURE / "policies",), only=rules
    )
    report = check([str(FIXTURE / "declarations")], options)
    return Report(
        tool_version=report.tool_version,
        as_of=report.as_of,
        findings=tuple(f for f in report.findings if f.rule.startswith("FMT-")),
        rules={k: v for k, v in report.rules.items() if k.startswith("FMT-")},
    )


# Texts the XML escaping and the visible escapes treat differently: markup, the end of a CDATA
# section, quotes, control characters (NUL, ESC, C1), line breaks, lone surrogates, the two
# non-characters, and plain text.
HOSTILE = [
    "plain text",
    "a & b <c> \"q\" 'a'",
    "]]>",
    "nul\x00x \x1b[31m \x85",
    "line\nbreak\r\nand\ttab",
    "lone \ud800 surrogate \ufffe\uffff \u2028",
    "é漢😀",
]


def repeated_report() -> Report:
    """Failing, passing and not-applicable findings, located or not, with hostile text in
    every field a writer escapes, each text repeated over many findings (the JUnit and SARIF
    writers escape each message, target and file once for the report)."""
    found = [
        Finding(
            rule, status, Severity.HIGH, f"{target}-{i}" if i % 2 else target,
            file if i % 3 else None, 3 + i, 7, message, remediation if i % 4 else "",
            ("ref <1> & ]]>", HOSTILE[i % len(HOSTILE)]),
        )
        for i, (rule, status, target, file, message, remediation) in enumerate(
            itertools.product(
                ["R-1", "R&<2>"], [Status.FAIL, Status.PASS, Status.NOT_APPLICABLE],
                HOSTILE[::2], HOSTILE[1::2], HOSTILE, HOSTILE[::3],
            )
        )
    ]  # fmt: skip
    return Report("0", "2026-11-28", tuple(found))
