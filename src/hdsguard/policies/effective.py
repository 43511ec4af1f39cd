"""What an organisation's config makes of one policy (``hdsguard policies explain``).

The catalogue's text gives each rule's defaults; an auditor or an engineer asking "what does
FW-001 mean here?" needs the values in force: the thresholds the config sets, its severity,
whether it runs at all, whether it may be waived, and whether the rule is the organisation's
own. All of it comes from the same settings ``check`` uses.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hdsguard.i18n import N_, _

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions
    from hdsguard.policies.load import CompiledPolicy

# Every sentence a user reads from this module, in one place, translated where it is used (a
# French `explain` ended with this section in English).
HEADING = N_("IN THIS ORGANISATION ({config})")
PARAM_SET = N_("- `{name}` = `{value}` (default `{default}`)")
PARAM_DEFAULT = N_("- `{name}` = `{default}` (the default)")
SEVERITY_SET = N_("- severity: {value} (default {default})")
SEVERITY_DEFAULT = N_("- severity: {value}")
RULE_OFF = N_("- does not run: turned off by `rules` in the config")
RULE_ON = N_("- runs")
OWN_RULE = N_("- an organisation's own rule, from {file}")
OVERRIDE = N_("- replaces the built-in rule of the same id, from {file}")
NO_WAIVER = N_("- may not be waived (`waiver_policy.forbidden`)")
MAX_WAIVER = N_("- waivers last at most {days} days (`waiver_policy.max_days.{severity}`)")
GATE = N_("- fails the gate when it fails: the config's `fail_on` is {fail_on}")
NO_GATE = N_("- does not fail the gate: below the config's `fail_on` ({fail_on})")


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def effective_section(policy: CompiledPolicy, options: CheckOptions) -> str:
    """The ``IN THIS ORGANISATION`` section of ``explain``, ending with a newline."""
    from hdsguard.findings import Severity

    config = options.config
    if config is None:
        return ""
    meta = policy.meta
    lines = ["", _(HEADING).format(config=config.source.path)]
    if not policy.builtin:
        lines.append((_(OVERRIDE) if meta.override else _(OWN_RULE)).format(file=policy.file))
    on = meta.id not in options.disabled and (not options.only or meta.id in options.only)
    lines.append(_(RULE_ON) if on else _(RULE_OFF))
    default = Severity(meta.severity)
    severity = options.severities.get(meta.id, default)
    template = _(SEVERITY_SET) if severity is not default else _(SEVERITY_DEFAULT)
    lines.append(template.format(value=severity.value, default=default.value))
    fail_on = config.model.fail_on
    if fail_on is not None and on:
        gate = _(GATE) if severity.rank >= Severity(fail_on).rank else _(NO_GATE)
        lines.append(gate.format(fail_on=fail_on))
    values = options.params.get(meta.id, {})
    for name, param in meta.params.items():
        if name in values:
            text = _(PARAM_SET).format(
                name=name, value=_value(values[name]), default=_value(param.default)
            )
        else:
            text = _(PARAM_DEFAULT).format(name=name, default=_value(param.default))
        lines.append(text)
    waivers = config.model.waiver_policy
    if meta.id in waivers.forbidden:
        lines.append(_(NO_WAIVER))
    cap = getattr(waivers.max_days, severity.value)
    if cap is not None and meta.id not in waivers.forbidden:
        lines.append(_(MAX_WAIVER).format(days=cap, severity=severity.value))
    return "\n".join(f"  {line}" if line.startswith("-") else line for line in lines) + "\n"
