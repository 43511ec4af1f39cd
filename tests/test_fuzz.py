"""Property-based: whatever the declarations hold, the CLI ends cleanly.

Random and mutated declaration sets (valid small sets with keys dropped, types changed, random
unicode inserted, raw text garbled) go through ``hdsguard check --format json``. The CLI must
end with 0 or 1 and a parseable JSON report, or with 2 and located errors on stderr — never a
traceback, never an internal error. Examples are bounded so that CI stays fast.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hdsguard.api
from hdsguard.cli import main
from hdsguard.declarations.sections import SECTIONS as SECTION_NAMES
from tests.helpers import AS_OF, random_spot

LOCATED = re.compile(r"^[^:]+(:\d+(:\d+)?)?: .+")
SECTIONS = list(SECTION_NAMES)
BASE: dict[str, Any] = {
    "organisation": {
        "name": "Clinique du Parc",
        "kind": "clinic",
        "finess": {"ej": "760003988"},
        "security_officer": {"name": "A. Martin", "email": "rssi@clinique.example"},
        "last_pentest": "2026-03-01",
        "continuity_plan": {"exists": True, "last_test": "2026-01-10"},
    },
    "identity": {"mfa_admin": True, "admin_accounts": {"dedicated": True, "individual": False}},
    "logging": {"centralised": True, "retention_days": 200},
    "providers": [
        {
            "id": "host-1",
            "name": "Hébergeur",
            "services": ["iaas"],
            "hds": {"activities": [1, 2], "valid_until": "2027-01-01", "referential": "v2"},
            "storage_countries": ["FR"],
        }
    ],
    "systems": [
        {"id": "dpi", "name": "DPI", "health_data": True, "hosted_by": "host-1"},
        {"id": "paie", "name": "Paie", "backup": {"last_success": "2026-11-27", "offsite": True}},
    ],
    "services": [
        {
            "id": "portal",
            "system": "dpi",
            "protocol": "https",
            "exposure": "internet",
            "port": 443,
            "tls": {"min_version": "1.2", "certificate": "cert-1"},
        }
    ],
    "firewalls": [
        {
            "id": "fw-1",
            "last_patch": "2026-10-01",
            "rules": [{"from": "any", "to": "any", "port": "any", "action": "allow"}],
        }
    ],
    "vendors": [{"id": "v-1", "name": "Maintenance", "systems": ["dpi"], "country": "MA"}],
    "certificates": [{"id": "cert-1", "not_after": "2026-12-01", "public": True}],
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-28", "2026-02-30", "NO", "yes", "~", "1e5", "\x1b[31m", "<<"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def mutated_data(draw: st.DrawFn) -> Any:
    """The base set, with a few random edits anywhere in it."""
    data: Any = json.loads(json.dumps(BASE))
    for _ in range(draw(st.integers(0, 3))):
        parent, key = random_spot(draw, data)
        action = draw(st.sampled_from(["replace", "drop", "add", "duplicate", "whole"]))
        if parent is None or action == "whole":
            data = draw(values) if draw(st.booleans()) else data
        elif action == "replace":
            parent[key] = draw(values)
        elif action == "drop":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[key])))
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from([*SECTIONS, "id", "nam", "version"]))] = draw(values)
    return data


def dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def garbled(draw: st.DrawFn, text: str) -> str:
    """Raw-text damage: characters inserted, deleted or swapped at random places."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "cut"]))
        if kind == "insert":
            text = text[:at] + draw(st.text(min_size=1, max_size=4)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 10)) :]
        else:
            text = text[:at]
    return text


@st.composite
def declaration_sets(draw: st.DrawFn) -> dict[str, bytes]:
    """One to three files: mutated data, as YAML or JSON, sometimes garbled or random bytes."""
    files: dict[str, bytes] = {}
    for index in range(draw(st.integers(1, 3))):
        fmt = draw(st.sampled_from(["yaml", "json"]))
        text = dump(draw(mutated_data()), fmt)
        kind = draw(st.sampled_from(["clean"] * 4 + ["garbled", "random", "bytes"]))
        if kind == "garbled":
            text = draw(garbled(text))
        elif kind == "random":
            text = draw(st.text(max_size=200))
        raw = draw(st.binary(max_size=100)) if kind == "bytes" else text.encode("utf-8")
        files[f"decl-{index}.{fmt}"] = raw
    return files


@pytest.fixture(scope="module", autouse=True)
def policies_loaded_once() -> Iterator[None]:
    """Load and compile the catalogue once for all examples (the expensive, constant part)."""
    load = cache(hdsguard.api.load_policies)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            hdsguard.api,
            "load_policies",
            lambda dirs=(), lang=None: load(tuple(dirs), lang=lang),
        )
        yield


def run_check(files: dict[str, bytes]) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        for name, raw in files.items():
            (Path(tmp) / name).write_bytes(raw)
        args = ["check", "--as-of", AS_OF, "--no-config", "--format", "json", tmp]
        result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def assert_clean_end(code: int, stdout: str, stderr: str) -> None:
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stdout + stderr
    assert "internal error" not in stderr
    if code in (0, 1):
        report = json.loads(stdout)
        assert set(report["summary"]) >= {"pass", "fail", "error"}
        assert isinstance(report["findings"], list)
        return
    lines = stderr.splitlines()
    assert lines, "exit 2 with nothing on stderr"
    for line in lines:
        assert LOCATED.match(line), line


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(declaration_sets())
def test_the_cli_always_ends_cleanly(files: dict[str, bytes]) -> None:
    assert_clean_end(*run_check(files))


def test_the_base_set_is_valid_and_reports() -> None:
    """The starting point of the mutations is itself a valid set (exit 0 or 1, not 2)."""
    code, stdout, stderr = run_check({"base.yaml": dump(BASE, "yaml").encode()})
    assert code in (0, 1), stderr
    assert_clean_end(code, stdout, stderr)
