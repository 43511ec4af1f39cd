"""The audit report as one self-contained HTML file, rendered by Jinja2 with autoescaping.

Everything a reader sees comes from the template and the sentences of :mod:`.text`; every
value from the declarations goes through autoescaping (and control characters become
visible escapes), so a declared name holding ``<script>`` is text, never markup. The folded
findings travel as inline JSON rendered on demand by one small inline script
(:mod:`.folded`); no external style sheet, script, font or image: the file makes no request
to any host, and its Content-Security-Policy forbids any.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe

from hdsguard.audit import folded
from hdsguard.audit.model import AuditView
from hdsguard.audit.text import data_title, day, moment, severity, status_count, translate
from hdsguard.formatters.escape import document_text
from hdsguard.i18n import translate as tr

if TYPE_CHECKING:
    from hdsguard.audit.deadlines import Deadline

# The status colours of the charts (the same as the style sheet's).
COLOURS = {
    "pass": "#2e7d32",
    "fail": "#c62828",
    "warn": "#ef6c00",
    "waived": "#6a1b9a",
    "not_applicable": "#78909c",
    "error": "#000000",
}


def _finalize(value: Any) -> Any:
    # Every {{ value }} passes here before autoescaping: control characters (an ESC, a NUL
    # in a declared name) are shown as \xNN, which HTML could not carry as they are.
    # Markup (the inline script and its data, escaped by .folded) passes as it is.
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return document_text(value)
    return value


def references(view: AuditView) -> dict[str, str]:
    """The line of references each shown finding's rule gets under its message ("References:
    CSP L.1111-8; CSP L.1115-1", in the run's language: the engine stamps the translated
    ones), joined once per rule, not per finding; empty for a rule without references."""
    out: dict[str, str] = {}
    for target in view.targets:
        for f in target.shown:
            if f.rule not in out:
                joined = translate("semicolon").join(f.references)
                out[f.rule] = translate("references_note", references=joined) if joined else ""
    return out


def deadline_rows(deadlines: Sequence[Deadline]) -> list[tuple[Deadline, list[str]]]:
    """The upcoming deadlines, one row per day, kind, rule, severity and message, with every
    target it falls due for: nine targets failing PAT-003 on one day for one reason were
    nine rows of the same sentence (a French hospital report printed 8 pages of them)."""
    rows: dict[tuple[Any, ...], tuple[Deadline, list[str]]] = {}
    for d in deadlines:
        key = (d.date, d.kind, d.rule, d.severity, d.message)
        if key in rows:
            rows[key][1].append(d.target)
        else:
            rows[key] = (d, [d.target])
    return list(rows.values())


def render(view: AuditView, *, warn_days: int = 30, lang: str = "en") -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        v=view,
        t=translate,
        tr=tr,
        day=day,
        moment=moment,
        data_title=data_title,
        sev=severity,
        count_of=status_count,
        colours=COLOURS,
        warn_days=warn_days,
        lang=lang,
        refs=references(view),
        deadline_rows=deadline_rows(view.deadlines),
        # Already escaped for a script element (see folded.data): not HTML-escaped again.
        folded_data=markupsafe.Markup(folded.data(view.targets, translate)),
        script=markupsafe.Markup(folded.SCRIPT),
        script_hash=folded.SCRIPT_HASH,
    )
