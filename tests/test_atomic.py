"""The one way hdsguard replaces a file (hdsguard.atomic): whole or not at all, no temporary
file left, permissions kept (or private), no link followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hdsguard.atomic import replacing, replacing_text, temporary_for


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), replacing_text(path) as handle:
        handle.write("half of the new")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_private_file_is_0600_whatever_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "entry"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)
    with replacing(path, private=True) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_shared_file_keeps_the_permissions_of_the_one_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "audit.html"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o640)
    with replacing_text(path) as handle:
        handle.write("nouveau é")
    assert path.read_text(encoding="utf-8") == "nouveau é"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW")
def test_a_link_planted_at_the_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    path = tmp_path / "report.txt"
    temporary_for(path).symlink_to(victim)
    with pytest.raises(OSError), replacing_text(path) as handle:
        handle.write("overwrite?")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not path.exists()
