"""Files that are not declarations, recognised by their shape.

``hdsguard check`` at the root of a repository without a config walks every YAML file: the
organisation's own policies, its waivers, a baseline, a config, a KEV catalogue kept as
evidence or a hook list are not declarations, and reading them as such gave one "unknown key"
per key. A file found by walking a directory that fails validation and has the shape of one of
these is skipped, and one notice lists what was skipped; a file named on the command line is
never skipped, its error says what it is instead. A valid declaration is never looked at here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hdsguard.i18n import N_, _, ngettext

# Every sentence a user reads from this module, in one place (translation wraps these).
KINDS = {
    "policy": N_(
        "a policy (pass its directory with --policies, or list it under `policies:` in "
        ".hdsguard.yaml)"
    ),
    "waivers": N_("a waiver file (name it with `waivers:` in .hdsguard.yaml)"),
    "baseline": N_(
        "a baseline (pass it with --baseline, or name it with `baseline:` in .hdsguard.yaml)"
    ),
    "config": N_("an hdsguard config (pass it with --config, or name it .hdsguard.yaml)"),
    "pre-commit": N_("a pre-commit config"),
    "ci": N_("a CI pipeline"),
    "evidence": N_(
        "evidence (pass it with --evidence, or list it under `evidence:` in .hdsguard.yaml)"
    ),
}
MSG_NAMED = N_("this file is not a declaration: it looks like {kind}")


def named_message(kind: str) -> str:
    """The error of a file named on the command line that has the shape of ``kind``."""
    return _(MSG_NAMED).format(kind=_(KINDS[kind]))


_CONFIG_KEYS = {"declarations", "policies", "rules", "params", "severity", "fail_on"}
_CONFIG_KEYS |= {"waivers", "baseline", "waiver_policy", "evidence"}
_POLICY_KEYS = {"condition", "checks", "applies_to", "severity", "remediation"}


def shape(data: Any) -> str | None:
    """``policy``, ``waivers``, ``baseline``, ``config``, ``evidence``, ``pre-commit``, ``ci``
    or None."""
    if not isinstance(data, Mapping):
        return None
    keys = {str(k) for k in data}
    if "id" in keys and len(keys & _POLICY_KEYS) >= 2:
        return "policy"
    if "waivers" in keys and isinstance(data.get("waivers"), list):
        return "waivers"
    if {"findings", "tool", "as_of"} <= keys:
        return "baseline"
    if keys - {"version"} and keys <= _CONFIG_KEYS | {"version"}:
        return "config"
    if "catalogVersion" in keys and "vulnerabilities" in keys:  # the CISA KEV catalogue
        return "evidence"
    if "repos" in keys:
        return "pre-commit"
    if "jobs" in keys or "stages" in keys:
        return "ci"
    return None


def skipped_notice(skipped: Sequence[tuple[str, str]]) -> str:
    """One notice for every (path, kind) skipped."""
    count = len(skipped)
    files = ", ".join(f"{path} ({kind})" for path, kind in skipped)
    return ngettext(
        "skipped {count} file that is not a declaration: {files}; to read only your "
        "declarations, pass their directory (`hdsguard check DIR`) or set `declarations:` in "
        ".hdsguard.yaml",
        "skipped {count} files that are not declarations: {files}; to read only your "
        "declarations, pass their directory (`hdsguard check DIR`) or set `declarations:` in "
        ".hdsguard.yaml",
        count,
    ).format(count=count, files=files)


def classify(path: str, display: str) -> str | None:
    """The shape of the file at ``path`` (read again: this runs only for invalid files)."""
    from hdsguard.declarations.files import read_text
    from hdsguard.declarations.reader import parse
    from hdsguard.errors import InputError

    try:
        return shape(parse(read_text(Path(path), display), display).data)
    except InputError:
        return None
