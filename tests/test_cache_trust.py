"""Issue 12, points 1-5: nothing read back from a cache can change a verdict.

No pickle is ever read; only an absolute directory owned by the user and writable by nobody
else is used; every entry carries a checksum and its own key; the catalogue key is the hash of
the bytes compiled; the findings memo's fingerprint is the whole package; locality comes from
the checked syntax tree; no home directory means no cache, not a crash.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import REPO, cache_env, run_cli, use_cache, write

AS_OF = "2026-11-28"

FIREWALL = """
firewalls:
  - id: fw-1
    vendor: Fortinet
    internet_facing: true
    last_patch: {patch}
    last_rule_review: 2026-11-01
"""


def check(*args: str) -> Result:
    return run_cli(["check", *args, "--as-of", AS_OF, "--format", "json"])


def uncached(*args: str) -> Result:
    with pytest.MonkeyPatch.context() as mp:
        use_cache(mp, None)
        return check(*args)


def fw001(result: Result) -> str:
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "FW-001"]
    return str(finding["status"])


# --- 1. no pickle; untrusted directories refused ---------------------------------------------


class _Planted:
    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (Path.touch, (Path(os.environ["PLANTED_MARKER"]),))


def test_a_planted_pickle_is_never_loaded(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = str(REPO / "examples" / "lab-group")
    cold = check(lab)
    (entry,) = cache.glob("catalogue-*")
    key = entry.name.removeprefix("catalogue-").split(".")[0]
    marker = tmp_path / "code-ran"
    monkeypatch.setenv("PLANTED_MARKER", str(marker))
    planted = pickle.dumps(_Planted())
    # under the name of the current entry, and under the name the old pickle cache used
    for name in (entry.name, f"catalogue-{key}.pickle"):
        (cache / name).write_bytes(planted)
    warm = check(lab)
    assert not marker.exists(), "a cache entry ran code"
    assert warm.stdout == cold.stdout


def test_a_relative_cache_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"decl/fw.yaml": FIREWALL.format(patch="2026-10-01")})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HDSGUARD_NO_CACHE", raising=False)
    monkeypatch.delenv("HDSGUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")  # inside the repository being checked
    expected = uncached("decl")
    assert check("decl").stdout == expected.stdout
    assert not (tmp_path / ".cache").exists()
    use_cache(monkeypatch, Path("cache"))
    assert check("decl").stdout == expected.stdout
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_cache_directory_others_may_write_is_refused(cache: Path, mode: int) -> None:
    cache.mkdir()
    cache.chmod(mode)
    lab = str(REPO / "examples" / "lab-group")
    assert check(lab).stdout == uncached(lab).stdout
    assert list(cache.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_cache_directory_of_another_user_is_refused(cache: Path) -> None:
    cache.mkdir(mode=0o700)
    os.chown(cache, 54321, 54321)
    lab = str(REPO / "examples" / "lab-group")
    assert check(lab).stdout == uncached(lab).stdout
    assert list(cache.iterdir()) == []


# --- 2. checksum and own key in every entry ---------------------------------------------------


def test_a_flipped_bit_in_the_catalogue_never_changes_a_threshold(
    cache: Path, tmp_path: Path
) -> None:
    # 150 days before the evaluation date: FW-001's 90-day limit fails it
    decl = write(tmp_path, {"decl/fw.yaml": FIREWALL.format(patch="2026-07-01")})
    assert fw001(check(str(decl / "decl"))) == "fail"
    (entry,) = cache.glob("catalogue-*")
    blob = bytearray(entry.read_bytes())
    # 90 as pickle (BININT1) and marshal (TYPE_INT, with or without its reference flag) write it
    flipped = 0
    for pattern in (b"KZ", b"iZ\x00\x00\x00", b"\xe9Z\x00\x00\x00"):
        start = 0
        while (at := blob.find(pattern, start)) >= 0:
            blob[at + 1] |= 0x80  # 90 -> 218
            flipped += 1
            start = at + 1
    assert flipped, "the threshold was not found in the entry"
    entry.write_bytes(bytes(blob))
    assert fw001(check(str(decl / "decl"))) == "fail"
    # the bad entry was rewritten, not kept
    (rewritten,) = cache.glob("catalogue-*")
    assert rewritten.read_bytes() != bytes(blob)


def test_a_memo_entry_copied_over_another_files_entry_is_ignored(
    cache: Path, tmp_path: Path
) -> None:
    root = write(
        tmp_path,
        {
            "decl/a.yaml": FIREWALL.format(patch="2026-07-01"),  # fails FW-001
            "decl/b.yaml": FIREWALL.format(patch="2026-11-01").replace("fw-1", "fw-2"),
        },
    )
    decl = str(root / "decl")
    cold = check(decl)
    assert cold.exit_code == 1
    entries = sorted((cache / "findings").glob("*.marshal"))
    # a.yaml's, b.yaml's, and the whole set's (the rules that follow references)
    assert len(entries) == 3
    originals = {e: e.read_bytes() for e in entries}
    for source in entries:
        for target in entries:
            if source == target:
                continue
            target.write_bytes(originals[source])
            warm = check(decl)
            assert (warm.exit_code, warm.stdout) == (1, cold.stdout)
            assert target.read_bytes() == originals[target]  # rewritten
    assert uncached(decl).stdout == cold.stdout


# --- 3. the key is the hash of what is compiled; the fingerprint the whole package -----------

POLICY = """\
id: ACME-001
title: Firewall vendor is Fortinet
severity: low
applies_to: firewalls
description: d
rationale: r
remediation: r
references: [internal]
condition: self.vendor == "{vendor}"
message: vendor {{{{ self.vendor }}}}
tests:
  - name: a firewall
    as_of: 2026-11-28
    declarations: {{firewalls: [{{id: fw-1, vendor: Fortinet}}]}}
    expect: {expect}
  - name: another firewall
    as_of: 2026-11-28
    declarations: {{firewalls: [{{id: fw-2, vendor: Other}}]}}
    expect: {other}
