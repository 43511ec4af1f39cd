"""Findings of unchanged declaration files, reused from the previous run.

A policy is *local* when none of its expressions reads another object than its target (see
``celenv.CROSS_OBJECT``): its findings on the targets of one file are then fully decided by
that file's bytes (objects and positions), the compiled catalogue, the parameters and
severities, the evaluation date and whether evidence messages are rendered. The memo keeps,
per declaration file, the findings of the local policies under a key hashing all of these; a
pre-commit run after a one-file change re-evaluates that file, and every rule that follows
references (HDS rules, backups at a provider…) on the whole set, as always.

Entries live in ``<cache dir>/findings/``, are marshal data behind a SHA-256 (never trusted:
anything unreadable is evaluated again) and are pruned like the declaration cache.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import marshal
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hdsguard.cache import cache_dir, code_fingerprint, load_safely, write_atomic
from hdsguard.findings import Finding, Row, Severity, from_rows, to_rows
from hdsguard.policies.load import CompiledPolicy

_FORMAT = 1
SUBDIR = "findings"
SUFFIX = ".marshal"


class FindingsMemo:
    def __init__(self, folder: Path, context: str, digests: Mapping[str, str]) -> None:
        self.folder = folder
        self.context = context
        self.digests = digests  # displayed path -> content key of that declaration file

    @classmethod
    def open(
        cls,
        catalogue_key: str | None,
        digests: Mapping[str, str],
        policies: Sequence[CompiledPolicy],
        as_of: datetime.date,
        params: Mapping[str, Mapping[str, Any]],
        severities: Mapping[str, Severity],
        evidence: bool,
    ) -> FindingsMemo | None:
        base = cache_dir()
        if base is None or catalogue_key is None or not digests:
            return None
        here = Path(__file__).resolve().parent
        code = [here / n for n in ("engine.py", "findings.py", "findingsmemo.py")]
        code += sorted((here / "data").glob("*.json"))
        context = {
            "fingerprint": code_fingerprint(_FORMAT, code),
            "catalogue": catalogue_key,
            "as_of": as_of.isoformat(),
            "evidence": evidence,
            "policies": [p.id for p in policies if p.local],
            "params": {k: dict(v) for k, v in sorted(params.items())},
            "severities": {k: v.value for k, v in sorted(severities.items())},
        }
        text = json.dumps(context, sort_keys=True, default=str)
        return cls(base / SUBDIR, hashlib.sha256(text.encode()).hexdigest(), digests)

    def _entry(self, path: str) -> Path | None:
        digest = self.digests.get(path)
        if digest is None:
            return None
        name = hashlib.sha256(f"{self.context}\0{digest}".encode()).hexdigest()
        return self.folder / f"{name}{SUFFIX}"

    def get(self, path: str, references: Mapping[str, tuple[str, ...]]) -> list[Finding] | None:
        entry = self._entry(path)
        rows = load_safely(entry, _decode) if entry is not None else None
        if rows is None:
            return None
        try:
            return from_rows(rows, references)
        except (KeyError, ValueError, TypeError):
            return None

    def put(self, path: str, findings: Iterable[Finding]) -> None:
        entry = self._entry(path)
        if entry is None:
            return
        rows = to_rows(findings)
        payload = marshal.dumps((_FORMAT, rows), 4)
        if write_atomic(entry, hashlib.sha256(payload).digest() + payload):
            from hdsguard.declarations.cache import DeclarationCache

            DeclarationCache(self.folder).prune()


def _decode(blob: bytes) -> list[Row]:
    digest, payload = blob[:32], blob[32:]
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError("corrupt entry")
    fmt, rows = marshal.loads(payload)
    if fmt != _FORMAT or not isinstance(rows, list):
        raise ValueError("stale entry")
    return rows
