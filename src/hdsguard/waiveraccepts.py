"""What a waiver accepts (its optional ``accepts``): the reason a finding may fail for.

A waiver without ``accepts`` waives its rule on its target whatever the reason: the waiver
written for "FTP open to the Internet" kept waiving the service once it exposed telnet, or
once another check of the rule failed as well. ``accepts`` lists the checks of the rule the
waiver accepts not holding, in the terms of a finding's reason (:mod:`hdsguard.reasons`: the
check's key, what happened, its field, the values its message quotes), so that neither the
language of a run nor the wording of a message changes what it accepts. A finding is waived
only when every part of its reason is one the waiver accepts (a finding that fails on fewer
of the accepted checks is still within what was accepted); a key an item leaves out accepts
any value of it.

The items are compared as the reason writes its parts (one line of JSON each, with the
reason's own encoder, :mod:`hdsguard.reasonjson`), so a value read from YAML (a date written
without quotes) compares as the reason quotes it; a whole number compares the same written
``9`` or ``9.0`` (CEL quotes a CVSS threshold as the double 9.0).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hdsguard.i18n import _
from hdsguard.reasonjson import encode, same_numbers

if TYPE_CHECKING:
    from hdsguard.waivers import AcceptedCheck


def parts(reason: str) -> list[list[Any]]:
    """The parts of a finding's reason ([key, what happened, field, values] each); none when
    it has no reason or one that is not a list of parts."""
    if not reason:
        return []
    try:
        found = json.loads(reason)
    except ValueError:
        return []
    if not isinstance(found, list):
        return []
    return [p for p in found if isinstance(p, list) and len(p) == 4]


def _same(item: AcceptedCheck, part: Sequence[Any]) -> bool:
    key, outcome, field, values = part
    return (
        str(item.check) == key
        and (item.outcome is None or item.outcome == outcome)
        and (item.field is None or item.field == field)
        and (item.values is None or _values(item.values) == _values(values))
    )


def _values(values: Any) -> str:
    """``values`` as compared: as the reason writes them, a whole number in either form."""
    return encode(same_numbers(values))


def covers(accepts: Sequence[AcceptedCheck], reason: str) -> bool:
    """Whether every part of ``reason`` is one ``accepts`` names. A finding without a reason
    is never covered: what it fails for cannot be told, and a waiver must not guess."""
    found = parts(reason)
    return bool(found) and all(any(_same(i, p) for i in accepts) for p in found)


def changes(accepts: Sequence[AcceptedCheck], reason: str) -> str:
    """What in ``reason`` ``accepts`` does not accept, for a person: each part it names no
    item for, with what the waiver accepted of the same check when it names that check."""
    found = parts(reason)
    if not found:
        return _("why it does not pass could not be told")
    said: list[str] = []
    for part in found:
        if any(_same(i, part) for i in accepts):
            continue
        key, outcome, field, values = part
        check = _check_name(key, field)
        same_check = [i for i in accepts if str(i.check) == key]
        if not same_check:
            said.append(
                _("{check} is `{outcome}`, and the waiver does not accept that check").format(
                    check=check, outcome=outcome
                )
            )
            continue
        accepted = same_check[0]
        if accepted.outcome is not None and accepted.outcome != outcome:
            said.append(
                _("{check} is `{outcome}`, where the waiver accepts `{accepted}`").format(
                    check=check, outcome=outcome, accepted=accepted.outcome
                )
            )
        elif accepted.field is not None and accepted.field != field:
            said.append(
                _("{check} points at `{field}`, where the waiver accepts `{accepted}`").format(
                    check=check, field=field, accepted=accepted.field
                )
            )
        else:
            said.append(
                _("{check} quotes {values}, where the waiver accepts {accepted}").format(
                    check=check, values=encode(values), accepted=encode(accepted.values)
                )
            )
    return "; ".join(said)


def _check_name(key: str, field: str) -> str:
    if field:
        return _("check `{key}` (`{field}`)").format(key=key, field=field)
    return _("check `{key}`").format(key=key)
