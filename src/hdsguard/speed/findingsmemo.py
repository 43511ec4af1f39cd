"""Findings of unchanged declaration files, reused from the previous run.

A policy is *local* when none of its expressions reads another object than its target (see
``policies.locality``): its findings on the targets of one file are then fully decided by
that file's bytes (objects and positions), the compiled catalogue, the parameters and
severities, the evaluation date and whether evidence messages are rendered. The memo keeps,
per declaration file, the findings of the local policies, and the outcomes they only counted
(passes and not-applicable pairs of a run without evidence, :func:`hdsguard.engine.run`),
under a key hashing all of these (the *context*, and the file's content key). The context
also holds which rules that warn on missing evidence are in use in which sections
(:func:`hdsguard.engine.fields_in_use`): through it alone, such a rule's verdict on a target
depends on the other targets of its section, so its flip (a `dpia` declared on one system)
makes every entry of the other state unused, and switching back finds them again. In a run given
no evidence file, the policies that read other objects only through evidence helpers are
local too (``policies.locality.EVIDENCE_HELPERS``); the key lists the policies memoized, so
the entries of a run with evidence and of one without never mix.

The policies that follow references read other objects only through hdsguard's helpers, each
of which reads the sections its entry of ``policies.celenv.SECTIONS_READ`` names and no other
(the CEL context refuses any other read: the pair is then an error, never a stale verdict).
So a policy's findings on the targets of a file are decided by that file, and by the files
declaring an object of a section its helpers read (``CompiledPolicy.reads``). These policies
are grouped by those sections; each group's findings on the targets of a file are kept under
a key (:meth:`FindingsMemo.group_key`) hashing the context, the group's rules, the file's
name and content key, and for each section read the name and content key of every file
declaring an object of it, in the set's order. A file that gains or loses such objects, is
added, removed, renamed or reordered, changes that list; an object moved between files
changes both. A helper that only counts a section's objects (``services_count()``, a
*counted* read, ``celenv.COUNTED``) keys on that number instead. After one services file is
edited, no group reads services: only that file's targets are evaluated again. A group's
findings are kept inside the file's own entry, beside its local findings, with the group's
previous state (a branch switched back finds it): one entry file per group and file doubled
the files a first run writes.

The policies of which nothing can be said (they read ``decl``, call a helper without an
entry, or their syntax tree does not decode) have one entry for the whole set, keyed on every
file's name and content, in order (:meth:`FindingsMemo.set_key`), with every policy's
findings on the singletons no file declares (evaluated as empty objects). Groups' findings
and the whole-set entry are used only when no evidence file is given (evidence is read with
settings that are not in any key: each scan's vantage, a certificate's host). The related
locations of findings (``Finding.related``) are computed after the run, only in runs with
evidence, and never stored.

Entries live in ``<cache dir>/findings/``, are marshal data in chunks of rows
(:func:`hdsguard.speed.cache.sealed_chunks`: each chunk made from the findings and written as it
comes, a first run never holds an entry whole), closed by their own key, the chunks' lengths
and a SHA-256 over all of it, checked before any chunk is read: an entry copied over another
file's, truncated, padded, flipped or unreadable, or whose head or chunks are not what the
writer makes, is never used, the file is evaluated again and its entry rewritten. They are
pruned like the declaration cache. The code fingerprint is the whole installed package, code
and data (the section table included).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import marshal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from hdsguard.declarations.merge import DeclarationSet
from hdsguard.findings import (
    Finding,
    Row,
    Severity,
    Stamps,
    Tally,
    add_tally,
    checked_tally,
    from_rows,
    to_shared_rows,
)
from hdsguard.policies.celenv import COUNTED, section_count
from hdsguard.policies.load import CompiledPolicy
from hdsguard.speed.cache import (
    code_fingerprint,
    load_safely,
    sealed_chunks,
    subdir,
    unseal_chunks,
    write_atomic,
)

# 2: sealed with the entry's own key; 3: the counted outcomes beside the findings (an entry
# of format 2 holds the passes of a run without evidence as findings: refused, rebuilt);
# 4: a file's entry holds its groups' findings too (one file written per declaration file);
# 5: the rows in chunks (:func:`hdsguard.speed.cache.sealed_chunks`), never held whole;
# 6: each row ends with the finding's reason (hdsguard.reasons); 7: then its undeclared
# section (Finding.undeclared), which no report reads back from the message any more.
_FORMAT = 7
# Rows per chunk: a chunk's rows and bytes (≈ 300 KB) are all a write holds at a time, where
# the largest entry at 10k objects (40,000 rows) was 6 MB of rows and as many of payload.
_CHUNK = 2000
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
        in_use: Iterable[tuple[str, str]] = (),
        reasons: bool = True,
    ) -> FindingsMemo | None:
        """The memo of a run; ``evidence``: messages of passes rendered; ``observed``:
        evidence files given (policies local only without them are then not memoized);
        ``in_use``: the run's :func:`hdsguard.engine.fields_in_use`; ``reasons``: whether
        failing findings carry their reason (the entries of a run without them hold none)."""
        folder = subdir(SUBDIR)
        if folder is None or catalogue_key is None or not digests:
            return None
        context = {
            "fingerprint": code_fingerprint(_FORMAT),
            "catalogue": catalogue_key,
            "as_of": as_of.isoformat(),
            "evidence": evidence,
            "reasons": reasons,
            "policies": [p.id for p in policies if p.local_in(observed)],
            "params": {k: dict(v) for k, v in sorted(params.items())},
            "severities": {k: v.value for k, v in sorted(severities.items())},
            # Whether a rule that warns on missing evidence warns or fails on a target that
            # declares none of its fields depends on the other targets of its section, through
            # this alone: when it changes, no entry of the other state is used.
            "in_use": sorted(f"{rule} {section}" for rule, section in in_use),
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
        named = self._named(paths)
        if named is None:
            return None
        return _hash([self.context, "whole set", ",".join(sorted(rules)), *named])

    def group_key(self, path: str, rules: Iterable[str], files: str) -> str | None:
        """The key of the findings of ``rules`` (policies that follow references) on the
        targets of ``path``: its name and content, and ``files``, the :meth:`files_key` of
        the files declaring the sections their helpers read; None when ``path`` has no
        content key."""
        digest = self.digests.get(path)
        if digest is None:
            return None
        return _hash([self.context, "non-local", ",".join(sorted(rules)), path, digest, files])

    def files_key(
        self, files: Mapping[str, Sequence[str]], counts: Mapping[str, int] | None = None
    ) -> str | None:
        """A hash of each section's name, then the name and content key of every file
        declaring an object of it (``files``), in order, and of each counted read's name and
        number (``counts``); None when a file has no content key. Made once per group, not
        once per file."""
        parts: list[str] = []
        for section, paths in sorted(files.items()):
            named = self._named(paths)
            if named is None:
                return None
            parts += [section, *named]
        for section, count in sorted((counts or {}).items()):
            parts += [section, str(count)]
        return _hash(parts)

    def _named(self, paths: Iterable[str]) -> list[str] | None:
        """Each path's name then content key, in order; None when one has no content key."""
        parts: list[str] = []
        for path in paths:
            digest = self.digests.get(path)
            if digest is None:
                return None
            parts += [path, digest]
        return parts

    def recall(
        self,
        decl: DeclarationSet,
        policies: Sequence[CompiledPolicy],
        stamps: Stamps,
        observed: bool,
    ) -> Recalled:
        """What the memo holds for this run: findings and counts, the policies they settle
        per file, and the entries to write once the rest is evaluated (:meth:`remember`)."""
        recalled = Recalled([], {}, {}, [], {})
        paths = [s.path for s in decl.sources]
        local = frozenset(p.id for p in policies if p.local_in(observed))
        groups: dict[tuple[str, ...], list[CompiledPolicy]] = {}
        whole: set[str] = set()
        for policy in policies:
            if observed or policy.local_in(observed):
                continue  # with evidence, only the local policies are memoized
            if policy.reads is None:
                whole.add(policy.id)
            else:
                groups.setdefault(policy.reads, []).append(policy)
        slots = self._group_slots(decl, paths, groups)
        for path in paths:
            key = self._key(path)
            if key is None:
                continue
            kept = self._read(key)
            mine = slots.get(path, [])
            recalled.files[path] = _File(key, kept, [k for k, _ in mine])
            rows = (kept[0], kept[1]) if kept is not None else None
            self._take(recalled, _Entry(key, local, path), rows, stamps)
            for group_key, rules in mine:
                rows = kept[2].get(group_key) if kept is not None else None
                self._take(recalled, _Entry(group_key, rules, path), rows, stamps)
        if observed:  # evidence is read with settings the keys do not hold
            return recalled
        # The rest: the policies reading anything, on the whole set, and every policy on the
        # targets of no file (undeclared singletons), keyed on every file.
        non_local = whole | {p.id for group in groups.values() for p in group}
        key = self.set_key(paths, non_local)
        if key is not None:
            kept = self._read(key)
            rows = (kept[0], kept[1]) if kept is not None else None
            self._take(recalled, _Entry(key, frozenset(whole), None), rows, stamps)
        if recalled.done.get(None):
            for path in paths:
                recalled.done[path] = recalled.done.get(path, frozenset()) | whole
        return recalled

    def _read(self, key: str) -> _Kept | None:
        return load_safely(self.folder / f"{key}{SUFFIX}", partial(_decode, key=key))

    def _group_slots(
        self,
        decl: DeclarationSet,
        paths: Sequence[str],
        groups: Mapping[tuple[str, ...], Sequence[CompiledPolicy]],
    ) -> dict[str, list[tuple[str, frozenset[str]]]]:
        """Per file, (key, rules) of each group of policies with targets in it."""
        declaring, targets_in = _declaring(decl) if groups else ({}, {})
        data = decl.as_data() if groups else {}
        slots: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for reads, group in groups.items():
            rules = frozenset(p.id for p in group)
            applies = {s for p in group for s in p.meta.applies_to}
            # A counted read sees one number (celenv.section_count): the key holds it, not the
            # files declaring the section, which an edit of any of them would change.
            counts = {
                s: section_count(data.get(s.removesuffix(COUNTED)))
                for s in reads
                if s.endswith(COUNTED)
            }
            files = self.files_key(
                {s: declaring.get(s, []) for s in reads if s not in counts}, counts
            )
            for path in paths:
                if files is not None and targets_in.get(path, set()) & applies:
                    key = self.group_key(path, rules, files)
                    if key is not None:  # else evaluated every time
                        slots.setdefault(path, []).append((key, rules))
        return slots

    def _take(
        self,
        recalled: Recalled,
        entry: _Entry,
        rows: tuple[list[Row], Tally] | None,
        stamps: Stamps,
    ) -> None:
        """The findings of ``entry`` from the ``rows`` kept for it, or the entry in the list
        of those to write."""
        hit = None
        if rows is not None:
            try:
                hit = from_rows(rows[0], stamps), rows[1]
                _held(entry, *hit)
            except (KeyError, ValueError, TypeError):
                hit = None
        if hit is None:
            recalled.pending.append(entry)
            return
        recalled.findings.extend(hit[0])
        add_tally(recalled.tally, hit[1])
        settled = entry.rules if entry.file is not None else frozenset({_EVERY})
        recalled.done[entry.file] = recalled.done.get(entry.file, frozenset()) | settled

    def remember(self, recalled: Recalled, produced: Iterable[Finding], counted: Tally) -> None:
        """Write the entries the run missed, from the findings and counts it evaluated: the
        whole set's, and each file's whose local or group findings were evaluated."""
        # file -> (rules, index) of the entries holding findings on its targets: a few each,
        # where a dict per file of every rule cost a first run at 10k ≈ 1 MiB at its peak.
        owner: dict[str | None, list[tuple[frozenset[str], int]]] = {}
        whole: tuple[frozenset[str], int] | None = None
        for i, entry in enumerate(recalled.pending):
            if entry.file is None:
                whole = (entry.rules, i)
            else:
                owner.setdefault(entry.file, []).append((entry.rules, i))
        batches: list[tuple[list[Finding], Tally]] = [([], {}) for _ in recalled.pending]
        for finding in produced:  # every finding of a first run
            at = _holder(owner, whole, finding[0], finding[4])
            if at is not None:
                batches[at][0].append(finding)
        for item, n in counted.items():
            at = _holder(owner, whole, item[0], item[2])
            if at is not None:
                batches[at][1][item] = n
        # Findings, made rows only when their entry is written, a chunk at a time: rows for
        # every finding of a first run at once made its peak (JSON at 10k objects: +20 MiB).
        fresh: dict[str, tuple[list[Finding], Tally]] = {}
        for entry, (findings, tally) in zip(recalled.pending, batches, strict=True):
            assert entry.key is not None
            if entry.file is None:
                self._write(entry.key, _Rows(findings, [], tally), {})
            else:
                fresh[entry.key] = (findings, tally)
        for path in {entry.file for entry in recalled.pending if entry.file is not None}:
            self._rewrite(recalled.files[path], fresh)

    def _rewrite(self, file: _File, fresh: Mapping[str, tuple[list[Finding], Tally]]) -> None:
        """A file's entry: its local findings and those of its groups, fresh or kept, and
        as many earlier states of its groups (a branch switched back finds them)."""
        kept = file.kept
        earlier = {k: _Rows([], *v) for k, v in kept[2].items()} if kept is not None else {}
        local = _rows(fresh, file.key)
        if local is None and kept is not None:
            local = _Rows([], kept[0], kept[1])
        groups: dict[str, _Rows] = {}
        for key in file.groups:
            found = _rows(fresh, key)
            if found is None:
                found = earlier.get(key)
            if found is None or local is None:
                return  # cannot happen: each part was either kept or evaluated
            groups[key] = found
        if local is None:
            return
        for key, value in earlier.items():
            if len(groups) >= 2 * len(file.groups):
                break
            groups.setdefault(key, value)
        self._write(file.key, local, groups)

    def _write(self, key: str, local: _Rows, groups: Mapping[str, _Rows]) -> None:
        # The head: the format, the local counts and number of chunks, then each group's key,
        # counts and number of chunks; the chunks follow in that order (:func:`_decode`).
        # Written a chunk at a time, made as they are written: a first run writes its
        # entries at its peak (JSON at 10k objects, the largest entry 40,000 rows).
        head = (
            _FORMAT,
            local.tally,
            local.chunk_count(),
            [(group, rows.tally, rows.chunk_count()) for group, rows in groups.items()],
        )
        chunks = (c for rows in (local, *groups.values()) for c in rows.chunks())
        if write_atomic(self.folder / f"{key}{SUFFIX}", sealed_chunks(key, head, chunks)):
            from hdsguard.speed.declaration_cache import DeclarationCache

            DeclarationCache(self.folder).prune()


