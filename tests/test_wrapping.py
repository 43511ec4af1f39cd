"""French punctuation stays on its word's line when prose is wrapped."""

from __future__ import annotations

import re

import pytest

from hdsguard.wrapping import wrap
from tests.helpers import run_cli


@pytest.mark.parametrize("mark", [":", ";", "?", "!", "»"])
def test_a_line_never_starts_with_french_punctuation(mark: str) -> None:
    text = f"une phrase assez longue pour être coupée ici {mark} et la suite de la phrase"
    lines = wrap(text, 44)
    assert len(lines) > 1
    assert not any(line.startswith(mark) for line in lines)
    assert " ".join(lines) == text  # the glued spaces are given back as spaces


def test_an_opening_guillemet_stays_with_its_word() -> None:
    lines = wrap("le module « sous-traitant à sous-traitant » des clauses", 10)
    assert not any(line.endswith("«") for line in lines)
    assert " ".join(lines) == "le module « sous-traitant à sous-traitant » des clauses"


def test_long_and_hyphenated_words_are_kept_whole() -> None:
    lines = wrap("voir https://example.org/une/adresse/très/longue et les États-Unis", 12)
    assert "https://example.org/une/adresse/très/longue" in lines
    assert "les États-Unis" in " ".join(lines)
    assert not any(line.endswith("États-") for line in lines)


def test_a_text_holding_the_placeholder_is_wrapped_as_it_is() -> None:
    text = "a\ue000b c : d"
    assert " ".join(wrap(text, 5)) == text


def test_french_explanations_have_no_line_starting_with_punctuation() -> None:
    result = run_cli(["--lang", "fr", "policies", "explain", "VND-003"])
    assert result.exit_code == 0
    starts = [line for line in result.stdout.splitlines() if re.match(r"\s*[:;?!»]", line)]
    assert starts == []
