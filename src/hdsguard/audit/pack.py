"""The evidence pack: one zip an auditor can check, and re-run, without trusting the sender.

Layout (docs/report.md):

- ``report.html``, ``report.json``, ``report.sarif``: the reports of one run;
- ``inputs/…``: every file the run read (declarations, config, waivers, baseline, extra
  policies, evidence), at the path the reports show them, relative to where the run was made;
- ``manifest.json``: the command (paths, evaluation date, config, policy directories,
  baseline, evidence, the language of the reports) and the SHA-256 and size of every other
  file of the pack.

The zip is deterministic: entries sorted, dated with the evaluation date, fixed permissions
and compression, so the same inputs give the same bytes. ``verify_pack`` checks every digest,
that nothing was added or removed, then extracts the inputs to a temporary directory, runs
the same check there, in the language the reports were written in (a French pack verified
on an English machine), and compares its JSON report with the packed one, byte for byte.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from hdsguard.audit.packread import PackError, open_pack, read_members
from hdsguard.declarations.files import display_path
from hdsguard.errors import InputError, Problem
from hdsguard.i18n import DEFAULT, LANGUAGES, _, language
from hdsguard.output import write_atomic

if TYPE_CHECKING:
    from hdsguard.audit.run import Audit

FORMAT = 1
MANIFEST = "manifest.json"
INPUTS = "inputs/"


def _json_report(audit: Audit) -> str:
    from hdsguard.formatters import RenderOptions, renderer

    return renderer("json")(audit.report, RenderOptions())


def _input_files(audit: Audit) -> list[str]:
    """Every file the run read, as displayed (relative to the current directory): the
    provenance's evidence lists each sidecar read (vantage, host) beside its file."""
    from hdsguard.policies.load import policy_files

    p = audit.view.provenance
    files = [d.path for d in p.declarations] + [d.path for d in p.evidence]
    files += [f.path for f in (p.config_file, p.waivers_file, p.baseline_file) if f is not None]
    for directory in p.policy_dirs:
        files += [display_path(f) for f in policy_files(Path(directory))]
    return sorted(set(files))


def _member(display: str) -> str:
    """The pack member of a file read; refused when it would lie outside ``inputs/``."""
    pure = PurePosixPath(display)
    if pure.is_absolute() or ".." in pure.parts:
        raise InputError(
            [
                Problem(
                    display,
                    None,
                    None,
                    _(
                        "cannot pack a file outside the current directory: run `hdsguard "
                        "report --pack` from a directory that holds the declarations, config "
                        "and evidence"
                    ),
                )
            ]
        )
    return INPUTS + pure.as_posix()


