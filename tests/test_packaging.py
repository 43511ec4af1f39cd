"""The wheel ships the built-in policies, the schemas and the reference data, and uses them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

# One worker under xdist: the wheel is built once (2-3 s).
pytestmark = pytest.mark.xdist_group("wheel")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
    )
    (found,) = out.glob("hdsguard-*.whl")
    return found


def test_wheel_contains_catalogue_schemas_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    policies = {p.name for p in (REPO / "policies").glob("*.yaml")}
    assert {f"hdsguard/_builtin/policies/{p}" for p in policies} <= names
    assert "hdsguard/_builtin/schemas/declaration.schema.json" in names
    assert "hdsguard/data/countries.json" in names
    assert "hdsguard/py.typed" in names
    assert "hdsguard/locale/fr/LC_MESSAGES/hdsguard.po" in names  # French, read at run time


def test_installed_wheel_runs_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    script = (
        "from hdsguard.policies.load import builtin_policy_dir; "
        "print(builtin_policy_dir().relative_to(__import__('pathlib').Path.cwd()))"
    )
    # Run from the extracted tree so the editable install of the repository is not used.
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {script}"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "hdsguard/_builtin/policies"
