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
         'invalid value 1 (a number): write one of `"1.0"`, `"1.1"`, `"1.2"`, `"1.3"`, in '
         "quotes"),
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
