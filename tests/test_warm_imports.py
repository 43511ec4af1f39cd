"""A warm run (catalogue, declarations and findings from the cache) neither imports PyYAML nor
builds the CEL environment, with or without a config in block YAML (which the line reader
reads): a pre-commit hook's run is mostly imports, and these were about 15 ms of its 0.13 s.
The first run, which reads the files, does both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, cache_env

_PROBE = """
import json, sys
from hdsguard.policies import celenv

built = []
real = celenv.CelRuntime.env.func


def env(self):
    built.append(1)
    return real(self)


celenv.CelRuntime.env = celenv.cached_property(env)
celenv.CelRuntime.env.__set_name__(celenv.CelRuntime, "env")
from hdsguard.cli import main

try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"yaml": "yaml" in sys.modules, "env": bool(built), "code": code}))
"""


def _run(cache: Path, where: Path, argv: list[str]) -> dict[str, object]:
    env = cache_env(cache)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv, "--as-of", "2026-11-28"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("config", [False, True])
def test_a_warm_run_imports_no_yaml_and_builds_no_cel_environment(
    tmp_path: Path, config: bool
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    where, argv = REPO, ["check", "examples/hospital"]
    if config:  # as `hdsguard init` writes it: the declarations named there
        where, argv = tmp_path, ["check"]
        hospital = json.dumps(str(REPO / "examples" / "hospital"))
        (tmp_path / ".hdsguard.yaml").write_text(f"version: 1\ndeclarations: [{hospital}]\n")
    cold = _run(cache, where, argv)
    assert cold == {"yaml": True, "env": True, "code": 0}  # reads the files and compiles
    assert _run(cache, where, argv) == {"yaml": False, "env": False, "code": 0}
