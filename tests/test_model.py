"""Tests of the declaration model (hdsguard.declarations.model) and its JSON Schema."""

import copy
import datetime
import json
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from pydantic import ValidationError

from hdsguard.declarations.model import (
    LIST_SECTIONS,
    SECTION_MODELS,
    SECTIONS,
    SINGLETON_SECTIONS,
    Certificate,
    DeclarationFile,
    Firewall,
    FirewallRule,
    Organisation,
    field_names,
)
from hdsguard.schemagen import SCHEMAS, declaration_schema, render

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "declaration.schema.json"

MINIMAL_DOCUMENTS: list[dict[str, Any]] = [
    {},
    {"version": 1},
    {"organisation": {"name": "CH Exemple"}},
    {"providers": [{"id": "ovh", "name": "OVHcloud"}]},
    {"systems": [{"id": "dpi", "name": "Dossier patient"}]},
    {"services": [{"id": "vpn", "protocol": "ipsec", "exposure": "internet"}]},
    {"firewalls": [{"id": "fw-edge-1"}]},
    {"vendors": [{"id": "acme", "name": "Acme"}]},
    {"certificates": [{"id": "www", "not_after": "2026-11-28"}]},
    {"identity": {}, "logging": {}, "firewalls": []},
]

RICH: dict[str, Any] = {
    "version": 1,
    "organisation": {
        "name": "Centre hospitalier d'Exemple",
        "kind": "hospital",
        "finess": {"ej": "750712184", "et": ["750100125", "2A0000000"]},
        "security_officer": {"name": "Alice Martin", "email": "rssi@ch-exemple.fr"},
        "dpo": {"name": "Bob Durand", "email": "dpo@ch-exemple.fr"},
        "security_policy_reviewed": "2025-03-01",
        "risk_analysis": "2026-01-15",
        "last_security_audit": "2025-10-01",
        "last_pentest": "2026-02-01",
        "last_exposure_scan": "2026-11-01",
        "continuity_plan": {
            "exists": True,
            "business_impact_analysis": True,
            "last_test": "2026-06-01",
        },
        "incident_procedure": {"ars_cert_sante": True, "cnil_72h": True, "register": False},
        "notes": "Evidence in the GED.",
    },
    "identity": {
        "mfa_admin": True,
        "mfa_remote": True,
        "default_credentials_changed": True,
        "admin_workstations_internet": False,
        "admin_accounts": {"dedicated": True, "individual": True},
        "inactive_disable_days": 90,
        "active_directory": {"krbtgt_last_reset": "2026-03-01", "ads_level": 3},
    },
    "logging": {
        "centralised": True,
        "ntp": True,
        "transport_encrypted": True,
        "health_data_access_logged": True,
        "remote_access_traces_centralised": True,
        "retention_days": 365,
        "last_access_review": "2026-09-01",
    },
    "providers": [
        {
            "id": "hosting-co",
            "name": "Hosting Co",
            "services": ["iaas", "backup"],
            "hds": {
                "certificate": "HDS-2024-123",
                "certifier": "LNE",
                "activities": [1, 2, 3, 4, 5, 6],
                "referential": "v2",
                "valid_from": "2024-09-01",
                "valid_until": "2027-08-31",
                "last_surveillance_audit": "2025-09-10",
                "transparency_url": "https://hosting.example/transparency",
            },
            "iso27001": {"certificate": "ISO-42", "valid_until": "2027-01-31"},
            "secnumcloud": False,
            "storage_countries": ["FR", "DE"],
            "remote_access_countries": ["FR", "MA"],
            "transfer_mechanism": "scc",
            "third_country_laws": ["US CLOUD Act"],
            "contract": {
                "signed": "2024-10-01",
                "dpa": True,
                "breach_notice_hours": 24,
                "audit_right": True,
                "reversibility": True,
                "hds_clauses": True,
                "objection_days": 30,
                "patch_sla": {"critical_days": 7, "high_days": 30},
            },
        }
    ],
    "systems": [
        {
            "id": "dpi",
            "name": "Dossier patient informatisé",
            "health_data": True,
            "criticality": "critical",
            "hosted_by": "hosting-co",
            "end_of_support": "2029-12-31",
            "backup": {
                "last_success": "2026-11-27",
                "last_restore_test": "2026-05-01",
                "monitored": True,
                "offline_or_immutable": True,
                "offsite": True,
                "encrypted": True,
                "auth_independent": True,
                "mfa": True,
                "isolated": True,
                "provider": "hosting-co",
            },
        }
    ],
    "services": [
        {
            "id": "portal",
            "system": "dpi",
            "host": "portail.ch-exemple.fr",
            "port": 443,
            "protocol": "https",
            "exposure": "internet",
            "via": "reverse_proxy",
            "role": "web",
            "authentication": "password",
            "mfa": True,
            "owner": "DSI",
            "purpose": "Patient portal",
            "tls": {"min_version": "1.2", "certificate": "portal-cert"},
            "software": {"name": "nginx", "version": "1.26.2", "end_of_support": "2027-04-30"},
            "vulnerabilities": [
                {
                    "cve": "CVE-2024-3400",
                    "cvss": 10,
                    "published": "2024-04-12",
                    "kev": True,
                    "kev_added": "2024-04-12",
                },
                {"cve": "CVE-2025-0001", "cvss": 7.5},
            ],
        }
    ],
    "firewalls": [
        {
            "id": "fw-edge-1",
            "vendor": "Fortinet",
            "model": "FortiGate 100F",
            "internet_facing": True,
            "firmware": {"version": "7.2.8", "end_of_support": "2026-09-30"},
            "last_patch": "2026-10-01",
            "last_rule_review": "2026-07-01",
            "management_exposed": False,
            "vulnerabilities": [],
            "rules": [
                {"from": "internet", "to": "dmz", "port": 443, "action": "allow"},
                {"from": "any", "to": "any", "action": "deny", "notes": "default"},
            ],
        }
    ],
    "vendors": [
        {
            "id": "transcribe",
            "name": "Transcribe SARL",
            "service": "Medical transcription",
            "country": "FR",
            "critical": True,
            "processes_personal_data": True,
            "health_data_access": True,
            "stores_health_data": True,
            "hosted_by": "hosting-co",
            "hds": {"certificate": "HDS-9", "activities": [5], "referential": "v1.1"},
            "systems": ["dpi"],
            "transfer_mechanism": "none",
            "subprocessors": [{"name": "Typists", "country": "MA", "authorised": False}],
            "last_audit": "2026-01-20",
            "audit_kind": "questionnaire",
            "remote_access": {
                "via_gateway": True,
                "mfa": True,
                "time_bounded": False,
                "nominative": True,
            },
            "contract": {"dpa": True, "breach_notice_hours": 72},
        }
    ],
    "certificates": [
        {
            "id": "portal-cert",
            "subject": "portail.ch-exemple.fr",
            "not_before": "2026-06-01",
            "not_after": "2026-12-31",
            "public": True,
            "signature_algorithm": "sha256WithRSAEncryption",
        }
    ],
}


