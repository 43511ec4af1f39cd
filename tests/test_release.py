"""The release is prepared: one version everywhere, a changelog section for it, and docs that
pin only what resolves (no tag exists until the first release, docs/releasing.md)."""

from __future__ import annotations

import re
import subprocess
import tomllib

from hdsguard import __version__
from tests.helpers import REPO


def test_one_version_and_a_changelog_section_for_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", changelog, re.MULTILINE)
    assert sections[0] in (f"Unreleased ({__version__})",) or sections[0].startswith(
        f"{__version__} — "
    )


def _tags() -> set[str]:
    done = subprocess.run(["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True)
    return set(done.stdout.split()) if done.returncode == 0 else set()


def test_docs_pin_revisions_that_exist() -> None:
    """A `rev:` in the README or the docs is a full commit sha, or a tag that exists."""
    tags = _tags()
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for rev in re.findall(r"^\s*rev: (\S+)", path.read_text(encoding="utf-8"), re.M):
            assert re.fullmatch(r"[0-9a-f]{40}", rev) or rev in tags, f"{path.name}: {rev}"


def test_no_command_installs_from_pypi_before_a_release() -> None:
    """What users paste (fenced blocks) never says `pip install hdsguard` while it is not
    published: from git, a path or a clone only."""
    if f"v{__version__}" in _tags():
        return
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in re.findall(r"```\w*\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            assert not re.search(r"pip install (--\S+ )*hdsguard\b(?! @)", block), path.name
