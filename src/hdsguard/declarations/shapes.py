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

from hdsguard.declarations.sections import SECTIONS
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
# The other files hdsguard reads, each given a file of another kind (`--config waivers.yaml`).
DECLARATION_KIND = N_(
    "a declaration file (pass it, or its directory, as PATHS: `hdsguard check {path}`)"
)
MSG_NOT = {
    "config": N_("this file is not an hdsguard config: it looks like {kind}"),
    "waiver": N_("this file is not a waiver file: it looks like {kind}"),
    "baseline": N_("this file is not a baseline: it looks like {kind}"),
}
_OWN_SHAPE = {"config": "config", "waiver": "waivers", "baseline": "baseline"}


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
    # An ANS HDS registry snapshot in JSON (evidence/registry_json.py): its `certificates`
    # rows were read as the declarations' section of that name, one error per key.
    if "ans_hds_registry_snapshot" in keys:
        return "evidence"
    if "repos" in keys:
        return "pre-commit"
    if "jobs" in keys or "stages" in keys:
        return "ci"
    return None


def misplaced(data: Any, expected: str, display: str) -> str | None:
    """The message for a file read as ``expected`` (a key of ``MSG_NOT``) that has the shape of
    another kind of file, or None. Asked only once the file failed validation, so a valid
    file is never second-guessed; the shapes are strict (a config that writes its waivers
    inline is still a config with an error, not "a waiver file")."""
    if not isinstance(data, Mapping):
        return None
    if expected == "config" and Path(display).name == ".hdsguard.yaml":
        return None  # named as a config is: a config, whatever it holds
    keys = {str(k) for k in data} - {"version"}
    if keys and keys <= set(SECTIONS):
        kind = _(DECLARATION_KIND).format(path=display)
    else:
        found = shape(data)
        items = data.get("waivers")
        if found == "waivers" and (
            keys != {"waivers"} or not items or not all(isinstance(i, Mapping) for i in items)
        ):
            found = None  # `waivers: [a, b]`: a config's `waivers:` in error, not a waiver file
        if found == "config" and keys == {"waivers"} and not isinstance(items, str):
            # `waivers: {}` in a waiver file: a config names its waiver file with a path, so
            # this is a waiver file in error, and its own error says what is wrong where.
            found = None
        if found is None or found == _OWN_SHAPE[expected]:
            return None
        kind = _(KINDS[found])
    return _(MSG_NOT[expected]).format(kind=kind)


# The short name of each kind, after a skipped file's path: `policies/FW-900.yaml (policy)`.
SHORT = {
    "policy": N_("policy"),
    "waivers": N_("waivers"),
    "baseline": N_("baseline file"),
    "config": N_("hdsguard config"),
    "pre-commit": N_("pre-commit config"),
    "ci": N_("CI pipeline"),
    "evidence": N_("evidence"),
}


def _listed(skipped: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{path} ({_(SHORT[kind])})" for path, kind in skipped)


def skipped_notice(skipped: Sequence[tuple[str, str]]) -> str:
    """One notice for every (path, kind) skipped."""
    count = len(skipped)
    files = _listed(skipped)
    if all(kind == "evidence" for _path, kind in skipped):
        # Evidence kept inside the declaration directory (docs/evidence.md): "pass their
        # directory" told a user who had done just that; what it needs is --evidence.
        return ngettext(
            "skipped {count} evidence file in the declarations: {files}; it is not a "
            "declaration: give it with --evidence (or under `evidence:` in .hdsguard.yaml) for "
            "the EVD- rules to read it",
            "skipped {count} evidence files in the declarations: {files}; they are not "
            "declarations: give them with --evidence (or under `evidence:` in .hdsguard.yaml) "
            "for the EVD- rules to read them",
            count,
        ).format(count=count, files=files)
    return ngettext(
        "skipped {count} file that is not a declaration: {files}; to read only your "
        "declarations, pass their directory (`hdsguard check DIR`) or set `declarations:` in "
        ".hdsguard.yaml",
        "skipped {count} files that are not declarations: {files}; to read only your "
        "declarations, pass their directory (`hdsguard check DIR`) or set `declarations:` in "
        ".hdsguard.yaml",
        count,
    ).format(count=count, files=files)


def nothing_left(skipped: Sequence[tuple[str, str]]) -> str:
    """The error when every file found was skipped as not a declaration."""
    count = len(skipped)
    files = _listed(skipped)
    return ngettext(
        "no declaration to check: {count} file found, and it is not a declaration: {files}; "
        "name the declaration files or directories to check, or run `hdsguard init` to start "
        "a set",
        "no declaration to check: none of the {count} files found is a declaration: {files}; "
        "name the declaration files or directories to check, or run `hdsguard init` to start "
        "a set",
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
