"""Output formats. Each module exposes ``write(report, options, out)``, which hands the report
to ``out`` piece by piece (never the whole document as one string), and only reads."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from hdsguard.findings import Report

# name -> module; imported only when that format is asked for (start-up time matters).
FORMATS: dict[str, str] = {
    "text": "hdsguard.formatters.text",
    "json": "hdsguard.formatters.jsonfmt",
    "sarif": "hdsguard.formatters.sarif",
    "junit": "hdsguard.formatters.junit",
    "markdown": "hdsguard.formatters.markdown",
    "github": "hdsguard.formatters.github",
    "oscal": "hdsguard.formatters.oscal",
}


# Formats that print the messages of passing and not-applicable findings (audit evidence).
EVIDENCE_FORMATS = frozenset({"json", "junit", "markdown", "oscal"})
# Formats that print each rule's help (its remediation worded for every target:
# hdsguard.policies.rulehelp), which a run words only when one of them is asked for.
RULE_HELP_FORMATS = frozenset({"sarif"})


@dataclass(frozen=True)
class RenderOptions:
    colour: bool = False
    verbose: bool = False  # text: also list passed and not-applicable findings
    # text: wrap long lines to this many columns (a terminal's width, or --width); None
    # keeps every line whole, so that piped output is the same on every machine.
    width: int | None = None


Write = Callable[[str], object]  # takes the next piece of the output
Writer = Callable[[Report, RenderOptions, Write], None]
Renderer = Callable[[Report, RenderOptions], str]


def writer(name: str) -> Writer:
    module = importlib.import_module(FORMATS[name])
    write: Writer = module.write
    return write


def renderer(name: str) -> Renderer:
    """The whole output as one string (library callers, tests): the pieces of the writer."""
    write = writer(name)

    def render(report: Report, options: RenderOptions) -> str:
        return collect(write, report, options)

    return render


class Chunks:
    """Hands the many small pieces of a writer on to ``write`` in chunks of ``size``
    characters: one call per piece would cost more than the encoding."""

    def __init__(self, write: Write, size: int = 1 << 16) -> None:
        self._write = write
        self._size = size
        self._parts: list[str] = []
        self._held = 0

    def __call__(self, piece: str) -> None:
        self._parts.append(piece)
        self._held += len(piece)
        if self._held >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._held = 0
            self._write(text)


def collect(write: Writer, report: Report, options: RenderOptions) -> str:
    """The pieces ``write`` gives, joined: a format's ``render``."""
    parts: list[str] = []
    write(report, options, parts.append)
    return "".join(parts)
