"""Provenance: what a report was made from, so that an auditor can reproduce it.

The tool version, the dated data files, the SHA-256 of every declaration, evidence, config,
waiver and baseline file read, the evaluation date and the rules run or disabled. No clock
time and no host name: the same inputs give the same record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hdsguard.audit.frameworks import framework_lists
from hdsguard.declarations.files import discover, display_path, read_bytes
from hdsguard.findings import Report

if TYPE_CHECKING:
    from hdsguard.api import CheckOptions


# The kind of an evidence file's sidecar in the provenance (its vantage point, its host).
SIDECAR_KIND = "sidecar"


@dataclass(frozen=True)
class FileDigest:
    path: str  # as displayed in findings: relative to the current directory
    sha256: str
    size: int
    kind: str = ""  # evidence files: nmap, certificate… (hdsguard.evidence)
    # Evidence files: the observation's own date (a scan's start, a catalogue's release…),
    # which an auditor needs beside the hash; None for a certificate file.
    timestamp: str | None = None


@dataclass(frozen=True)
class Provenance:
    tool_version: str
    as_of: str
    data_files: list[tuple[str, str]]  # (data file, its as_of date)
    declarations: list[FileDigest]
    evidence: list[FileDigest]
    config_file: FileDigest | None
    waivers_file: FileDigest | None
    baseline_file: FileDigest | None
    policy_dirs: list[str]
    rules_run: list[str]
    rules_disabled: list[str]
    params: list[tuple[str, str, str]]  # (rule, param, value as JSON)
    severities: list[tuple[str, str]]


def digest_file(path: Path, kind: str = "") -> FileDigest:
    display = display_path(path)
    raw = read_bytes(path, display)
    return FileDigest(display, hashlib.sha256(raw).hexdigest(), len(raw), kind)


def declaration_files(paths: Sequence[str], options: CheckOptions) -> list[Path]:
    """The declaration files a check of ``paths`` reads (as ``api.check`` excludes them)."""
    extra = [p for p in (options.waivers_file, options.baseline_file) if p is not None]
    if options.evidence_files:
        from hdsguard.evidence.load import load_evidence

        extra += load_evidence(options.evidence_files).paths
    return discover(paths, [*options.exclude, *extra])


def evidence_digests(report: Report) -> list[FileDigest]:
    """The evidence files the check read (scans, certificates…, docs/evidence.md) and their
    `.evidence` sidecars (kind ``sidecar``: the vantage point or host they declare decides
    verdicts), with the SHA-256 the check took of the bytes it read. A sidecar sorts just
    after its file (``scan.xml``, ``scan.xml.evidence``)."""
    digests = [FileDigest(f.path, f.sha256, -1, f.kind, f.timestamp) for f in report.evidence]
    digests += [
        FileDigest(f.sidecar, f.sidecar_sha256 or "", -1, SIDECAR_KIND)
        for f in report.evidence
        if f.sidecar is not None
    ]
    return sorted(digests, key=lambda d: d.path)


def build(
    report: Report,
    paths: Sequence[str],
    options: CheckOptions,
    catalogue_ids: Iterable[str],
) -> Provenance:
    import json

    config = options.config
    data_files = sorted(report.data_versions.items())
    data_files += [(f"frameworks/{rl.framework}", rl.as_of) for rl in framework_lists()]
    run = sorted(report.rules)
    return Provenance(
        tool_version=report.tool_version,
        as_of=report.as_of,
        data_files=data_files,
        declarations=sorted(
            (digest_file(p) for p in declaration_files(paths, options)), key=lambda d: d.path
        ),
        evidence=evidence_digests(report),
        config_file=digest_file(Path(config.source.path)) if config is not None else None,
        waivers_file=_optional(options.waivers_file),
        baseline_file=_optional(options.baseline_file),
        policy_dirs=[display_path(Path(d)) for d in options.policy_dirs],
        rules_run=run,
        rules_disabled=sorted(set(catalogue_ids) - set(run)),
        params=[
            (rule, name, json.dumps(value, sort_keys=True, default=str))
            for rule, values in sorted(options.params.items())
            for name, value in sorted(_items(values))
        ],
        severities=sorted((rule, s.value) for rule, s in options.severities.items()),
    )


def _items(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return list(values.items())


def _optional(path: Path | None) -> FileDigest | None:
    return digest_file(path) if path is not None and path.is_file() else None
