"""Findings of unchanged declaration files, reused from the previous run.

A policy is *local* when none of its expressions reads another object than its target (see
``policies.locality``): its findings on the targets of one file are then fully decided by
that file's bytes (objects and positions), the compiled catalogue, the parameters and
severities, the evaluation date and whether evidence messages are rendered. The memo keeps,
per declaration file, the findings of the local policies, and the outcomes they only counted
(passes and not-applicable pairs of a run without evidence, :func:`hdsguard.engine.run`),
under a key hashing all of these; a
pre-commit run after a one-file change re-evaluates that file, and every rule that follows
references (HDS rules, backups at a provider…) on the whole set, as always. In a run given no
evidence file, the policies that read other objects only through evidence helpers are local
too (``policies.locality.EVIDENCE_HELPERS``); the key lists the policies memoized, so the
entries of a run with evidence and of one without never mix.

The other policies (those that follow references) have one entry for the whole set, keyed on
every file's name and content, in order (:meth:`FindingsMemo.set_key`): it serves a run in
which no declaration file changed (a CI re-run, ``pre-commit run --all-files``) and only when
no evidence file is given (evidence is read with settings that are not in the key: each
scan's vantage, a certificate's host), and a change to any file evaluates them all again.

Entries live in ``<cache dir>/findings/``, are marshal data sealed with a SHA-256 and their own
key (:func:`hdsguard.speed.cache.seal`): an entry copied over another file's, flipped or unreadable
is never used, the file is evaluated again and its entry rewritten. They are pruned like the
declaration cache. The code fingerprint is the whole installed package, code and data.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hdsguard.findings import Finding, Row, Severity, Tally, checked_tally, from_rows, to_rows
from hdsguard.policies.load import CompiledPolicy
from hdsguard.speed.cache import code_fingerprint, load_safely, seal, subdir, unseal, write_atomic

# 2: sealed with the entry's own key; 3: the counted outcomes beside the findings (an entry
# of format 2 holds the passes of a run without evidence as findings: refused, rebuilt).
_FORMAT = 3
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
        observed: bool = False,
    ) -> FindingsMemo | None:
        """The memo of a run; ``evidence``: messages of passes rendered; ``observed``:
        evidence files given (policies local only without them are then not memoized)."""
        folder = subdir(SUBDIR)
        if folder is None or catalogue_key is None or not digests:
            return None
        context = {
            "fingerprint": code_fingerprint(_FORMAT),
            "catalogue": catalogue_key,
            "as_of": as_of.isoformat(),
            "evidence": evidence,
            "policies": [p.id for p in policies if p.local_in(observed)],
            "params": {k: dict(v) for k, v in sorted(params.items())},
            "severities": {k: v.value for k, v in sorted(severities.items())},
        }
        text = json.dumps(context, sort_keys=True, default=str)
        return cls(folder, hashlib.sha256(text.encode()).hexdigest(), digests)

    def _key(self, path: str) -> str | None:
        digest = self.digests.get(path)
        if digest is None:
            return None
        return hashlib.sha256(f"{self.context}\0{digest}".encode()).hexdigest()

    def set_key(self, paths: Sequence[str], rules: Iterable[str]) -> str | None:
        """The key of the findings of ``rules`` on the whole set of ``paths`` (the policies that
        follow references between objects): every file's name and content, in order, and the
        rules; None when a file has no content key."""
        parts = [self.context, "whole set", ",".join(sorted(rules))]
        for path in paths:
            digest = self.digests.get(path)
            if digest is None:
                return None
            parts += [path, digest]
        # A file name may hold bytes that are not UTF-8 (b"sys\xff.yaml"): kept as they are.
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def get(
        self, path: str, references: Mapping[str, tuple[str, ...]]
    ) -> tuple[list[Finding], Tally] | None:
        """The findings and counted outcomes kept for ``path``, or None (evaluate it)."""
        return self.load(self._key(path), references)

    def put(self, path: str, findings: Iterable[Finding], tally: Tally) -> None:
        self.store(self._key(path), findings, tally)

    def load(
        self, key: str | None, references: Mapping[str, tuple[str, ...]]
    ) -> tuple[list[Finding], Tally] | None:
        """The findings and counted outcomes kept under ``key``, or None (evaluate them)."""
        if key is None:
            return None
        entry = load_safely(self.folder / f"{key}{SUFFIX}", lambda blob: _decode(blob, key))
        if entry is None:
            return None
        rows, tally = entry
        try:
            return from_rows(rows, references), tally
        except (KeyError, ValueError, TypeError):
            return None

    def store(self, key: str | None, findings: Iterable[Finding], tally: Tally) -> None:
        if key is None:
            return
        blob = seal(key, (_FORMAT, to_rows(findings), tally))
        if blob is not None and write_atomic(self.folder / f"{key}{SUFFIX}", blob):
            from hdsguard.speed.declaration_cache import DeclarationCache

            DeclarationCache(self.folder).prune()


def _decode(blob: bytes, key: str) -> tuple[list[Row], Tally]:
    fmt, rows, tally = unseal(blob, key)
    if fmt != _FORMAT or not isinstance(rows, list):
        raise ValueError("stale entry")
    return rows, checked_tally(tally)
