"""Read one declaration (or policy, config…) file's text: the reader for its kind.

JSON goes to the strict JSON reader; YAML to the line-by-line block-YAML reader
(:mod:`hdsguard.speed.blockyaml`), and what that one declines to the composer
(:mod:`.yamlsource`), which also gives every error message. Kept apart from both readers,
which it chooses between: the block-YAML reader builds on :mod:`.yamlsource`'s positions and
scalars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hdsguard.declarations.located import SourceFile


def parse(text: str, display: str, *, as_json: bool | None = None) -> SourceFile:
    """Parse YAML (or JSON, a subset of YAML 1.2) text; raise InputError with every problem.

    ``as_json`` (default: the name ends with ``.json``): the text is strict JSON, or a located
    error, never read as YAML. Otherwise the block-style fast path, then the composer, which
    also gives every error message.
    """
    # Each reader imported on first use: a warm run reads its files from the cache, and a
    # config in block YAML needs no composer; importing PyYAML and compiling the readers'
    # patterns would be most of what such a run pays.
    if as_json if as_json is not None else display.lower().endswith(".json"):
        from hdsguard.declarations.yamlsource import _parse_json

        return _parse_json(text, display)
    from hdsguard.speed.blockyaml import parse_block

    source = parse_block(text, display)
    if source is not None:
        return source
    from hdsguard.declarations.yamlsource import _parse_yaml

    return _parse_yaml(text, display)
