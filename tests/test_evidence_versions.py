"""Observed against declared software versions (EVD-003): ordered as versions, never as text,
and "not comparable" said when no order can be trusted."""

from __future__ import annotations

import pytest

from hdsguard.evidence.versions import version_order


@pytest.mark.parametrize(
    ("observed", "declared", "order"),
    [
        ("2.4.49", "2.4.51", "older"),  # as text "2.4.49" < "2.4.51" too, but:
        ("2.4.9", "2.4.10", "older"),  # as text this one would be newer
        ("2.4.51", "2.4.49", "newer"),
        ("3.0.3", "3.0.3", "same"),
        ("v1.2", "1.2.0", "same"),
        ("1.0rc1", "1.0", "older"),  # PEP 440 pre-release
        ("8.9p1", "9.6p1", "older"),  # OpenSSH portable: not PEP 440, dotted numbers then p1
        ("9.6p1", "8.9p1", "newer"),
        ("9.6p1", "9.6p2", "older"),
        ("1.1.1t", "1.1.1w", "older"),  # OpenSSL's letter releases
        ("8.9p1 Ubuntu 3ubuntu0.10", "8.9p1", "same"),  # a vendor's build of the declared one
        ("8.9p1 Ubuntu 3ubuntu0.10", "9.6p1", "older"),
        ("2.4.41 (Ubuntu)", "2.4.41", "same"),
        ("2.4.41 (Ubuntu)", "2.4.52", "older"),
        ("8.9p1 Ubuntu 3ubuntu0.10", "8.9p1 Ubuntu 3ubuntu0.13", "not comparable"),
        ("8.9", "8.9p1", "not comparable"),
        ("Microsoft IIS httpd", "10.0", "not comparable"),
        ("", "1.0", "not comparable"),
    ],
)
def test_versions_are_ordered_as_versions(observed: str, declared: str, order: str) -> None:
    assert version_order(observed, declared) == order


def test_the_order_is_antisymmetric() -> None:
    flip = {"older": "newer", "newer": "older", "same": "same", "not comparable": "not comparable"}
    pairs = [("2.4.49", "2.4.51"), ("8.9p1", "9.6p1"), ("1.1.1t", "1.1.1w"), ("8.9", "8.9p1")]
    for a, b in pairs:
        assert version_order(b, a) == flip[version_order(a, b)]
