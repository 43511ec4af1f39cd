"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` describes every evaluated rule once; one result per finding that
needs attention (``fail``, ``warn``, ``error``), plus waived findings as *suppressed* results
carrying the waiver's justification. Passes and not-applicable findings are not results: the
JSON report keeps that evidence.

Result ``level``:

=========================  ===========
finding                    level
=========================  ===========
fail, critical or high     ``error``
fail, medium or low        ``warning``
fail, info                 ``note``
warn                       ``warning``
error (rule not evaluated) ``error``
waived                     as the fail it waives, plus ``suppressions``
=========================  ===========

A baselined finding (``check --baseline``) keeps its level and gets
``baselineState: unchanged``; report notices become tool execution notifications.

GitHub ranks alerts by the rule's ``security-severity`` (critical 9.5, high 8.0, medium 5.5,
low 3.0, info 0.0), which needs the ``security`` tag that every rule carries here.

Locations: ``file`` is relative to the current directory and is written as a URI relative to
``%SRCROOT%``, so run hdsguard from the repository root. ``run.originalUriBaseIds`` declares
``%SRCROOT%`` with a description only, no ``uri`` (SARIF 2.1.0 §3.14.14 allows it): the
absolute path of the current directory would name the machine's directory and change the
bytes from one checkout to another. A finding with no file (a singleton
section that is not declared) gets a logical location named after its target; GitHub does not
display results without a physical location. ``partialFingerprints`` hash (rule, target), so an
alert keeps its identity when lines move. The output holds no timestamp and is sorted: the
same report always gives the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

from hdsguard.findings import Finding, Report, RuleInfo, Severity, Status, sort_findings
from hdsguard.formatters import RenderOptions, Write, collect
from hdsguard.formatters.escape import document_text
from hdsguard.formatters.jsonstream import Streamed, dump
from hdsguard.formatters.sarifresult import FAIL_LEVEL as _FAIL_LEVEL
from hdsguard.formatters.sarifresult import FINGERPRINT_KEY as FINGERPRINT_KEY
from hdsguard.formatters.sarifresult import ResultEncoder, result
from hdsguard.formatters.sarifresult import artifact as artifact
from hdsguard.formatters.sarifresult import fingerprint as fingerprint
from hdsguard.formatters.sarifresult import level as level
from hdsguard.i18n import N_, _

if TYPE_CHECKING:
    from hdsguard.policies.celenv import CelRuntime

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/hdsguard/hdsguard"

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_REPORTED = (Status.FAIL, Status.WARN, Status.ERROR, Status.WAIVED)
# %SRCROOT% is declared (SARIF 2.1.0 §3.14.14) with a description and no `uri`, as the
# standard allows: its only honest value is the absolute path of the current directory, which
# would put a machine's directory (a user name) in the report and make the same inputs give
# different bytes in two checkouts. Consumers resolve it: GitHub to the repository root.
_SRCROOT = N_(
    "The directory hdsguard was run from, which should be the root of the repository: each "
    "relative `uri` is relative to it. Its absolute path is left out on purpose, so that the "
    "report names no machine's directory and the same inputs give the same bytes everywhere."
)


def write(report: Report, options: RenderOptions, out: Write) -> None:
    dump(sarif_log(report, streamed=True), out)
    out("\n")


def render(report: Report, options: RenderOptions) -> str:
    return collect(write, report, options)


