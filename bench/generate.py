"""Generate a realistic, deterministic declaration set of N objects for the benchmark.

    python bench/generate.py 10000 /tmp/decl-10k            # YAML
    python bench/generate.py 10000 /tmp/decl-10k-json --json
    python bench/generate.py 10000 /tmp/decl-10k-fail --shape failing

The set looks like what a hospital group writes by hand: every section, objects spread over
many files (``systems/``, ``network/``, ``vendors/*.yaml``…), references that resolve
(``hosted_by``, ``system``, ``tls.certificate``, ``backup.provider``, vendor ``systems``),
comments, accented names, dates relative to the evaluation date, and roughly 10–20 % of the
objects carrying one defect that a rule of the catalogue reports. The same seed gives the same
files; the JSON variant holds exactly the same data as the YAML one.

Two shapes. ``usual`` (the default) has files of 200 objects and ~5 % of the (rule, target)
pairs failing or warning. ``failing`` is the independent shape of issue 17: about a quarter of
the pairs fail or warn (so messages and remediations are rendered for many findings), and the
objects sit in a few large files of 2,500 objects (half of each large section, at least one
file) beside many small files of 25.

N counts the items of the list sections (providers, systems, services, firewalls, vendors,
certificates); the three singletons (organisation, identity, logging) come on top.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
from pathlib import Path
from typing import Any

AS_OF = datetime.date(2026, 11, 28)
OBJECTS_PER_FILE = 200
DEFECT_RATE = 0.15
# Share of the list items per section (sums to 1).
SHARES = {
    "providers": 0.03,
    "certificates": 0.17,
    "systems": 0.22,
    "services": 0.35,
    "firewalls": 0.05,
    "vendors": 0.18,
}
# Where each section's files go (the split a big organisation keeps).
FOLDERS = {
    "providers": "hosting/providers",
    "certificates": "pki/certificates",
    "systems": "systems/systems",
    "services": "network/services",
    "firewalls": "network/firewalls",
    "vendors": "vendors/vendors",
}
_TOWNS = ("Rouen", "Évreux", "Le Havre", "Dieppe", "Fécamp", "Caen", "Lisieux", "Bayeux")
_APPS = ("DPI", "PACS", "LIMS", "GAM", "Pharmacie", "Bloc", "Urgences", "RH", "Paie", "Labo")
_PROTOCOLS = ("https", "https", "https", "ssh", "sftp", "ldaps", "hl7", "dicom", "postgresql")
_RISKY = ("ftp", "telnet", "rdp", "smb", "vnc")


def _day(rng: random.Random, lo: int, hi: int) -> str:
    """A date between ``lo`` and ``hi`` days after the evaluation date (negative: before)."""
    return (AS_OF + datetime.timedelta(days=rng.randint(lo, hi))).isoformat()


# shape -> (defect rate, objects per large file, objects per small file)
SHAPES = {"usual": (DEFECT_RATE, 0, OBJECTS_PER_FILE), "failing": (0.75, 2500, 25)}


def _chunks(count: int, large: int, small: int) -> list[tuple[int, int]]:
    """(start, stop) of each file of a section of ``count`` objects: half of them (at least
    one file) in files of ``large`` objects when the section holds that many, the rest in
    files of ``small``."""
    out: list[tuple[int, int]] = []
    start = 0
    if large and count >= large:
        for _ in range(max(1, count // 2 // large)):
            out.append((start, start + large))
            start += large
    out.extend((lo, min(count, lo + small)) for lo in range(start, count, small))
    return out


class _Gen:
    def __init__(self, n: int, seed: int, shape: str = "usual") -> None:
        self.rng = random.Random(seed)
        self.defect_rate, self.large, self.small = SHAPES[shape]
        total = sum(SHARES.values())
        self.counts = {s: max(1, round(n * share / total)) for s, share in SHARES.items()}
        self.counts["services"] += n - sum(self.counts.values())  # exactly n objects
        self.ids = {s: [f"{s[:3]}-{i:06d}" for i in range(c)] for s, c in self.counts.items()}

    def defect(self) -> bool:
        return self.rng.random() < self.defect_rate

    def pick(self, section: str) -> str:
        return self.rng.choice(self.ids[section])

    def contract(self, bad: bool) -> dict[str, Any]:
        r = self.rng
        return {
            "signed": _day(r, -2000, -30),
            "dpa": not bad,
            "breach_notice_hours": 72 if bad else r.choice((24, 48)),
            "audit_right": True,
            "reversibility": True,
            "hds_clauses": True,
            "objection_days": 30,
            "patch_sla": {"critical_days": 15, "high_days": 60},
        }

    def provider(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        town = r.choice(_TOWNS)
        return {
            "id": ident,
            "name": f"Hébergeur {town} {ident[-4:]}",
            "services": ["iaas", "managed_services", "backup"],
            "hds": {
                "certificate": f"HDS-{r.randint(10000, 99999)}",
                "certifier": "LNE",
                "activities": [1, 2, 3, 4, 5, 6],
                "referential": "v2",
                "valid_from": _day(r, -180, -100),  # at most 3 years before valid_until
                "valid_until": _day(r, -30, -1) if bad else _day(r, 200, 900),
                "last_surveillance_audit": _day(r, -300, -10),
                "transparency_url": f"https://{ident}.example/transparence",
            },
            "iso27001": {
                "certificate": f"ISO-{r.randint(1000, 9999)}",
                "valid_until": "2028-06-30",
            },
            "secnumcloud": r.random() < 0.3,
            "storage_countries": ["FR"],
            "remote_access_countries": ["FR", "DE"],
            "transfer_mechanism": "none",
            "third_country_laws": [],
            "contract": self.contract(False),
        }

    def certificate(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        return {
            "id": ident,
            "subject": f"{ident}.ght-normandie.example",
            "not_before": _day(r, -150, -60),
            "not_after": _day(r, -40, -1) if bad else _day(r, 60, 300),
            "public": r.random() < 0.5,
            "signature_algorithm": "sha1WithRSAEncryption"
            if bad and r.random() < 0.3
            else ("sha256WithRSAEncryption"),
        }

    def system(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        item: dict[str, Any] = {
            "id": ident,
            "name": f"{r.choice(_APPS)} — site de {r.choice(_TOWNS)}",
            "health_data": r.random() < 0.7,
            "criticality": r.choice(("low", "medium", "high", "critical")),
        }
        if r.random() < 0.6:
            item["hosted_by"] = self.pick("providers")
        item["end_of_support"] = _day(r, -200, -1) if bad else _day(r, 400, 2000)
        item["backup"] = {
            "last_success": _day(r, -5, -2) if bad else AS_OF.isoformat(),
            "last_restore_test": _day(r, -300, -20),
            "monitored": True,
            "offline_or_immutable": True,
            "offsite": True,
            "encrypted": True,
            "auth_independent": True,
            "mfa": True,
            "isolated": True,
            "provider": self.pick("providers"),
        }
        return item

    def service(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        protocol = r.choice(_RISKY) if bad else r.choice(_PROTOCOLS)
        exposure = "internet" if bad or r.random() < 0.1 else r.choice(("internal", "partner"))
        item: dict[str, Any] = {
            "id": ident,
            "system": self.pick("systems"),
            "host": f"{ident}.ght.lan",
            "port": r.choice((443, 22, 8443, 2575, 104, 5432)),
            "protocol": protocol,
            "exposure": exposure,
            "via": "direct" if bad else r.choice(("reverse_proxy", "vpn", "direct")),
            "role": r.choice(("web", "api", "file_transfer", "other")),
            "authentication": "password" if bad else r.choice(("certificate", "key", "password")),
            "mfa": not bad,
            "owner": "Direction du numérique",
            "purpose": f"Accès {r.choice(_APPS)} pour les soignants",
        }
        if protocol in ("https", "ldaps"):
            item["tls"] = {"min_version": "1.2", "certificate": self.pick("certificates")}
        item["software"] = {
            "name": r.choice(("nginx", "OpenSSH", "Mirth Connect", "Orthanc")),
            "version": f"{r.randint(1, 9)}.{r.randint(0, 20)}",
            "end_of_support": _day(r, 300, 1500),
        }
        if bad and r.random() < 0.5:
            item["vulnerabilities"] = [
                {
                    "cve": f"CVE-2026-{r.randint(1000, 99999)}",
                    "cvss": round(r.uniform(7, 10), 1),
                    "published": _day(r, -120, -40),
                    "kev": True,
                    "kev_added": _day(r, -60, -20),
                }
            ]
        return item

    def firewall(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        return {
            "id": ident,
            "vendor": r.choice(("Stormshield", "Fortinet", "Palo Alto")),
            "model": f"SN{r.randint(100, 999)}",
            "internet_facing": r.random() < 0.4,
            "firmware": {
                "version": f"4.{r.randint(0, 8)}.{r.randint(0, 9)}",
                "end_of_support": (_day(r, 400, 1200)),
            },
            "last_patch": _day(r, -200, -100) if bad else _day(r, -80, -1),
            "last_rule_review": _day(r, -170, -1),
            "management_exposed": False,
            "rules": [
                {"from": "lan", "to": "dmz", "port": 443, "action": "allow"},
                {"from": "any", "to": "any", "port": "any", "action": "allow" if bad else "deny"},
            ],
        }

    def vendor(self, ident: str) -> dict[str, Any]:
        r, bad = self.rng, self.defect()
        return {
            "id": ident,
            "name": f"Société de maintenance {ident[-4:]}",
            "service": "Maintenance applicative et assistance aux utilisateurs",
            "country": "FR",
            "critical": r.random() < 0.3,
            "processes_personal_data": True,
            "health_data_access": True,
            "stores_health_data": r.random() < 0.3,
            "hosted_by": self.pick("providers"),
            "systems": sorted({self.pick("systems") for _ in range(r.randint(1, 3))}),
            "transfer_mechanism": "none",
            "subprocessors": [
                {"name": "Sous-traitant de niveau 2", "country": "FR", "authorised": True}
            ],
            "last_audit": _day(r, -900, -400) if bad else _day(r, -300, -10),
            "audit_kind": "questionnaire",
            "remote_access": {
                "via_gateway": True,
                "mfa": not bad,
                "time_bounded": True,
                "nominative": True,
            },
            "contract": self.contract(bad),
        }

    def singletons(self) -> dict[str, Any]:
        return {
            "version": 1,
            "organisation": {
                "name": "GHT Normandie Littoral",
                "kind": "ght",
                "finess": {"ej": "760003988", "et": ["760027417", "760051839"]},
                "security_officer": {"name": "Claire Dumesnil", "email": "rssi@ght.example"},
                "dpo": {"name": "Thomas Leroux", "email": "dpo@ght.example"},
                "security_policy_reviewed": "2025-09-15",
                "risk_analysis": "2026-06-10",
                "last_security_audit": "2026-04-20",
                "last_pentest": "2026-09-14",
                "last_exposure_scan": "2026-11-16",
                "continuity_plan": {
                    "exists": True,
                    "business_impact_analysis": True,
                    "last_test": "2026-10-08",
                },
                "incident_procedure": {"ars_cert_sante": True, "cnil_72h": True, "register": True},
            },
            "identity": {
                "mfa_admin": True,
                "mfa_remote": True,
                "default_credentials_changed": True,
                "admin_workstations_internet": False,
                "admin_accounts": {"dedicated": True, "individual": True},
                "inactive_disable_days": 60,
                "active_directory": {"krbtgt_last_reset": "2026-09-02", "ads_level": 4},
            },
            "logging": {
                "centralised": True,
                "ntp": True,
                "transport_encrypted": True,
                "health_data_access_logged": True,
                "remote_access_traces_centralised": True,
                "retention_days": 365,
                "last_access_review": "2026-07-01",
            },
        }

    def files(self) -> dict[str, dict[str, Any]]:
        """Relative path (no suffix) -> file content."""
        out: dict[str, dict[str, Any]] = {"organisation": self.singletons()}
        makers = {
            "providers": self.provider,
            "certificates": self.certificate,
            "systems": self.system,
            "services": self.service,
            "firewalls": self.firewall,
            "vendors": self.vendor,
        }
        for section, ids in self.ids.items():
            for index, (start, stop) in enumerate(_chunks(len(ids), self.large, self.small)):
                name = f"{FOLDERS[section]}-{index + 1:04d}"
                out[name] = {"version": 1, section: [makers[section](i) for i in ids[start:stop]]}
        return out


# ---------------------------------------------------------------------------------- writing

# A string can be written plain when the YAML 1.2 core schema reads it back as that string.
_PLAIN = re.compile(r"[A-Za-zÀ-ÿ][\w .,/@()'’—-]*[\w.)]|[A-Za-z]")
_NOT_STR = re.compile(r"(?i:true|false|null|~|[-+]?[0-9.].*|\.inf|\.nan)")


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return text  # dates are written plain, as people write them; they stay strings
    if _PLAIN.fullmatch(text) and not _NOT_STR.fullmatch(text) and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(value: dict[str, Any], col: int, lines: list[str], prefix: str) -> None:
    """A block mapping whose keys start at column ``col``; ``prefix`` opens its first line."""
    for index, (key, child) in enumerate(value.items()):
        head = prefix if index == 0 else " " * col
        if isinstance(child, dict) and child:
            lines.append(f"{head}{key}:")
            _block(child, col + 2, lines, " " * (col + 2))
        elif isinstance(child, list) and child and not _flow(child):
            lines.append(f"{head}{key}:")
            for item in child:
                _item(item, col + 2, lines)
        else:
            lines.append(f"{head}{key}: {_inline(child)}")


def _item(item: Any, col: int, lines: list[str]) -> None:
    """A block sequence entry whose dash is at column ``col``."""
    if isinstance(item, dict) and item:
        _block(item, col + 2, lines, " " * col + "- ")
    else:
        lines.append(" " * col + f"- {_inline(item)}")


def _flow(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def to_yaml(data: dict[str, Any], title: str) -> str:
    lines = [f"# {title} — generated by bench/generate.py (deterministic benchmark data).", ""]
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            for index, item in enumerate(value):
                if index % 25 == 0:
                    lines.append(f"  # --- block {index // 25 + 1}")
                _item(item, 2, lines)
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            _block(value, 2, lines, "  ")
        else:
            lines.append(f"{key}: {_scalar(value)}")
        lines.append("")
    return "\n".join(lines)


def generate(
    n: int, out: Path, *, as_json: bool = False, seed: int = 20261128, shape: str = "usual"
) -> list[Path]:
    """Write the set of ``n`` objects under ``out``; return the files written."""
    return write_files(_Gen(n, seed, shape).files(), out, as_json=as_json)


def write_files(files: dict[str, dict[str, Any]], out: Path, *, as_json: bool) -> list[Path]:
    """Write each file (relative path without suffix -> content) under ``out`` in YAML or
    JSON; return the files written."""
    written: list[Path] = []
    for name, data in files.items():
        path = out / f"{name}.{'json' if as_json else 'yaml'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if as_json:
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        else:
            text = to_yaml(data, name)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("objects", type=int, help="number of list items (objects)")
    parser.add_argument("out", type=Path, help="directory to write (created)")
    parser.add_argument("--json", action="store_true", help="write JSON instead of YAML")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="usual", help="see above")
    args = parser.parse_args()
    files = generate(args.objects, args.out, as_json=args.json, seed=args.seed, shape=args.shape)
    print(f"{len(files)} files, {args.objects} objects under {args.out}")


if __name__ == "__main__":
    main()
