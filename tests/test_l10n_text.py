"""French prose of values a policy builds: dates inside a CEL-built text, joined messages."""

from __future__ import annotations

import pytest

from hdsguard.i18n import language
from hdsguard.l10n import dates_in_text
from hdsguard.policies.template import join_rendered, to_text


@pytest.mark.parametrize(
    ("text", "french"),
    [
        (
            "daté du 2026-09-15, 74 jours avant 2026-11-28",
            "daté du 15 septembre 2026, 74 jours avant 28 novembre 2026",
        ),
        ("expiré le 2026-06-01.", "expiré le 1er juin 2026."),
        ("`2026-11-28`", "`28 novembre 2026`"),
        # not dates of prose: identifiers, timestamps, impossible dates
        ("CHG-2026-11-28", "CHG-2026-11-28"),
        ("cert-2026-11-28-a", "cert-2026-11-28-a"),
        ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
        ("le 2026-02-30", "le 2026-02-30"),
    ],
)
def test_dates_inside_a_text_are_written_out_in_french(text: str, french: str) -> None:
    assert dates_in_text(text, "fr") == french
    assert to_text(text, "fr") == french
    assert dates_in_text(text, "en") == text and to_text(text, "en") == text


def test_messages_of_several_checks_are_joined_as_each_language_writes() -> None:
    with language("en"):
        assert join_rendered(["a", "", "b"]) == "a; b"
    with language("fr"):
        assert join_rendered(["a", "", "b"]) == "a ; b"
