"""One audit: the check, its deadlines, its provenance and the waiver register, together."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hdsguard.audit import deadlines as dl
from hdsguard.audit import model, provenance
from hdsguard.findings import Report, Severity

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions


@dataclass(frozen=True)
class Audit:
    report: Report
    view: model.AuditView
    warn_days: int


def audit(
    paths: Sequence[str],
    options: CheckOptions,
    *,
    threshold: Severity,
    horizon_days: int = dl.DEFAULT_HORIZON_DAYS,
) -> Audit:
    """Check ``paths`` (with every message: this is the evidence), then project deadlines
    over ``horizon_days`` and record what was read."""
    from hdsguard.api import check, load_policies

    options = dataclasses.replace(options, evidence=True)
    report = check(paths, options)
    as_of = options.as_of
    deadlines = dl.project(dl.evaluator(paths, options), as_of, report, horizon_days)
    _, catalogue = load_policies(options.policy_dirs)
    record = provenance.build(report, paths, options, catalogue)
    warn_days = options.waiver_policy.warn_days if options.waiver_policy else 30
    waivers = None
    if options.waivers_file is not None:
        from hdsguard.waiverfile import load_waivers

        entries = load_waivers(options.waivers_file).entries
        waivers = model.waiver_rows(entries, report, as_of, warn_days)
    view = model.build(
        report,
        threshold=threshold,
        deadlines=deadlines,
        horizon_days=horizon_days,
        provenance=record,
        organisation=_organisation(paths, options),
        waivers=waivers,
    )
    return Audit(report, view, warn_days)


def _organisation(paths: Sequence[str], options: CheckOptions) -> str | None:
    from hdsguard.declarations.load import load_declarations

    files = provenance.declaration_files(paths, options)
    decl = load_declarations([str(p) for p in files])
    name = decl.singletons.get("organisation", {}).get("name")
    return name if isinstance(name, str) else None


def as_of_date(report: Report) -> datetime.date:
    return datetime.date.fromisoformat(report.as_of)
