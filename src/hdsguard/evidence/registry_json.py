"""The ANS HDS registry snapshot as JSON: the same rows as the CSV format, for a user who
fills the snapshot from a script or keeps it beside JSON declarations.

    {
      "version": 1,
      "ans_hds_registry_snapshot": "2026-11-20",
      "certificates": [
        {"certificate": "HDS-2024-0001", "holder": "OVH SAS", "certifier": "LNE",
         "activities": [1, 2, 3, 4, 5, 6], "valid_from": "2024-03-01",
         "valid_until": "2027-02-28"}
      ]
    }

Recognised by its ``ans_hds_registry_snapshot`` key; validated against the model below (its
schema is ``schemas/hds-registry.schema.json``) with the declarations' own parser and error
wording, so that every problem is located (file:line:column) and explained.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictStr

from hdsguard.declarations.model import HdsActivity, IsoDate, Strict
from hdsguard.errors import InputError, Problem, fail
from hdsguard.evidence.registry import Registry, RegistryEntry
from hdsguard.i18n import _

KEY = "ans_hds_registry_snapshot"
MAGIC = f'"{KEY}"'.encode()


class RegistryRow(Strict):
    """One certificate of the ANS list, as the list shows it."""

    certificate: StrictStr = Field(min_length=1, description="Certificate number.")
    holder: StrictStr = Field(
        min_length=1, description="Legal entity holding the certificate, as listed."
    )
    certifier: StrictStr = Field(description="Certification body that issued it.")
    activities: list[HdsActivity] = Field(
        min_length=1, description="HDS activities it covers (CSP R.1111-8-8), 1 to 6."
    )
    valid_from: IsoDate = Field(description="First day of validity (YYYY-MM-DD).")
    valid_until: IsoDate = Field(description="Last day of validity, inclusive (YYYY-MM-DD).")


class RegistrySnapshotFile(Strict):
    """A snapshot of the ANS list of certified HDS hosts (JSON)."""

    schema_: StrictStr | None = Field(
        None, alias="$schema", description="The JSON Schema of this file, for editors."
    )
    version: Literal[1] | None = Field(None, description="Format version: 1.")
    ans_hds_registry_snapshot: IsoDate = Field(
        description="The day the list was read on the ANS site (YYYY-MM-DD): the file's "
        "timestamp in reports."
    )
    certificates: list[RegistryRow] = Field(description="The rows copied from the list.")


def read_registry_json(path: str, text: bytes) -> Registry:
    """The snapshot in ``text``, or an InputError locating every problem."""
    from pydantic import ValidationError

    from hdsguard.declarations.files import decode_text
    from hdsguard.declarations.reader import parse
    from hdsguard.declarations.validate import schema_problems, version_problem

    source = parse(decode_text(text, path), path, as_json=True)
    data = source.data
    if not isinstance(data, dict):
        raise fail(
            path,
            1,
            1,
            _("an ANS HDS registry snapshot is a JSON object with `{key}`").format(key=KEY),
        )
    problem = version_problem(source, data, "ANS HDS registry snapshot", as_json=True)
    if problem is not None:
        raise InputError([problem])
    try:
        model = RegistrySnapshotFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(schema_problems(source, exc, RegistrySnapshotFile)) from None
    entries = []
    for i, row in enumerate(model.certificates):
        line, _column = source.locate(("certificates", i))
        entries.append(
            RegistryEntry(
                row.certificate.strip(), row.holder.strip(), row.certifier.strip(),
                tuple(sorted(set(row.activities))), str(row.valid_from), str(row.valid_until),
                line,
            )
        )  # fmt: skip
    _no_duplicates(path, entries)
    at = source.locate((KEY,), value=True)
    return Registry(path, str(model.ans_hds_registry_snapshot), tuple(entries), at)


def _no_duplicates(path: str, entries: list[RegistryEntry]) -> None:
    seen: dict[str, int] = {}
    problems = []
    for entry in entries:
        first = seen.setdefault(entry.certificate, entry.line)
        if first != entry.line:
            problems.append(
                Problem(
                    path,
                    entry.line,
                    None,
                    _(
                        "certificate {certificate} is listed twice (first on line {first}): "
                        "keep one row per certificate"
                    ).format(certificate=entry.certificate, first=first),
                )
            )
    if problems:
        raise InputError(problems)