def with_change(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of RICH with the value at ``path`` set (the last key may be new)."""
    document = copy.deepcopy(RICH)
    node: Any = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return document


def errors_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        DeclarationFile.model_validate(document)
    return [dict(error) for error in info.value.errors()]


# --------------------------------------------------------------------------------------------
# valid documents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", MINIMAL_DOCUMENTS)
def test_minimal_documents_validate(document: dict[str, Any]) -> None:
    parsed = DeclarationFile.model_validate(document)
    for section in SECTIONS:
        if section not in document:
            assert getattr(parsed, section) is None


def test_rich_document_validates_with_typed_values() -> None:
    parsed = DeclarationFile.model_validate(RICH)
    assert parsed.version == 1
    assert parsed.organisation is not None
    assert parsed.organisation.security_policy_reviewed == datetime.date(2025, 3, 1)
    assert parsed.organisation.finess is not None
    assert parsed.organisation.finess.et == ["750100125", "2A0000000"]
    assert parsed.organisation.incident_procedure is not None
    assert parsed.organisation.incident_procedure.register_ is False
    assert parsed.providers is not None
    assert parsed.providers[0].hds is not None
    assert parsed.providers[0].hds.valid_until == datetime.date(2027, 8, 31)
    assert parsed.providers[0].hds.activities == [1, 2, 3, 4, 5, 6]
    assert parsed.services is not None
    vulnerabilities = parsed.services[0].vulnerabilities
    assert vulnerabilities is not None
    assert [v.cvss for v in vulnerabilities] == [10.0, 7.5]
    assert parsed.firewalls is not None
    rules = parsed.firewalls[0].rules
    assert rules is not None
    assert rules[0].from_ == "internet"
    assert rules[1].port is None
    assert parsed.certificates is not None
    assert parsed.certificates[0].not_after == datetime.date(2026, 12, 31)


def test_rich_document_round_trips_by_alias() -> None:
    parsed = DeclarationFile.model_validate(RICH)
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped == RICH


def test_optional_fields_default_to_none_not_empty_lists() -> None:
    parsed = DeclarationFile.model_validate({"firewalls": [{"id": "fw"}]})
    assert parsed.firewalls is not None
    firewall = parsed.firewalls[0]
    assert firewall.rules is None
    assert firewall.vulnerabilities is None
    assert firewall.last_patch is None


def test_date_objects_accepted_programmatically() -> None:
    certificate = Certificate.model_validate({"id": "c", "not_after": datetime.date(2026, 1, 1)})
    assert certificate.not_after == datetime.date(2026, 1, 1)


def test_models_are_frozen() -> None:
    organisation = Organisation.model_validate({"name": "X"})
    with pytest.raises(ValidationError):
        organisation.name = "Y"


# --------------------------------------------------------------------------------------------
# invalid documents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loc",
    [
        ("firewalls", 0, "last_pach"),
        ("organisation", "finess", "ejj"),
        ("services", 0, "tls", "min_versoin"),
        ("firewalls", 0, "rules", 1, "from_"),
        ("organisation", "incident_procedure", "register_"),
        ("secrets",),
    ],
)
def test_unknown_key_is_extra_forbidden(loc: tuple[str | int, ...]) -> None:
    errors = errors_of(with_change(loc, "2026-01-01"))
    assert [(error["type"], error["loc"]) for error in errors] == [("extra_forbidden", loc)]


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", 20260101, "28/11/2026"])
@pytest.mark.parametrize(
    "path",
    [
        ("firewalls", 0, "last_patch"),
        ("certificates", 0, "not_after"),
        ("providers", 0, "hds", "valid_until"),
    ],
)
def test_bad_dates_rejected(path: tuple[str | int, ...], value: object) -> None:
    errors = errors_of(with_change(path, value))
    assert len(errors) == 1
    assert errors[0]["loc"] == path
    assert "YYYY-MM-DD" in errors[0]["msg"]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("2026-13-45", "'2026-13-45': month must be in 1..12"),
        ("2026-02-30", "'2026-02-30': day is out of range for month"),
        (20260101, "got an integer"),
        ("28/11/2026", "got '28/11/2026'"),
        ("20261128", "got '20261128'"),
        ("2026-11-28T10:00:00", "got '2026-11-28T10:00:00': write `2026-11-28`"),
        # A time zone is not read either: the day as written is what to write.
        ("2026-11-28T23:30:00-05:00", "got '2026-11-28T23:30:00-05:00': write `2026-11-28`"),
        ("2026-11-28 10:00:00Z", "got '2026-11-28 10:00:00Z': write `2026-11-28`"),
        ("2026-1-5", "got '2026-1-5': write `2026-01-05`"),
        ("2026-02-30T10:00:00Z", "got '2026-02-30T10:00:00Z'"),  # no day: no hint
        (True, "got a boolean"),
        (datetime.datetime(2026, 11, 28, 10, 0), "got a date and time"),
    ],
)
def test_bad_date_messages(value: object, detail: str) -> None:
    errors = errors_of(with_change(("firewalls", 0, "last_patch"), value))
    assert "expected an ISO 8601 date (YYYY-MM-DD)" in errors[0]["msg"]
    assert detail in errors[0]["msg"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("identity", "mfa_admin"), "yes"),
        (("identity", "mfa_admin"), 1),
        (("firewalls", 0, "internet_facing"), "true"),
        (("services", 0, "port"), "443"),
        (("services", 0, "port"), 443.0),
        (("services", 0, "port"), True),
        (("services", 0, "port"), 0),
        (("services", 0, "port"), 65536),
        # Beyond CEL's integers: every rule reading it was an error ("out of range").
        (("identity", "inactive_disable_days"), 2**63),
        (("firewalls", 0, "rules", 0, "port"), "443"),
        (("firewalls", 0, "id"), "Bad Id"),
        (("firewalls", 0, "id"), "-edge"),
        (("firewalls", 0, "id"), 12),
        (("systems", 0, "hosted_by"), "Hosting Co"),
        (("version",), 2),
        (("version",), "1"),
        (("version",), True),
        (("services", 0, "vulnerabilities", 0, "cvss"), 10.1),
        (("services", 0, "vulnerabilities", 0, "cvss"), "9.8"),
        (("services", 0, "vulnerabilities", 0, "cvss"), True),
        (("services", 0, "tls", "min_version"), 1.2),
        (("services", 0, "protocol"), "gopher"),
        (("services", 0, "exposure"), "public"),
        (("identity", "active_directory", "ads_level"), 6),
        (("identity", "inactive_disable_days"), -1),
        (("logging", "retention_days"), "365"),
        (("providers", 0, "hds", "activities"), [1, 7]),
        (("providers", 0, "hds", "referential"), "v3"),
        (("providers", 0, "storage_countries"), ["fr"]),
        (("providers", 0, "storage_countries"), ["FRA"]),
        (("organisation", "finess", "et"), "750100125"),
        (("organisation", "finess", "ej"), True),
        (("organisation", "finess", "ej"), {"number": "750712184"}),
        (("organisation", "finess", "ej"), ["750712184"]),
        (("organisation", "finess", "ej"), 750712184.0),
        (("organisation", "finess", "et", 0), False),
        (("organisation", "finess", "et", 0), None),
        (("organisation", "kind"), "hopital"),
        (("organisation", "security_officer", "email"), "not an email"),
        (("firewalls", 0, "rules", 0, "action"), "accept"),
        (("vendors", 0, "audit_kind"), "phone"),
        (("organisation", "name"), None),
    ],
)
def test_bad_values_rejected(path: tuple[str | int, ...], value: object) -> None:
    errors = errors_of(with_change(path, value))
    assert errors
    assert all(error["loc"][: len(path)] == path for error in errors)


# A malformed FINESS number is GOV-001's finding at the field, not an input error: the model
# and the schema take any text, and an integer (a number YAML read without quotes), and leave
# its form to the rule (tests/test_finess.py).
@pytest.mark.parametrize(
    "value", ["75071218", "75071218A", "", "2a0001238", "N/A", 750712184, 10002345, -1]
)
@pytest.mark.parametrize(
    "path", [("organisation", "finess", "ej"), ("organisation", "finess", "et", 0)]
)
def test_any_finess_text_or_integer_is_accepted(path: tuple[str | int, ...], value: object) -> None:
    document = with_change(path, value)
    DeclarationFile.model_validate(document)
    _validator().validate(document)


def test_version_2_message_is_clear() -> None:
    errors = errors_of({"version": 2})
    assert "version 2 is not supported" in errors[0]["msg"]


@pytest.mark.parametrize(
    ("document", "loc"),
    [
        ({"organisation": {}}, ("organisation", "name")),
        ({"firewalls": [{"vendor": "x"}]}, ("firewalls", 0, "id")),
        ({"providers": [{"id": "p"}]}, ("providers", 0, "name")),
        ({"systems": [{"id": "s"}]}, ("systems", 0, "name")),
        ({"vendors": [{"id": "v"}]}, ("vendors", 0, "name")),
        ({"services": [{"id": "s", "exposure": "internet"}]}, ("services", 0, "protocol")),
        ({"services": [{"id": "s", "protocol": "ssh"}]}, ("services", 0, "exposure")),
        ({"certificates": [{"id": "c"}]}, ("certificates", 0, "not_after")),
    ],
)
def test_required_fields(document: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    errors = errors_of(document)
    assert [(error["type"], error["loc"]) for error in errors] == [("missing", loc)]


def test_list_section_must_be_a_list() -> None:
    errors = errors_of({"firewalls": {"id": "fw"}})
    assert errors[0]["loc"] == ("firewalls",)


# --------------------------------------------------------------------------------------------
# sections and field_names
# --------------------------------------------------------------------------------------------


def test_section_tables_are_consistent() -> None:
    assert list(SECTIONS) == [name for name in DeclarationFile.model_fields if name != "version"]
    assert set(SECTION_MODELS) == set(SECTIONS)
    assert SINGLETON_SECTIONS == (
        "organisation",
        "identity",
        "logging",
        "detection",
        "messaging",
        "biomedical",
    )
    assert set(LIST_SECTIONS) | set(SINGLETON_SECTIONS) == set(SECTIONS)
    assert not set(LIST_SECTIONS) & set(SINGLETON_SECTIONS)
    for name, model in SECTION_MODELS.items():
        annotation = DeclarationFile.model_fields[name].annotation
        inner = get_args(annotation)[0]
        if SECTIONS[name]:
            assert inner is model
        else:
            assert get_args(inner) == (model,)
        if not SECTIONS[name]:
            assert model.model_fields["id"].is_required()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), ["version", *SECTIONS]),
        (("firewalls", 0), list(Firewall.model_fields)),
        (("firewalls", 0, "firmware"), ["product", "version", "end_of_support"]),
        (("firewalls", 3, "rules", 1), ["from", "to", "port", "action", "notes"]),
        (("organisation", "finess"), ["ej", "et"]),
        (("organisation", "incident_procedure"), ["ars_cert_sante", "cnil_72h", "register"]),
        (("organisation", "security_officer"), ["name", "email"]),
        (
            ("services", 0, "vulnerabilities", 2),
            ["cve", "cvss", "published", "kev", "kev_added", "notes"],
        ),
        (
            ("vendors", 0, "hds"),
            [
                "certificate",
                "certifier",
                "activities",
                "referential",
                "valid_from",
                "valid_until",
                "last_surveillance_audit",
                "transparency_url",
            ],
        ),
        (("providers", 0, "contract", "patch_sla"), ["critical_days", "high_days"]),
        (("firewalls",), []),
        (("firewalls", 0, "last_patch"), []),
        (("firewalls", 0, "nope"), []),
        (("firewalls", "0"), []),
        (("organisation", 0), []),
        (("organisation", "finess", "et", 0), []),
        (("unknown", 0, "x"), []),
    ],
)
def test_field_names(path: tuple[str | int, ...], expected: list[str]) -> None:
    assert field_names(DeclarationFile, path) == expected


def test_field_names_from_an_item_model() -> None:
    assert field_names(FirewallRule, ()) == ["from", "to", "port", "action", "notes"]
    assert field_names(Firewall, ("firmware",)) == ["product", "version", "end_of_support"]


# --------------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------------


def _committed_schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def test_committed_schema_is_in_sync() -> None:
    assert _committed_schema_text() == render(declaration_schema()), (
        "schemas/declaration.schema.json is stale: run `python -m hdsguard.schemagen`"
    )


def test_schema_registry() -> None:
    assert SCHEMAS["declaration"] is declaration_schema


def test_schema_header_and_no_nullable_fields() -> None:
    schema = declaration_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://hdsguard.dev/schemas/declaration.schema.json"
    assert schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    text = render(schema)
    assert '"null"' not in text
    assert '"default"' not in text


def test_schema_is_valid_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(_committed_schema_text()))


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(_committed_schema_text()))


@pytest.mark.parametrize("document", [RICH, *MINIMAL_DOCUMENTS])
def test_schema_accepts_valid_documents(document: dict[str, Any]) -> None:
    _validator().validate(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("firewalls", 0, "last_pach"), "2026-01-01"),
        (("organisation", "finess", "ejj"), "750712184"),
        (("organisation", "kind"), None),
        (("services", 0, "port"), "443"),
        (("identity", "mfa_admin"), "yes"),
        (("firewalls", 0, "id"), "Bad Id"),
        (("version",), 2),
    ],
)
def test_schema_rejects_invalid_documents(path: tuple[str | int, ...], value: object) -> None:
    errors = list(_validator().iter_errors(with_change(path, value)))
    assert errors
