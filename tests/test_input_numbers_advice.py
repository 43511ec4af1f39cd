"""Numbers where a choice or a count is expected get the value to write (found by HB, session
17): `referential: 2`, `min_version: 1` and `activities: [1-6]` were refused without one, and a
count beyond the engine's integers said "less than or equal to 9223372036854775807"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli, write

PROVIDER = """\
providers:
  - id: p1
    name: Host
    hds: {{certificate: HDS-1, certifier: LNE, {field}}}
"""


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (PROVIDER.format(field="referential: 2"),
         'providers/p1.hds.referential: invalid value 2 (a number): write `"v2"`, in quotes'),
        (PROVIDER.format(field="activities: [1-6]"),
         "a range is not a number: write each one, `[1, 2, 3, 4, 5, 6]`"),
        ("services:\n  - {id: web, protocol: https, exposure: internet, tls: {min_version: 1}}\n",
         'invalid value 1 (a number): version 1 most likely means `"1.0"`; write it in quotes, '
         'or the version meant: `"1.1"`, `"1.2"`, `"1.3"`'),
        ("identity:\n  inactive_disable_days: 99999999999999999999999999\n",
         "99999999999999999999999999 is far too large (26 digits): no count is that large; "
         "write the real number"),
    ],
)  # fmt: skip
def test_the_value_to_write_is_suggested(tmp_path: Path, text: str, says: str) -> None:
    write(tmp_path, {"decl.yaml": text})
    result = run_cli(["check", str(tmp_path / "decl.yaml"), "--as-of", "2026-11-28"])
    assert result.exit_code == 2
    assert says in result.stderr, result.stderr
    assert "9223372036854775807" not in result.stderr


def test_in_french(tmp_path: Path) -> None:
    write(tmp_path, {"decl.yaml": PROVIDER.format(field="referential: 2")})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", "2026-11-28", "--lang", "fr"]
    )
    assert 'valeur invalide 2 (un nombre) : écrivez `"v2"`, entre guillemets' in result.stderr


def test_a_whole_version_names_its_likely_meaning_in_french(tmp_path: Path) -> None:
    text = "services:\n  - {id: web, protocol: https, exposure: internet, tls: {min_version: 1}}\n"
    write(tmp_path, {"decl.yaml": text})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--as-of", "2026-11-28", "--lang", "fr"]
    )
    assert result.exit_code == 2
    assert (
        'valeur invalide 1 (un nombre) : la version 1 désigne très probablement `"1.0"` ; '
        'écrivez-la entre guillemets, ou la version voulue : `"1.1"`, `"1.2"`, `"1.3"`'
    ) in result.stderr, result.stderr
