"""A malformed FINESS number is GOV-001's finding, located at the field, not an input error.

The contract gives a FINESS number as "9 characters, Luhn check digit" and the catalogue's
GOV-001 as "FINESS numbers well-formed": a number of the wrong length, with a letter where a
digit belongs, or written without quotes as an integer of fewer than 9 digits, is what the
rule is there to find. The run goes on (exit 1, GOV-001 `fail` on `organisation` at the
field's line:column); only a value that is no number at all (a mapping, a list, a boolean)
stays an input error (exit 2), located too, and so does a number written with a leading zero
and no quotes (`0750712184`): YAML would drop the zero, so the reader refuses it at the field
with its digits as written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hdsguard.speed.precheck import certainly_valid
from tests.helpers import REPO, run_cli

AS_OF = "2026-11-28"
CLEAN = REPO / "tests" / "data" / "contract" / "clean-clinic.yaml"
FLOW = '  finess: {ej: "750712184", et: ["130786049"]}\n'
# Where the clean clinic's FINESS numbers go: `ej` on line 7 (its key at column 5), the
# second establishment number on line 10 (its value at column 9).
EJ_AT = (7, 5)
ET_1_AT = (10, 9)


def _clinic(tmp_path: Path, ej: str, et1: str = '"130786049"') -> Path:
    """The clean clinic (exit 0 as it is) with ``ej`` and the second ``et`` number written
    as given (YAML text: quoted or not)."""
    text = CLEAN.read_text(encoding="utf-8")
    assert FLOW in text
    block = f'  finess:\n    ej: {ej}\n    et:\n      - "690781810"\n      - {et1}\n'
    path = tmp_path / "org.yaml"
    path.write_text(text.replace(FLOW, block), encoding="utf-8")
    return path


def _check(path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli(
        ["check", str(path), "--no-config", "--as-of", AS_OF, "--format", "json", *extra]
    )
    report = json.loads(result.stdout) if result.stdout else {}
    return result.exit_code, report, result.stderr


def _gov_001(report: dict[str, Any]) -> dict[str, Any]:
    (finding,) = [f for f in report["findings"] if f["rule"] == "GOV-001"]
    return finding


@pytest.mark.parametrize(
    ("ej", "says"),
    [
        ('"75071218"', "75071218 (`finess.ej`) has 8 characters instead of 9"),
        ('"7507121840"', "7507121840 (`finess.ej`) has 10 characters instead of 9"),
        ('"75071218A"', "75071218A (`finess.ej`) has `A` at position 9, where only a digit"),
        ('"9A0001238"', "9A0001238 (`finess.ej`) has `A` at position 2"),
        ('"2a0001238"', "2a0001238 (`finess.ej`) has `a` at position 2"),
        ('"7507 12184"', "has ` ` at position 5, where only a digit is allowed"),
        ('"ABCDEFGHI"', "has `A` at position 1"),
        ('""', "the legal entity's FINESS number (`finess.ej`) is empty"),
        ('"750712185"', "fails the Luhn check (with these first eight characters the check"),
        # Unquoted: YAML reads an integer (one written with a leading zero is refused, below).
        ("75071218", "is written without quotes: read as the integer 75071218, it lost its"),
        ("7507121840", "7507121840 (`finess.ej`) has 10 characters instead of 9"),
        ("750712185", "750712185 (`finess.ej`) fails the Luhn check"),
    ],
)
def test_a_malformed_legal_entity_number_fails_gov_001_at_the_field(
    tmp_path: Path, ej: str, says: str
) -> None:
    code, report, stderr = _check(_clinic(tmp_path, ej))
    finding = _gov_001(report)
    assert (code, stderr) == (1, "")
    assert (finding["status"], finding["target"]) == ("fail", "organisation")
    assert (finding["line"], finding["column"]) == EJ_AT
    assert says in finding["message"]
    assert "the legal entity's FINESS number" in finding["message"]


# A number written with a leading zero is read without it: `0750712184`, 10 digits, passed as
# the valid 750712184 (found by HB, session 17). The digits as written are refused at the field,
# the same by the block-YAML fast path (which leaves such a file to the composer) and the
# composer.
@pytest.mark.parametrize(
    ("ej", "et1", "at", "written"),
    [
        ("0750712184", '"130786049"', "7:9", "0750712184"),
        ("010002345", '"130786049"', "7:9", "010002345"),
        ('"750712184"', "0130786049", "10:9", "0130786049"),
    ],
)
def test_a_number_written_with_a_leading_zero_is_refused_as_written(
    tmp_path: Path, ej: str, et1: str, at: str, written: str
) -> None:
    path = _clinic(tmp_path, ej, et1)
    code, report, stderr = _check(path)
    assert (code, report) == (2, {})
    assert f"org.yaml:{at}: `{written}` is a number written with a leading zero" in stderr
    assert f'write it in quotes, `"{written}"`' in stderr


@pytest.mark.parametrize(
    ("et1", "says"),
    [
        ('"13078604"', "`finess.et[1]` 13078604 has 8 characters instead of 9"),
        ('"1307860X9"', "`finess.et[1]` 1307860X9 has `X` at position 8"),
        ("13078604", "`finess.et[1]` 13078604 is written without quotes"),
        ('"130786048"', "`finess.et[1]` 130786048 fails the Luhn check"),
    ],
)
def test_a_malformed_establishment_number_fails_at_its_item(
    tmp_path: Path, et1: str, says: str
) -> None:
    code, report, _stderr = _check(_clinic(tmp_path, '"750712184"', et1))
    finding = _gov_001(report)
    assert (code, finding["status"]) == (1, "fail")
    assert (finding["line"], finding["column"]) == ET_1_AT
    assert finding["message"].startswith("establishment FINESS number not well-formed: ")
    assert says in finding["message"]
    assert "finess.et[0]" not in finding["message"]  # 690781810 is well-formed


@pytest.mark.parametrize(
    ("ej", "shown"),
    [
        ('"750712184"', "legal entity 750712184;"),
        ('"2A0001238"', "legal entity 2A0001238;"),
        ('"2B0001238"', "legal entity 2B0001238;"),
        # A valid number without quotes passes; the message says to quote it.
        ("750712184", "legal entity 750712184 (written without quotes: quote it"),
    ],
)
def test_a_well_formed_number_passes_quoted_or_not(tmp_path: Path, ej: str, shown: str) -> None:
    code, report, _stderr = _check(_clinic(tmp_path, ej, "130786049"), "--verbose")
    finding = _gov_001(report)
    assert (code, finding["status"]) == (0, "pass")
    assert shown in finding["message"]
    assert "establishments 690781810, 130786049" in finding["message"]


def test_the_french_run_says_what_is_wrong_in_french(tmp_path: Path) -> None:
    code, report, _stderr = _check(_clinic(tmp_path, "75071218", '"1307860X9"'), "--lang", "fr")
    message = _gov_001(report)["message"]
    assert code == 1
    assert (
        "le numéro FINESS de l'entité juridique 75071218 (`finess.ej`) est écrit sans "
        "guillemets : lu comme l'entier 75071218, il a perdu ses zéros de tête et compte 8 "
        'chiffres au lieu de 9 (l\'écrire entre guillemets avec ses zéros : `"075071218"`)'
    ) in message
    assert "`finess.et[1]` 1307860X9 contient `X` en position 8" in message


@pytest.mark.parametrize(
    ("ej", "wording"),
    [
        ("true", "Input should be a valid string, got a boolean"),
        ("{number: 750712184}", "Input should be a valid string, got a mapping"),
        ("[750712184]", "Input should be a valid string, got a list"),
    ],
)
def test_a_value_that_is_no_number_stays_an_input_error(
    tmp_path: Path, ej: str, wording: str
) -> None:
    code, report, stderr = _check(_clinic(tmp_path, ej))
    assert (code, report) == (2, {})
    (line,) = stderr.splitlines()
    assert line.endswith(f"org.yaml:7:9: organisation.finess.ej: {wording}")


def test_the_quick_precheck_accepts_what_the_model_accepts() -> None:
    # The pre-check reads the shipped schema: were it still to hold the old pattern, every
    # malformed number would take the slow way (same verdict, but the schema would lie).
    document = {"organisation": {"name": "X", "finess": {"ej": 75071218, "et": ["A", ""]}}}
    assert certainly_valid(document)
