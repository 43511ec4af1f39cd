"""Tests of the dated reference data (src/hdsguard/data/*.json) and its accessors."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hdsguard import data

ALL_FILES = (
    "cabf_lifetimes",
    "countries",
    "hds_activities",
    "protocols",
    "regulatory",
    "signature_algorithms",
)

# The services[].protocol and providers[].services vocabularies of the declaration format
# (format.md). Data keyed by protocol or service must use these names.
FORMAT_PROTOCOLS = frozenset(
    [
        "ftp", "ftps", "sftp", "ssh", "telnet", "http", "https", "rdp", "smb", "vnc",
        "ldap", "ldaps", "dicom", "hl7", "mysql", "postgresql", "mssql", "oracle", "mongodb",
        "smtp", "imap", "pop3", "snmp", "ipsec", "openvpn", "wireguard", "rsync", "nfs", "dns",
        "other",
    ]
)  # fmt: skip
FORMAT_SERVICES = frozenset(
    ["colocation", "dedicated_servers", "iaas", "paas", "managed_services", "saas", "backup"]
)


# --------------------------------------------------------------------------- files


def test_every_data_file_is_listed() -> None:
    assert data.data_files() == ALL_FILES


@pytest.mark.parametrize("name", ALL_FILES)
def test_file_has_valid_as_of_and_sources(name: str) -> None:
    raw = data.load(name)
    as_of = datetime.date.fromisoformat(raw["as_of"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["as_of"])
    assert datetime.date(2024, 1, 1) <= as_of <= datetime.date.today()
    assert isinstance(raw["sources"], list) and raw["sources"]
    assert all(isinstance(s, str) and s.strip() for s in raw["sources"])


def test_data_versions() -> None:
    versions = data.data_versions()
    assert sorted(versions) == list(ALL_FILES)
    for as_of in versions.values():
        datetime.date.fromisoformat(as_of)


def test_load_accepts_suffix_and_caches() -> None:
    assert data.load("countries.json") is data.load("countries")


@pytest.mark.parametrize("name", ["../pyproject", "nope", "Countries", ""])
def test_load_rejects_bad_names(name: str) -> None:
    with pytest.raises((ValueError, FileNotFoundError)):
        data.load(name)


def test_no_file_is_read_at_import() -> None:
    code = (
        "import hdsguard.data as d\n"
        "assert d._load_stem.cache_info().currsize == 0\n"
        "d.eea()\n"
        "assert d._load_stem.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- countries


def test_iso_list_complete_and_unique() -> None:
    entries = data.load("countries")["iso3166_alpha2"]
    codes = [e["code"] for e in entries]
    assert len(codes) == 249
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert all(e["name"].strip() for e in entries)
    assert codes == sorted(codes)
    assert {"FR", "MA", "NO", "RE", "AX", "SS", "XK"} - data.country_codes() == {"XK"}
    assert {"EU", "UK", "EL"}.isdisjoint(data.country_codes())


def test_alpha3_codes_map_to_alpha2() -> None:
    entries = data.load("countries")["iso3166_alpha2"]
    alpha3 = [e["alpha3"] for e in entries]
    assert len(set(alpha3)) == 249
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in alpha3)
    assert data.alpha2_of_alpha3("FRA") == "FR"
    assert data.alpha2_of_alpha3("MAR") == "MA"
    assert data.alpha2_of_alpha3("GBR") == "GB"
    assert data.alpha2_of_alpha3("UK") is None


def test_country_name() -> None:
    assert data.country_name("FR") == "France"
    assert data.country_name("MA") == "Morocco"
    assert data.country_name("GB") == "United Kingdom"
    assert data.country_name("ZZ") is None
    assert data.country_name("fr") is None  # codes are upper case


def test_eea() -> None:
    eea = data.eea()
    assert len(eea) == 30
    assert {"NO", "IS", "LI", "FR", "DE", "IE", "HR", "CY", "MT"} <= eea
    assert {"GB", "CH", "MA", "US", "RE"}.isdisjoint(eea)
    assert eea <= data.country_codes()


def test_eea_territories() -> None:
    assert data.eea_territories() == {"AX", "GF", "GP", "MF", "MQ", "RE", "YT"}
    assert data.eea_territories() <= data.country_codes()
    assert data.in_eea("RE") and data.in_eea("FR") and data.in_eea("NO")
    for code in ("PF", "NC", "GL", "FO", "GB", "CH", "BL", "SJ"):
        assert not data.in_eea(code), code


def test_adequacy() -> None:
    adequate = data.adequate()
    expected = {"AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "GB"}
    assert adequate == expected | {"US", "UY"}
    assert {"MA", "TN", "MG", "MU", "IN"}.isdisjoint(adequate)
    assert adequate <= data.country_codes()
    assert adequate.isdisjoint(data.eea())


def test_adequacy_scope() -> None:
    assert "PIPEDA" in (data.adequacy_scope("CA") or "")
    assert "Data Privacy Framework" in (data.adequacy_scope("US") or "")
    assert "private sector" in (data.adequacy_scope("JP") or "")
    assert data.adequacy_scope("CH") is None
    assert data.adequacy_scope("MA") is None
    for entry in data.load("countries")["adequacy"]:
        assert entry["decision"].strip()


# --------------------------------------------------------------------------- HDS activities


def test_activities() -> None:
    assert [data.activity_name(n) for n in range(1, 7)]
    assert "physical sites" in data.activity_name(1)
    assert "Backup" in data.activity_name(6)
    with pytest.raises(KeyError):
        data.activity_name(7)


def test_service_activities() -> None:
    mapping = data.service_activities()
    assert mapping == {
        "colocation": (1,),
        "dedicated_servers": (1, 2),
        "iaas": (1, 2, 3),
        "paas": (3, 4),
        "managed_services": (5,),
        "saas": (5,),
        "backup": (6,),
    }
    assert set(mapping) == FORMAT_SERVICES
    mapping["iaas"] = ()  # a copy: the cached mapping is unaffected
    assert data.service_activities()["iaas"] == (1, 2, 3)


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        (["iaas", "backup"], (1, 2, 3, 6)),
        (["backup", "iaas"], (1, 2, 3, 6)),
        (["paas", "dedicated_servers"], (1, 2, 3, 4)),
        (["saas", "managed_services"], (5,)),
        (["unknown", "colocation"], (1,)),
        ([], ()),
    ],
)
def test_required_activities(services: list[str], expected: tuple[int, ...]) -> None:
    assert data.required_activities(services) == expected


# --------------------------------------------------------------------------- protocols


def test_protocol_sets() -> None:
    assert data.cleartext_protocols() == {
        "ftp",
        "telnet",
        "pop3",
        "imap",
        "http",
        "snmp",
        "rsync",
        "nfs",
    }
    assert {"rsync", "nfs"} <= data.high_risk_protocols()
    assert {"smb", "rdp", "vnc", "ldap", "ldaps", "dicom", "hl7", "mysql"} <= (
        data.high_risk_protocols()
    )
    assert "https" not in data.high_risk_protocols()
    assert {"ipsec", "openvpn", "wireguard", "ssh"} <= data.remote_access_protocols()
    assert data.tls_protocols() == {"https", "ftps", "ldaps", "openvpn"}
    assert data.cleartext_protocols().isdisjoint(data.tls_protocols())


def test_protocol_names_are_format_vocabulary() -> None:
    raw = data.load("protocols")
    names = (
        set(raw["cleartext"])
        | set(raw["high_risk"])
        | set(raw["remote_access"])
        | set(raw["tls_protocols"])
        | set(raw["well_known_ports"])
    )
    assert names <= FORMAT_PROTOCOLS


def test_nmap_cleartext_names_map_to_the_cleartext_class() -> None:
    """EVD-011 reads a scanned service as cleartext only through this table: every value is a
    cleartext protocol of the vocabulary, every cleartext protocol has its own nmap name, and
    a TLS tunnel or an unknown name is never cleartext."""
    table = data.load("protocols")["nmap_cleartext"]
    assert set(table.values()) == data.cleartext_protocols()
    assert all(table[p] == p for p in data.cleartext_protocols())
    assert data.observed_cleartext("http", "") == "http"
    assert data.observed_cleartext("http-proxy", "") == "http"
    assert data.observed_cleartext("http", "ssl") == ""
    assert data.observed_cleartext("ftp", "ssl") == ""
    assert data.observed_cleartext("ssh", "") == ""
    assert data.observed_cleartext("tcpwrapped", "") == ""
    assert data.observed_cleartext("", "") == ""


def test_every_protocol_of_the_vocabulary_is_classified_or_reviewed() -> None:
    """A protocol added to the declaration vocabulary must be placed in a class, or listed
    as deliberately in none (``reviewed_no_class``): never forgotten, as rsync and nfs were."""
    from typing import get_args

    from hdsguard.declarations.model import Protocol

    raw = data.load("protocols")
    classes = ("cleartext", "high_risk", "remote_access", "tls_protocols", "reviewed_no_class")
    placed = set().union(*(set(raw[c]) for c in classes))
    assert set(get_args(Protocol)) == placed
    assert set(raw["reviewed_no_class"]).isdisjoint(
        set(raw["cleartext"]) | set(raw["high_risk"]) | set(raw["remote_access"])
    )


def test_transports_name_the_protocols_not_on_tcp_alone() -> None:
    """A scan covers a service through the ranges of its transport (EVD-002, EVD-005,
    EVD-013): a TCP scan covering 161 said an SNMP agent was not reachable."""
    from typing import get_args

    from hdsguard.declarations.model import Protocol

    raw = data.load("protocols")
    assert set(raw["udp"]) | set(raw["tcp_or_udp"]) <= set(get_args(Protocol))
    assert set(raw["udp"]).isdisjoint(raw["tcp_or_udp"])
    assert data.transports("snmp") == ("udp",)
    assert data.transports("openvpn") == ("tcp", "udp")
    assert data.transports("https") == data.transports("no such") == ("tcp",)


def test_well_known_ports() -> None:
    assert data.well_known_port("https") == 443
    assert data.well_known_port("rdp") == 3389
    assert data.well_known_port("dicom") == 104
    assert data.well_known_port("other") is None


def test_tls_versions() -> None:
    assert data.tls_versions() == ("1.0", "1.1", "1.2", "1.3")
    assert data.tls_version_rank("1.0") == 0
    rank_12, rank_13 = data.tls_version_rank("1.2"), data.tls_version_rank("1.3")
    assert rank_12 is not None and rank_13 is not None and rank_12 < rank_13
    assert data.tls_version_rank("1.1") < rank_12  # type: ignore[operator]
    assert data.tls_version_rank("ssl3") is None
    assert data.tls_version_rank("1.4") is None


# --------------------------------------------------------------------------- certificates


@pytest.mark.parametrize(
    ("issued", "max_days"),
    [
        (datetime.date(2020, 9, 1), 398),
        (datetime.date(2026, 3, 14), 398),
        (datetime.date(2026, 3, 15), 200),
        (datetime.date(2027, 3, 14), 200),
        (datetime.date(2027, 3, 15), 100),
        (datetime.date(2029, 3, 14), 100),
        (datetime.date(2029, 3, 15), 47),
        (datetime.date(2035, 1, 1), 47),
        (datetime.datetime(2026, 3, 15, 0, 0, 1), 200),
    ],
)
def test_cabf_max_lifetime(issued: datetime.date, max_days: int) -> None:
    assert data.cabf_max_lifetime(issued) == max_days


def test_cabf_schedule_ordered() -> None:
    schedule = data.load("cabf_lifetimes")["schedule"]
    assert schedule[0]["from"] is None
    dates = [e["from"] for e in schedule[1:]]
    assert dates == sorted(dates)
    lifetimes = [e["max_days"] for e in schedule]
    assert lifetimes == sorted(lifetimes, reverse=True)


@pytest.mark.parametrize(
    ("alg", "sha2", "weak"),
    [
        ("sha256WithRSAEncryption", True, False),
        ("sha384WithRSAEncryption", True, False),
        ("sha512WithRSAEncryption", True, False),
        ("SHA256WITHRSAENCRYPTION", True, False),
        ("ecdsa-with-SHA256", True, False),
        ("ecdsa-with-SHA384", True, False),
        ("ecdsa-with-SHA512", True, False),
        ("RSASSA-PSS with SHA-256", True, False),
        ("rsassa-pss-sha384", True, False),
        ("Ed25519", True, False),
        ("ed448", True, False),
        ("SHA256-RSA", True, False),
        ("sha256RSA", True, False),
        ("RSA-SHA256", True, False),
        ("SHA384-ECDSA", True, False),
        ("sha2-256", True, False),
        (" ES256 ", True, False),
        ("1.2.840.113549.1.1.11", True, False),
        ("1.2.840.10045.4.3.3", True, False),
        ("md5WithRSAEncryption", False, True),
        ("sha1WithRSAEncryption", False, True),
        ("SHA1-RSA", False, True),
        ("sha1RSA", False, True),
        ("ecdsa-with-SHA1", False, True),
        ("dsa-with-sha1", False, True),
        ("md2WithRSAEncryption", False, True),
        ("1.2.840.113549.1.1.5", False, True),
        ("RSASSA-PSS", False, False),
        ("sha3-256", False, False),
        ("1.2.840.113549.1.1.10", False, False),
        ("", False, False),
        ("unknown", False, False),
    ],
)
def test_signature_classification(alg: str, sha2: bool, weak: bool) -> None:
    assert data.is_sha2_signature(alg) is sha2
    assert data.is_weak_signature(alg) is weak


# --------------------------------------------------------------------------- regulatory


def test_regulatory_dates() -> None:
    assert data.regulatory_date("hds_v2_deadline") == datetime.date(2026, 5, 16)
    assert data.regulatory_date("care_security_policy_since") == datetime.date(2022, 7, 16)
    for entry in data.load("regulatory")["dates"].values():
        assert entry["source"].strip()
    with pytest.raises(KeyError):
        data.regulatory_date("nope")


def test_docs_list_every_file_with_its_as_of() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "data.md"
    if not docs.is_file():  # e.g. tests run from an sdist without docs
        pytest.skip("docs/data.md not available")
    text = docs.read_text(encoding="utf-8")
    for stem, as_of in data.data_versions().items():
        rows = [line for line in text.splitlines() if line.startswith(f"| `{stem}.json` |")]
        assert len(rows) == 1, stem
        assert f"| {as_of} |" in rows[0], f"docs/data.md: update the as_of of {stem}.json"
