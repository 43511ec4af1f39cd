"""FW-004's "any" address: a spelling of it, or IP networks whose union is a whole space."""

from __future__ import annotations

import pytest

from hdsguard.policies.addresses import covers_any, names_addresses

SPELLINGS = ["any", "all", "0.0.0.0/0", "::/0", "0/0"]


@pytest.mark.parametrize(
    ("values", "whole"),
    [
        (["0.0.0.0/1", "128.0.0.0/1"], True),
        (["0.0.0.0/1, 128.0.0.0/1"], True),  # one value listing both halves
        (["128.0.0.1/1", "0.0.0.0/1"], True),  # host bits set, as firewalls accept them
        (["0.0.0.0/2; 64.0.0.0/2", "128.0.0.0/1"], True),
        (["::/1", "8000::/1"], True),
        (["0.0.0.0/0.0.0.0"], True),  # a netmask
        (["dmz, ANY "], True),  # a spelling inside a list
        (["0.0.0.0/1"], False),
        (["::/1", "128.0.0.0/1"], False),  # half of each space is neither space
        (["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], False),  # 224.0.0.0/3 missing
        (["dmz", "internet", "10.0.0.0/8"], False),
        (["0.0.0.0/33", "not/an/address"], False),
        ([], False),
    ],
)
def test_covers_any(values: list[str], whole: bool) -> None:
    assert covers_any(values, SPELLINGS) is whole


def test_names_addresses() -> None:
    assert names_addresses("10.0.0.0/8, 192.0.2.1")
    assert names_addresses("2001:db8::/32")
    assert not names_addresses("dmz")
    assert not names_addresses("")
