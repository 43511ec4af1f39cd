"""The findings memo writes an entry's rows a chunk at a time (never the whole entry in
memory) and reads an entry only when all of it checks: a truncated, padded or flipped file,
a head or chunk lengths that lie, a chunk that is not rows, another key's entry or an entry of
the previous format is ignored, its findings evaluated again, the report byte-identical."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hdsguard.speed import findingsmemo
from hdsguard.speed.cache import seal, sealed_chunks, unseal_chunks, write_atomic
from tests.helpers import REPO, use_cache, write
from tests.test_findings_memo import CROSS, count_pairs, report_json

ROW = ("R-001", "fail", "high", "systems/s", "s.yaml", 3, 5, "message", "remediation")
CHUNKS = [[ROW] * 3, [ROW] * 3, [ROW]]


def entry(key: str, head: Any, chunks: list[bytes], lengths: list[int] | None = None) -> bytes:
    """An entry as :func:`sealed_chunks` lays it out, from chunks already marshalled, with a
    valid checksum whatever ``lengths`` say (what a writer's bug could make)."""
    body = b"".join(chunks)
    sizes = [len(c) for c in chunks] if lengths is None else lengths
    trailer = marshal.dumps((key, head, sizes), 4)
    body += trailer + len(trailer).to_bytes(8, "big")
    return body + hashlib.sha256(body).digest()


def test_an_entry_written_in_chunks_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "e.marshal"
    assert write_atomic(target, sealed_chunks("k", ("head", 1), iter(CHUNKS)))
    blob = target.read_bytes()
    assert blob == b"".join(sealed_chunks("k", ("head", 1), CHUNKS))
    head, chunks = unseal_chunks(blob, "k")
    assert head == ("head", 1)
    assert [marshal.loads(c) for c in chunks] == CHUNKS
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left


def test_an_entry_of_no_chunk_reads_back() -> None:
    head, chunks = unseal_chunks(b"".join(sealed_chunks("k", None, [])), "k")
    assert (head, chunks) == (None, [])


def test_a_chunk_marshal_cannot_carry_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "e.marshal"
    assert not write_atomic(target, sealed_chunks("k", None, [[ROW], [object()]]))
    assert list(tmp_path.iterdir()) == []


GOOD = [marshal.dumps(c, 4) for c in CHUNKS]


@pytest.mark.parametrize(
    ("damaged", "message"),
    [
        (entry("k", 1, GOOD)[:-1], "corrupt"),  # truncated
        (entry("k", 1, GOOD)[:40], "corrupt"),
        (entry("k", 1, GOOD)[:10], "corrupt"),
        (b"", "corrupt"),
        (entry("k", 1, GOOD) + b"\0", "corrupt"),  # trailing garbage
        (bytes([entry("k", 1, GOOD)[0] ^ 1]) + entry("k", 1, GOOD)[1:], "corrupt"),  # flipped
        (seal("k", (4, CHUNKS[0], {}, {})), "corrupt"),  # the previous layout
        (entry("other", 1, GOOD), "not the entry of this key"),
        (entry("k", 1, GOOD, [len(GOOD[0]), len(GOOD[1])]), "do not fill"),  # a chunk unsaid
        (entry("k", 1, GOOD, [*map(len, GOOD), 1]), "do not fill"),  # one too many
        (entry("k", 1, GOOD, [*map(len, GOOD), 0]), "not the lengths"),
        (entry("k", 1, GOOD, [len(GOOD[0]), -1, len(GOOD[1]) + 1 + len(GOOD[2])]), "not the"),
        (entry("k", 1, GOOD, (len(GOOD[0]), len(GOOD[1]), len(GOOD[2]))), "not the"),  # type: ignore[arg-type]
    ],
)
def test_an_entry_that_does_not_check_is_refused(damaged: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        unseal_chunks(damaged, "k")


# --- through the memo ------------------------------------------------------------------------


@pytest.fixture
def estate(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The arguments of a run of the lab example, with a rule that follows references (each
    file's entry then holds a group's findings too), two rows a chunk: every entry of a
    few findings is written in several chunks."""
    monkeypatch.setattr(findingsmemo, "_CHUNK", 2)
    write(tmp_path / "pol", {"acme.yaml": CROSS})
    return [str(REPO / "examples" / "lab-group"), "--policies", str(tmp_path / "pol")]


def entries(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((cache / "findings").glob("*.marshal"))}


def decoded(name: str, blob: bytes) -> Any:
    return findingsmemo._decode(blob, name.removesuffix(findingsmemo.SUFFIX))


def test_entries_in_chunks_are_read_back_whole(
    cache: Path, estate: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = report_json(estate)
    written = entries(cache)
    chunked = [unseal_chunks(b, n.removesuffix(".marshal")) for n, b in written.items()]
    assert max(len(chunks) for _, chunks in chunked) > 2
    assert any(head[3] and head[3][0][2] > 1 for head, _ in chunked)  # a group's, in chunks
    # A target's findings span chunks (and files' entries): read back, its file's and its
    # rule's names are one string each, as one marshal payload's references made them. Its
    # own name is not interned when written (a first run's peak, findings.to_shared_rows).
    rows = [row for name, blob in written.items() for row in decoded(name, blob)[0]]
    assert len({row[3] for row in rows}) < len(rows)
    for field in (0, 4):
        assert len({id(row[field]) for row in rows}) == len({row[field] for row in rows})
    pairs = count_pairs(monkeypatch)
    assert report_json(estate) == cold
    assert pairs == [(0, 0)]  # every finding came from the memo
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        assert report_json(estate) == cold


def _head_and_chunks(blob: bytes, key: str) -> tuple[Any, list[bytes]]:
    head, chunks = unseal_chunks(blob, key)
    return head, [bytes(c) for c in chunks]


def _recount(blob: bytes, key: str, by: int) -> bytes:
    (fmt, tally, count, groups), chunks = _head_and_chunks(blob, key)
    return entry(key, (fmt, tally, count + by, groups), chunks)


def _not_rows(value: object) -> Callable[[bytes, str], bytes | None]:
    def damage(blob: bytes, key: str) -> bytes | None:
        head, chunks = _head_and_chunks(blob, key)
        if not chunks:
            return None
        return entry(key, head, [marshal.dumps(value, 4), *chunks[1:]])

    return damage


def _shifted(blob: bytes, key: str) -> bytes | None:
    head, chunks = _head_and_chunks(blob, key)
    if len(chunks) < 2:
        return None
    lengths = [len(c) for c in chunks]
    lengths[0], lengths[1] = lengths[0] + 3, lengths[1] - 3
    return entry(key, head, chunks, lengths)


def _previous_format(blob: bytes, key: str) -> bytes:
    rows, tally, groups = findingsmemo._decode(blob, key)
    old = seal(key, (4, rows, tally, groups))
    assert old is not None
    return old


# Each damage, made to an entry; None: not to this one (it has too few chunks).
DAMAGES: dict[str, Callable[[bytes, str], bytes | None]] = {
    "truncated": lambda blob, key: blob[: len(blob) // 2],
    "truncated by one byte": lambda blob, key: blob[:-1],
    "wrong digest": lambda blob, key: blob[:-1] + bytes([blob[-1] ^ 1]),
    "a flipped row byte": lambda blob, key: bytes([blob[0] ^ 0x40]) + blob[1:],
    "trailing garbage": lambda blob, key: blob + b"garbage",
    "one chunk more than written": lambda blob, key: _recount(blob, key, 1),
    "one chunk fewer than written": lambda blob, key: _recount(blob, key, -1),
    "chunk lengths that lie": _shifted,
    "a chunk that is a number": _not_rows(42),
    "a chunk that is a dict": _not_rows({"rows": []}),
    "a chunk that is empty": _not_rows([]),
    "a chunk of rows too short": _not_rows([("R-001", "fail")]),
    "a head of another format": lambda blob, key: entry(key, (4, {}, 0, []), []),
    "the previous format": _previous_format,
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_entry_is_evaluated_again(
    cache: Path, estate: list[str], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    cold = report_json(estate)
    written = entries(cache)
    damaged = 0
    for name, blob in written.items():
        bad = DAMAGES[damage](blob, name.removesuffix(findingsmemo.SUFFIX))
        if bad is not None:
            (cache / "findings" / name).write_bytes(bad)
            damaged += 1
    assert damaged
    pairs = count_pairs(monkeypatch)
    assert report_json(estate) == cold  # no traceback (the runner would raise it)
    ((announced, evaluated),) = pairs
    assert announced == evaluated > 0
    rewritten = entries(cache)
    assert rewritten.keys() == written.keys()
    for name, blob in written.items():  # rewritten whole, holding what the first run wrote
        assert decoded(name, rewritten[name]) == decoded(name, blob)


def test_another_files_entry_is_evaluated_again(
    cache: Path, estate: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = report_json(estate)
    written = entries(cache)
    names = sorted(written)
    assert len(names) > 1
    for name, other in zip(names, [*names[1:], names[0]], strict=True):
        (cache / "findings" / name).write_bytes(written[other])
    pairs = count_pairs(monkeypatch)
    assert report_json(estate) == cold
    ((announced, evaluated),) = pairs
    assert announced == evaluated > 0
    rewritten = entries(cache)
    for name, blob in written.items():
        assert decoded(name, rewritten[name]) == decoded(name, blob)


def test_a_rows_severity_is_the_runs_never_the_one_read_back(
    cache: Path, estate: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An entry forged with its key (checksum recomputed) says every finding is low: a
    # critical failure would no longer break a gate at `high`. A finding's severity is its
    # rule's in the run (the memo's key holds the severities), stamped as it is read back.
    cold = report_json(estate)
    written = entries(cache)
    assert written
    for name, blob in written.items():
        key = name.removesuffix(findingsmemo.SUFFIX)
        head, chunks = _head_and_chunks(blob, key)
        rows = ([(*row[:2], "low", *row[3:]) for row in marshal.loads(c)] for c in chunks)
        assert write_atomic(cache / "findings" / name, sealed_chunks(key, head, rows))
    pairs = count_pairs(monkeypatch)
    assert report_json(estate) == cold
    assert pairs == [(0, 0)]  # every finding came from the forged entries


def _forge(blob: bytes, key: str, how: str) -> bytes | None:
    """``blob``'s entry forged with its key (checksum recomputed), its head's counts kept:
    ``"foreign row"``, a file's local rows given a row of one of its groups (a rule outside
    the local entry's); ``"row twice"``, its first row repeated; ``"foreign count"``, its
    local counts given one of a group's rules. None when the entry has no such part."""
    head, chunks = _head_and_chunks(blob, key)
    fmt, tally, count, groups = head
    rows = [marshal.loads(c) for c in chunks]
    if how == "row twice":
        if not rows:
            return None
        rows[0] = [*rows[0], rows[0][0]]
    elif not groups or not count or len(rows) <= count:
        return None  # no group beside local rows: a whole set's entry, or a file's without
    elif how == "foreign row":
        rows[0] = [*rows[0], rows[count][0]]
    else:
        row = rows[count][0]
        tally = {**tally, (row[0], "pass", row[4]): 1}
    return b"".join(sealed_chunks(key, (fmt, tally, count, groups), rows))


@pytest.mark.parametrize("how", ["foreign row", "row twice", "foreign count"])
def test_a_row_outside_its_entry_or_twice_discards_the_entry(
    cache: Path, estate: list[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # Rows are read back as written (status, message, location, reason, counts): a forged
    # one naming a rule its entry does not hold, or a (rule, target) pair twice, would give
    # a finding twice. Such an entry is discarded and its findings evaluated again, as for
    # any other mismatch: the report is a cache-less run's.
    cold = report_json(estate)
    written = entries(cache)
    forged = 0
    for name, blob in written.items():
        bad = _forge(blob, name.removesuffix(findingsmemo.SUFFIX), how)
        if bad is not None:
            (cache / "findings" / name).write_bytes(bad)
            forged += 1
    assert forged
    pairs = count_pairs(monkeypatch)
    assert report_json(estate) == cold
    ((announced, evaluated),) = pairs
    assert announced == evaluated > 0
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        assert report_json(estate) == cold