def sarif_log(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The whole log; ``streamed``: its results as a :class:`Streamed` list, each built only
    when it is written."""
    reported = [f for f in report.findings if f.status in _REPORTED]
    if not report.ordered:
        sort_findings(reported)
    rules = _rules(report, reported)
    index = {rule.id: i for i, rule in enumerate(rules)}
    encoder = ResultEncoder(index)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "hdsguard",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": _(_SRCROOT)}}},
        "results": (
            Streamed(reported, encoder, encoder.items)
            if streamed
            else [result(f, index[f.rule]) for f in reported]
        ),
        "properties": {"asOf": report.as_of, **_data(report)},
    }
    if report.notices:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": document_text(n)}} for n in report.notices
                ],
            }
        ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _data(report: Report) -> dict[str, Any]:
    if not report.data_versions:
        return {}
    return {"dataVersions": dict(sorted(report.data_versions.items()))}


def _rules(report: Report, reported: list[Finding]) -> list[RuleInfo]:
    """Every rule of the report, plus a minimal one for a finding whose rule is not described."""
    rules = dict(report.rules)
    for f in reported:
        if f.rule not in rules:
            rules[f.rule] = RuleInfo(f.rule, f.rule, f.severity, "", "", "", f.references, (), "")
    return [rules[rule_id] for rule_id in sorted(rules)]


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    title = _plain(rule.title) or rule.id
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.title) or rule.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": _plain(rule.description) or title},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    out["defaultConfiguration"] = {"level": _FAIL_LEVEL[rule.severity]}
    out["properties"] = {
        "security-severity": SECURITY_SEVERITY[rule.severity],
        "severity": rule.severity.value,
        "precision": "very-high",
        "tags": _tags(rule),
    }
    return out


def _tags(rule: RuleInfo) -> list[str]:
    tags = ["security", *rule.tags, *rule.references]
    return list(dict.fromkeys(document_text(t) for t in tags))


def _pascal(title: str) -> str:
    """``Firewall firmware patched recently`` -> ``FirewallFirmwarePatchedRecently``;
    ``Dispositifs biomédicaux connectés`` -> ``DispositifsBiomedicauxConnectes``: accents
    are dropped, not the letters that carry them (a French title is not cut into
    ``BiomDicauxConnectS``)."""
    ascii_title = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    words = re.findall(
        r"[A-Za-z0-9]+", "".join(c for c in ascii_title if not unicodedata.combining(c))
    )
    return "".join(w[:1].upper() + w[1:] for w in words)


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


def _plain(text: str) -> str:
    """Policy text for a rule's description and help. A template (a :class:`RuleInfo` a
    library user built, or a run's without ``rule_help``) is worded as a catalogue rule's
    remediation is (:mod:`hdsguard.policies.rulehelp`): ``{{ self.id }}`` reads ``<id>``,
    each case of a conditional on the target its own paragraph, never CEL."""
    text = text.strip()
    if "{{" in text:
        # Imported here: only such a template needs the CEL runtime (start-up time).
        from hdsguard.i18n import current
        from hdsguard.policies.rulehelp import worded_text

        text = worded_text(_runtime(), text, {}, current())
    return document_text(text)


@cache
def _runtime() -> CelRuntime:
    """One CEL runtime for the templates of a process's reports, made when first needed."""
    from hdsguard.policies.celenv import CelRuntime

    return CelRuntime()


def _help_text(rule: RuleInfo) -> str:
    parts = [_plain(rule.rationale) or _plain(rule.description) or rule.id]
    if rule.remediation:
        parts.append(_("Remediation: {hint}").format(hint=_plain(rule.remediation)))
    if rule.references:
        listed = "\n".join(f"- {document_text(r)}" for r in rule.references)
        parts.append(_("References:") + "\n" + listed)
    return "\n\n".join(parts)


def _help_markdown(rule: RuleInfo) -> str:
    """Policy text is written in Markdown already (fields in backticks); only HTML is escaped."""
    parts = [f"**{_md(rule.title) or rule.id}** ({rule.severity.value})"]
    if rule.description:
        parts.append(_md(rule.description))
    if rule.rationale:
        parts.append(f"## {_('Why it matters')}\n\n{_md(rule.rationale)}")
    if rule.remediation:
        parts.append(f"## {_('Remediation')}\n\n{_md(rule.remediation)}")
    if rule.references:
        listed = "\n".join(f"- {_md(r)}" for r in rule.references)
        parts.append(f"## {_('References')}\n\n{listed}")
    if rule.help_uri:
        link = _("Documentation of {id}").format(id=rule.id)
        parts.append(f"[{link}]({rule.help_uri})")
    return "\n\n".join(parts)


def _md(text: str) -> str:
    return _plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
