"""verify-pack on a hostile pack: zip bombs, lying sizes, unsafe names, links, duplicates.

Every member was read whole into memory: one member declaring gigabytes, a hundred thousand
members, or a 1000:1 member could exhaust the verifying machine. Each is now refused, exit 2,
with the pack and member named, before its bytes are inflated.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from hdsguard.audit import packread
from tests.helpers import run_cli


def _zip(members: list[tuple[str, bytes]], mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 28, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = mode << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _declare_size(data: bytes, size: int) -> bytes:
    """``data`` (a one-member zip) with the member's uncompressed size rewritten to ``size``
    in its local header and in the central directory: a zip that lies."""
    out = bytearray(data)
    local = out.index(b"PK\x03\x04")
    out[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = out.index(b"PK\x01\x02")
    out[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(out)


def _verify(tmp_path: Path, data: bytes, *lang: str) -> tuple[int, str]:
    pack = tmp_path / "p.zip"
    pack.write_bytes(data)
    result = run_cli(["verify-pack", str(pack), *lang])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def test_a_member_declaring_gigabytes_is_refused_before_reading(tmp_path: Path) -> None:
    bomb = _declare_size(_zip([("inputs/decl.yaml", b"x" * 100)]), 0xF000_0000)
    code, says = _verify(tmp_path, bomb)
    assert code == 2
    assert f"{tmp_path / 'p.zip'}: inputs/decl.yaml: declares 4026531840 bytes, over the " in says
    assert "limit of 256 MiB for one member" in says
    assert "ask its sender for the pack as written" in says


def test_a_member_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    """The declared size lies low: reading stops there and the pack is refused."""
    liar = _declare_size(_zip([("inputs/decl.yaml", b"x" * 500_000)]), 1000)
    code, says = _verify(tmp_path, liar)
    assert code == 2 and "inputs/decl.yaml: cannot be read (Bad CRC-32" in says


def test_a_thousand_to_one_member_is_refused(tmp_path: Path) -> None:
    code, says = _verify(tmp_path, _zip([("inputs/scan.xml", bytes(8 * 2**20))]))
    assert code == 2
    assert "inputs/scan.xml: compressed 1" in says and ", over the limit of 200:1" in says


def test_members_declaring_too_much_in_all_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packread, "MAX_TOTAL_BYTES", 2**20)
    members = [(f"inputs/{i}.yaml", bytes(range(256)) * 1024) for i in range(5)]
    code, says = _verify(tmp_path, _zip(members))
    assert code == 2
    assert f"{tmp_path / 'p.zip'}: its members declare 1310720 bytes in all, over the " in says


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    members = [(f"i/{i}", b"") for i in range(packread.MAX_MEMBERS + 1)]
    code, says = _verify(tmp_path, _zip(members))
    assert code == 2 and "p.zip: 10001 members, over the limit of 10000" in says


def test_a_hundred_thousand_members_are_refused_before_zipfile_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = [(f"inputs/{i:06}", b"") for i in range(100_000)]
    data = _zip(members)

    def never(*args: object) -> None:
        raise AssertionError("zipfile read the directory of members")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", never)
    code, says = _verify(tmp_path, data)
    assert code == 2 and "its directory of members is " in says and "limit of 4 MiB" in says


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("inputs/../../etc/cron.d/x", "'inputs/../../etc/cron.d/x': a path outside the pack"),
        ("/etc/passwd", "'/etc/passwd': a path outside the pack"),
        ("inputs\\..\\x", "a path outside the pack"),
    ],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str, says: str) -> None:
    code, stderr = _verify(tmp_path, _zip([(name, b"x")]))
    assert code == 2 and says in stderr


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = _zip([("inputs/decl.yaml", b"/etc/shadow")], mode=stat.S_IFLNK | 0o777)
    code, says = _verify(tmp_path, link)
    assert code == 2 and "inputs/decl.yaml: a symbolic link: a pack holds regular files" in says


def test_a_name_twice_is_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = _zip([("report.json", b"{}"), ("report.json", b"[]")])
    code, says = _verify(tmp_path, twice)
    assert code == 2 and "report.json: in the pack twice" in says


def test_the_refusal_speaks_french(tmp_path: Path) -> None:
    bomb = _declare_size(_zip([("inputs/decl.yaml", b"x" * 100)]), 0xF000_0000)
    code, says = _verify(tmp_path, bomb, "--lang", "fr")
    assert code == 2
    assert "inputs/decl.yaml : déclare 4026531840 octets, au-delà de la limite de 256 Mio" in says