def pack_members(audit: Audit, html: str, command: Mapping[str, Any]) -> dict[str, bytes]:
    """Every member of the pack of ``audit``, manifest included, the inputs read from the
    current directory (verify_pack builds them again from the packed inputs and compares)."""
    from hdsguard.formatters import RenderOptions, renderer

    sarif = renderer("sarif")
    members: dict[str, bytes] = {
        "report.html": html.encode("utf-8"),
        "report.json": _json_report(audit).encode("utf-8"),
        "report.sarif": sarif(audit.report, RenderOptions()).encode("utf-8"),
    }
    for display in _input_files(audit):
        members[_member(display)] = Path(display).read_bytes()
    manifest = {
        "format": FORMAT,
        "tool": {"name": "hdsguard", "version": audit.report.tool_version},
        "as_of": audit.report.as_of,
        "command": dict(command),
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(members.items())
        ],
    }
    members[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    return members


def pack_bytes(audit: Audit, html: str, command: Mapping[str, Any]) -> bytes:
    members = pack_members(audit, html, command)
    stamp = (*datetime.date.fromisoformat(audit.report.as_of).timetuple()[:3], 0, 0, 0)
    return _zip(members, max(stamp, (1980, 1, 1, 0, 0, 0)))


def _zip(members: Mapping[str, bytes], stamp: tuple[int, ...]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the packing machine
            archive.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()


def write_pack(path: Path, audit: Audit, html: str, command: Mapping[str, Any]) -> None:
    write_atomic(path, pack_bytes(audit, html, command))


# ----------------------------------------------------------------------------- verification


def verify_pack(path: Path) -> list[str]:
    """What is wrong with the pack (empty: intact, and its inputs reproduce every report and
    the manifest, byte for byte).

    Raises PackError when the file is not a readable pack at all, or a hostile one
    (hdsguard.audit.packread: too many or too large members, unsafe names, links).
    """
    with open_pack(path) as archive:
        packed = read_members(path, archive)
    try:
        manifest = json.loads(packed[MANIFEST])
        listed = {str(f["path"]): f for f in manifest["files"]}
        command = manifest["command"]
        # Packs written before the language was recorded were English.
        lang = command.get("lang", DEFAULT)
        if lang not in LANGUAGES:
            raise ValueError(f"lang {lang!r}")
        _recorded_command(command)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        message = _("{path}: no valid {manifest} ({error})")
        raise PackError(message.format(path=path, manifest=MANIFEST, error=exc)) from None
    problems = _digest_problems(packed, listed)
    if problems:
        return problems
    with tempfile.TemporaryDirectory(prefix="hdsguard-pack-") as tmp:
        for name, data in packed.items():
            if name.startswith(INPUTS):
                target = Path(tmp, name[len(INPUTS) :])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        # The reports' prose is in the language of the packing run: re-run in it.
        with language(lang):
            try:
                rebuilt = _rebuild(Path(tmp), command)
            except InputError:
                rebuilt = None
        if rebuilt is None:
            # Inputs refused in one language are refused in every one: read them again in
            # this run's, so that the reason is said in it (a French pack verified on an
            # English machine gave an English sentence around a French reason, and a French
            # one whatever --lang said).
            try:
                _rebuild(Path(tmp), command)
            except InputError as exc:
                return [_unreadable_inputs(exc)]
            rebuilt = {}
    return _differences(packed, rebuilt)


# The members a person or a tool reads as the result: each must be what the packed inputs
# give. A forged HTML report (the page a director reads, "PASS") with its manifest entry
# rewritten passed when only report.json was compared.
_REPORTS = ("report.html", "report.sarif")


def _differences(packed: Mapping[str, bytes], rebuilt: Mapping[str, bytes]) -> list[str]:
    if packed.get("report.json") != rebuilt.get("report.json"):
        # The inputs give another result: the other reports differ for the same reason.
        return [_("report.json: re-running the check on the packed inputs gives another report")]
    problems = []
    for name in _REPORTS:
        if packed.get(name) != rebuilt.get(name):
            says = _(
                "{name}: re-running the report on the packed inputs gives another {name}: "
                "it was changed after it was written"
            )
            problems.append(says.format(name=name))
    if not problems and packed.get(MANIFEST) != rebuilt.get(MANIFEST):
        problems.append(_manifest_difference(packed[MANIFEST], rebuilt[MANIFEST]))
    return problems


def _manifest_difference(packed: bytes, rebuilt: bytes) -> str:
    """What of the manifest the packed inputs do not give: its reports and inputs are
    intact (checked before), so a size, the tool, the evaluation date, a file the run does
    not read, or its text was changed."""
    were = json.loads(packed)
    are = json.loads(rebuilt)
    unread = sorted(
        {str(f["path"]) for f in were["files"]} - {str(f["path"]) for f in are["files"]}
    )
    if unread:
        says = _("{name}: listed in {manifest}, but re-running the report does not read it")
        return says.format(name=unread[0], manifest=MANIFEST)
    changed = [key for key in are if were.get(key) != are[key]]
    changed += [key for key in were if key not in are]
    says = _(
        "{manifest}: not the manifest the packed inputs give (changed: {keys}); a manifest "
        "is written by `hdsguard report --pack`, never edited"
    )
    return says.format(manifest=MANIFEST, keys=", ".join(changed) or _("its text"))


def _unreadable_inputs(exc: InputError) -> str:
    first = exc.problems[0]
    where = ":".join(str(x) for x in (first.file, first.line, first.column) if x is not None)
    says = _("the packed inputs cannot be checked again ({where}: {message}): a file was removed "
             "from the pack, or its inputs changed")  # fmt: skip
    return says.format(where=where, message=first.message)


# What `report --pack` records of its command line (`lang`, `fail_on` and `horizon` are
# absent from packs written before they were recorded).
_COMMAND_KEYS = frozenset(
    {"paths", "as_of", "config", "policy_dirs", "baseline", "evidence", "lang", "fail_on",
     "horizon"}
)  # fmt: skip


def _recorded_command(command: Mapping[str, Any]) -> None:
    """The recorded command, as `report --pack` writes it (ValueError otherwise): the re-run
    reads its paths inside the extracted pack only. A bad date or a path given as a string
    was an internal error; an evidence path `"lab/evidence"` read as its characters walked
    `/`, the whole file system, and an absolute or `..` path read files outside the pack."""
    from hdsguard.findings import Severity

    unknown = sorted(set(command) - _COMMAND_KEYS)
    if unknown:  # a key nothing reads would let a changed byte pass (`lang` made `lago`)
        raise ValueError(f"unknown key {unknown[0]!r} in command")
    datetime.date.fromisoformat(_text(command, "as_of"))
    for key in ("paths", "policy_dirs", "evidence"):
        listed = command.get(key, [])
        if not isinstance(listed, list):
            raise ValueError(f"{key} {listed!r}: not a list")
        for path in listed:
            _inside(key, path)
    for key in ("config", "baseline"):
        if command.get(key) is not None:
            _inside(key, command[key])
    # The verdict's threshold and the horizon decide report.html; absent from packs written
    # before they were recorded.
    fail_on = command.get("fail_on")
    if fail_on is not None and fail_on not in {s.value for s in Severity}:
        raise ValueError(f"fail_on {fail_on!r}")
    horizon = command.get("horizon", 0)
    if type(horizon) is not int or not 0 <= horizon <= 3660:
        raise ValueError(f"horizon {horizon!r}")


def _text(command: Mapping[str, Any], key: str) -> str:
    value = command.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} {value!r}")
    return value


def _inside(key: str, path: object) -> None:
    pure = PurePosixPath(path) if isinstance(path, str) and path else None
    if pure is None or pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{key} {path!r}: not a path inside the pack")


def _digest_problems(packed: Mapping[str, bytes], listed: Mapping[str, Any]) -> list[str]:
    problems = []
    present = set(packed) - {MANIFEST}
    for name in sorted(present - listed.keys()):
        problems.append(_("{name}: in the pack but not in the manifest").format(name=name))
    for name, entry in sorted(listed.items()):
        if name not in present:
            problems.append(
                _("{name}: in the manifest but missing from the pack").format(name=name)
            )
            continue
        digest = hashlib.sha256(packed[name]).hexdigest()
        if digest != entry.get("sha256"):
            says = _("{name}: SHA-256 {digest}, the manifest says {listed}")
            problems.append(says.format(name=name, digest=digest, listed=entry.get("sha256")))
    return problems


def _rebuild(root: Path, command: Mapping[str, Any]) -> dict[str, bytes]:
    """Every member of the pack the packed command writes, run in ``root`` as at packing."""
    from hdsguard.api import options_from_config
    from hdsguard.audit.deadlines import DEFAULT_HORIZON_DAYS
    from hdsguard.audit.html import render
    from hdsguard.audit.run import audit
    from hdsguard.findings import Severity
    from hdsguard.i18n import current

    before = os.getcwd()
    os.chdir(root)
    try:
        config = None
        if command.get("config"):
            from hdsguard.config import load_config

            config = load_config(Path(command["config"]))
        baseline = command.get("baseline")
        options = options_from_config(
            config,
            as_of=datetime.date.fromisoformat(str(command["as_of"])),
            policy_dirs=[Path(d) for d in command.get("policy_dirs", [])],
            baseline_file=Path(baseline) if baseline else None,
        )
        if command.get("evidence"):
            from hdsguard.evidence.load import EvidenceSpec

            added = tuple(EvidenceSpec(Path(e)) for e in command["evidence"])
            options = dataclasses.replace(options, evidence_files=(*options.evidence_files, *added))
        paths: Sequence[str] = [str(p) for p in command["paths"]]
        # Packs written before the verdict's threshold and the horizon were recorded: the
        # defaults `report` then used.
        fail_on = command.get("fail_on") or (config.model.fail_on if config else None) or "low"
        horizon = command.get("horizon", DEFAULT_HORIZON_DAYS)
        result = audit(paths, options, threshold=Severity(fail_on), horizon_days=horizon)
        html = render(result.view, warn_days=result.warn_days, lang=current())
        return pack_members(result, html, command)
    finally:
        os.chdir(before)