"""


def test_an_edit_while_compiling_is_never_stored_under_the_old_key(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(tmp_path, {"decl/fw.yaml": FIREWALL.format(patch="2026-10-01")})
    policy = tmp_path / "policies" / "ACME-001.yaml"
    policy.parent.mkdir()
    version_a = POLICY.format(vendor="Fortinet", expect="pass", other="fail")
    version_b = POLICY.format(vendor="Other", expect="fail", other="pass")
    policy.write_text(version_a, encoding="utf-8")
    args = (str(root / "decl"), "--policies", str(policy.parent))
    expected = uncached(*args)
    assert statuses(expected, "ACME-001") == ["pass"]

    from hdsguard.speed import catalogue_cache

    real = catalogue_cache.catalogue_key

    def then_edit(*a: Any, **kw: Any) -> Any:
        key = real(*a, **kw)
        policy.write_text(version_b, encoding="utf-8")  # an edit between hashing and compiling
        return key

    with monkeypatch.context() as mp:
        mp.setattr(catalogue_cache, "catalogue_key", then_edit)
        assert statuses(check(*args), "ACME-001") == ["pass"]  # version A compiled
    policy.write_text(version_a, encoding="utf-8")
    assert check(*args).stdout == expected.stdout


def _copy_package(dest: Path) -> Path:
    """A copy of hdsguard's source tree, as a checkout lays it out; returns its ``src``."""
    shutil.copytree(
        REPO / "src" / "hdsguard",
        dest / "src" / "hdsguard",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for folder in ("policies", "schemas"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest / "src"


def test_the_memo_follows_every_file_of_the_package(tmp_path: Path) -> None:
    src = _copy_package(tmp_path / "copy")
    write(
        tmp_path,
        {
            "decl/services.yaml": """
            services:
              - id: results-ftp
                host: ftp.example.org
                port: 2121
                protocol: ftp
                exposure: internet
                authentication: password
            """
        },
    )
    env = cache_env(tmp_path / "cache", PYTHONPATH=str(src), HDSGUARD_JOBS="1")

    def run(**extra: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "hdsguard",
                "check",
                "decl",
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    first = run()
    assert '"rule": "EXP-001",\n      "status": "fail"' in first
    data = src / "hdsguard" / "data" / "__init__.py"
    before = data.stat()
    text = data.read_text(encoding="utf-8")
    # Port 2121, not 21: with no cleartext protocol, ftp declared on ftp's well-known port 21
    # would fail EXP-001 as "a secure protocol on a cleartext port", whatever the memo does.
    edited = text.replace(
        'return frozenset(str(p) for p in load("protocols")["cleartext"])', "return frozenset()"
    )
    assert edited != text
    data.write_text(edited, encoding="utf-8")
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))  # even with its old time
    assert run() == run(HDSGUARD_NO_CACHE="1")
    assert '"rule": "EXP-001",\n      "status": "fail"' not in run()


# --- 4. locality from the syntax tree ---------------------------------------------------------

NO_VENDOR = '''\
id: ACME-002
title: No subcontractor may touch the firewalls
severity: high
applies_to: firewalls
description: d
rationale: r
remediation: r
references: [internal]
condition: |-
  """a"b""" != "" && !(has(decl.vendors) && size(decl.vendors) > 0) && self.id != ""
message: a vendor is declared
tests:
  - name: no vendor
    as_of: 2026-11-28
    declarations: {firewalls: [{id: fw-1}]}
    expect: pass
  - name: a vendor
    as_of: 2026-11-28
    declarations: {firewalls: [{id: fw-1}], vendors: [{id: v, name: V, country: FR}]}
    expect: fail
'''


def test_a_policy_reading_decl_after_a_triple_quoted_string_is_not_local(
    cache: Path, tmp_path: Path
) -> None:
    root = write(tmp_path, {"decl/fw.yaml": FIREWALL.format(patch="2026-10-01")})
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "ACME-002.yaml").write_text(NO_VENDOR, encoding="utf-8")
    args = (str(root / "decl"), "--policies", str(tmp_path / "policies"))
    assert acme002(check(*args)) == ["pass"]
    write(
        root,
        {
            "decl/vendors.yaml": """
            vendors:
              - id: tana
                name: Tana
                country: FR
            """
        },
    )
    cold = uncached(*args)
    assert acme002(cold) == ["fail"]
    warm = check(*args)
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)


def acme002(result: Result) -> list[str]:
    return statuses(result, "ACME-002")


def statuses(result: Result, rule: str) -> list[str]:
    return [f["status"] for f in json.loads(result.stdout)["findings"] if f["rule"] == rule]


# --- 5. no home ---------------------------------------------------------------------------


def test_no_home_and_no_passwd_entry_runs_without_a_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pwd

    def nobody(uid: int) -> Any:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    lab = str(REPO / "examples" / "lab-group")
    expected = uncached(lab)
    for name in ("HOME", "XDG_CACHE_HOME", "HDSGUARD_CACHE_DIR", "HDSGUARD_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", nobody)
    result = check(lab)
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)