# What a file's entry holds: the local policies' rows and counts, and per group key those of
# a group of policies that follow references (the whole set's entry: its rows, no groups).
_Kept = tuple[list[Row], Tally, dict[str, tuple[list[Row], Tally]]]


class _Rows(NamedTuple):
    """Rows to write, a chunk at a time: made from a run's ``findings``, or kept as read."""

    findings: list[Finding]
    rows: list[Row]
    tally: Tally

    def chunk_count(self) -> int:
        """The number of chunks :meth:`chunks` gives."""
        return -(-len(self.findings) // _CHUNK) + -(-len(self.rows) // _CHUNK)

    def chunks(self) -> Iterator[list[Row]]:
        for i in range(0, len(self.findings), _CHUNK):
            yield to_shared_rows(self.findings[i : i + _CHUNK])
        for i in range(0, len(self.rows), _CHUNK):
            yield self.rows[i : i + _CHUNK]


class _File(NamedTuple):
    key: str  # of the file's entry
    kept: _Kept | None  # what it held (rewritten with its rows as they are)
    groups: list[str]  # the keys of the groups with targets in the file, in this run


class _Entry(NamedTuple):
    key: str | None
    rules: frozenset[str]
    # The file whose targets it holds the findings of ``rules`` on; None: the whole set's
    # entry (``rules`` on every file, and every policy on the targets of no file).
    file: str | None


# Every policy: what the whole set's entry settles on the targets of no file (no rule id
# holds a NUL).
_EVERY = "\0every policy"


class Recalled(NamedTuple):
    """What the memo gave a run, and what it will keep of it."""

    findings: list[Finding]
    tally: Tally
    # Per file (None: the targets of no file), the policies whose findings came from the memo
    # (on the targets of no file, every policy when it holds ``_EVERY``).
    done: dict[str | None, frozenset[str]]
    pending: list[_Entry]  # the findings missed, to write after the evaluation
    files: dict[str, _File]  # each file's entry, as read

    def settled(self, path: str | None, policy: str) -> bool:
        done = self.done.get(path)
        return done is not None and (policy in done or _EVERY in done)


def _hash(parts: Sequence[str]) -> str:
    # A file name may hold bytes that are not UTF-8 (b"sys\xff.yaml"): kept as they are.
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _held(entry: _Entry, findings: list[Finding], tally: Tally) -> None:
    """ValueError unless every finding and count read back for ``entry`` is one it holds: of
    one of its rules (the whole set's entry also holds every rule on the targets of no file,
    whose findings have no file: :func:`_holder`), and each (rule, target) pair once. Rows are
    read back as written: a forged one naming another entry's rule, or a pair twice, would
    give a finding twice. Each rule's targets listed, then made a set: ≈ 10 ms for the
    129,000 findings of a warm run at 10k objects, a third of a set lookup per row."""
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        targets = by_rule.get(finding[0])
        if targets is None:
            targets = by_rule[finding[0]] = []
        targets.append(finding[3])
    foreign = by_rule.keys() - entry.rules
    if foreign and (
        entry.file is not None or any(f[4] is not None for f in findings if f[0] in foreign)
    ):
        raise ValueError("a finding of another entry's rule")
    for targets in by_rule.values():
        if len(set(targets)) != len(targets):
            raise ValueError("a finding twice")
    for rule, _status, file in tally:
        if rule not in entry.rules and (entry.file is not None or file is not None):
            raise ValueError("counts of another entry's rule")


def _holder(
    owner: Mapping[str | None, list[tuple[frozenset[str], int]]],
    whole: tuple[frozenset[str], int] | None,
    rule: str,
    file: str | None,
) -> int | None:
    """The entry (its index) to hold ``rule``'s findings on the targets of ``file``."""
    for rules, i in owner.get(file, ()):
        if rule in rules:
            return i
    if whole is not None and (file is None or rule in whole[0]):
        return whole[1]
    return None


def _declaring(decl: DeclarationSet) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """The files declaring an object of each section, in the set's order; the sections of the
    objects each file declares."""
    order = {source.path: i for i, source in enumerate(decl.sources)}
    sections: dict[str, set[str]] = {}
    for (section, _ident), origin in decl.origins.items():
        sections.setdefault(origin.source.path, set()).add(section)
    # A file declaring a list section with no object (`services: []`) counts too: whether the
    # section is declared at all is what a rule may read (EXP-006's services inventory).
    every = {path: set(found) for path, found in sections.items()}
    for section, paths in decl.declared_in.items():
        for path in paths:
            every.setdefault(path, set()).add(section)
    declaring: dict[str, list[str]] = {}
    for path in sorted(every, key=lambda path: order.get(path, len(order))):
        for section in sorted(every[path]):
            declaring.setdefault(section, []).append(path)
    return declaring, sections


def _rows(fresh: Mapping[str, tuple[list[Finding], Tally]], key: str) -> _Rows | None:
    found = fresh.get(key)
    return None if found is None else _Rows(found[0], [], found[1])


def _decode(blob: bytes, key: str) -> _Kept:
    """What an entry written by :meth:`FindingsMemo._write` holds; ValueError when it is
    not whole (checked over all its bytes before any chunk is read), of another key or
    format, or its head or a chunk is not what the writer makes."""
    head, chunks = unseal_chunks(blob, key)
    if type(head) is not tuple or len(head) != 4 or head[0] != _FORMAT:
        raise ValueError("stale entry")
    _fmt, tally, count, groups = head
    if type(groups) is not list:
        raise ValueError("not a memo entry")
    at = _count(count)
    rows = _joined(chunks[:at])
    kept: dict[str, tuple[list[Row], Tally]] = {}
    for group in groups:
        if type(group) is not tuple or len(group) != 3 or type(group[0]) is not str:
            raise ValueError("not a group's findings")
        n = _count(group[2])
        kept[group[0]] = (_joined(chunks[at : at + n]), checked_tally(group[1]))
        at += n
    if at != len(chunks):
        raise ValueError("not as many chunks as the head says")
    return rows, checked_tally(tally), kept


def _count(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("not a number of chunks")
    return value


def _joined(chunks: Sequence[memoryview]) -> list[Row]:
    """The rows of ``chunks``, one list; ValueError when a chunk is not a list, or empty
    (the writer makes none). Each row is checked as its finding is made (:func:`from_rows`:
    ten fields, a known status, severity and rule, a reason that is a text), as before
    chunks."""
    rows: list[Row] = []
    for chunk in chunks:
        part = marshal.loads(chunk)
        if type(part) is not list or not part:
            raise ValueError("not rows")
        rows += part
    return rows
