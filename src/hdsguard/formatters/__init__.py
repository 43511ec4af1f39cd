"""Output formats. Each module exposes ``render(report, options) -> str`` and only reads."""

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
}


# Formats that print the messages of passing and not-applicable findings (audit evidence).
EVIDENCE_FORMATS = frozenset({"json", "junit", "markdown"})


@dataclass(frozen=True)
class RenderOptions:
    colour: bool = False
    verbose: bool = False  # text: also list passed and not-applicable findings


Renderer = Callable[[Report, RenderOptions], str]


def renderer(name: str) -> Renderer:
    module = importlib.import_module(FORMATS[name])
    render: Renderer = module.render
    return render
