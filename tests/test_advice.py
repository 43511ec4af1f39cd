"""Validation messages say what to write instead (pattern, enum, id, misplaced item)."""

from __future__ import annotations

import pytest

from hdsguard.declarations.advice import choice_message, make_id, pattern_message
from tests.config_support import Tree
from tests.helpers import run_cli

BAD = """\
version: 1
organisation:
  name: X
  finess: {ej: "12345"}
vendors:
  - id: Tana_Transcription
    name: Tana
    country: fr
  - id: other
    name: Other
    country: France
    contact: {email: nobody}
services:
  - id: rdp-gw
    protocol: RDP
    exposure: Internet
  - id: smb
    protocol: smbx
    exposure: internal
firewalls:
  - id: web-portal
    system: dpi
    host: portal.example.org
    port: 443
    protocol: https
    exposure: internet
  - id: fw-1
    last_pach: 2026-01-01
"""


def test_every_message_says_what_to_write(tree: Tree) -> None:
    tree({"bad.yaml": BAD})
    result = run_cli(["check", "bad.yaml", "--no-config"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.yaml:6:9: vendors[0].id: 'Tana_Transcription' is not a valid id: an id is lower "
        "case letters, digits, '.', '_' and '-', starting with a letter or a digit; write "
        "`tana_transcription`",
        "bad.yaml:8:14: vendors[0].country: 'fr' is not an ISO 3166-1 alpha-2 country code; "
        "did you mean 'FR' (France)?",
        "bad.yaml:11:14: vendors/other.country: 'France' is not an ISO 3166-1 alpha-2 country "
        "code; did you mean 'FR' (France)?",
        "bad.yaml:12:5: unknown key 'contact' in vendors/other; did you mean 'contract'?",
        "bad.yaml:15:15: services/rdp-gw.protocol: invalid value 'RDP': write `rdp` (lower case)",
        "bad.yaml:16:15: services/rdp-gw.exposure: invalid value 'Internet': write `internet` "
        "(lower case)",
        "bad.yaml:18:15: services/smb.protocol: invalid value 'smbx': write one of `ftp`, "
        "`ftps`, `sftp`, `ssh`, `telnet`, `http`, `https`, `rdp`, `smb`, `vnc`, `ldap`, "
        "`ldaps`, `dicom`, `hl7`, `mysql`, `postgresql`, `mssql`, `oracle`, `mongodb`, "
        "`smtp`, `imap`, `pop3`, `snmp`, `ipsec`, `openvpn`, `wireguard`, `rsync`, `nfs`, "
        "`dns`, `other`; did you mean `smb`?",
        # a service pasted under firewalls: one message, not five unknown keys
        "bad.yaml:21:5: firewalls/web-portal: this looks like a service (`system`, `host`, "
        "`port`, `protocol`, `exposure` are fields of services), not a firewall; services go "
        "under `services:`",
        "bad.yaml:28:5: unknown key 'last_pach' in firewalls/fw-1; did you mean 'last_patch'?",
    ]


def test_an_item_of_another_section_is_one_problem_not_its_missing_fields(tree: Tree) -> None:
    # A firewall pasted under `systems:` lacks a system's required `name`: saying so as well
    # would have the user add a name to a firewall (HC, the fourteenth session).
    text = "systems:\n  - id: fw-1\n    vendor: stormshield\n    last_patch: 2026-01-01\n"
    tree({"bad.yaml": text})
    result = run_cli(["check", "bad.yaml", "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bad.yaml:2:5: systems/fw-1: this looks like a firewall (`vendor`, `last_patch` are "
        "fields of firewalls), not a system; firewalls go under `firewalls:`"
    ]


MISPLACED_FIELDS = """\
identity:
  name: Admins
logging:
  centralised: true
  mfa_admin: true
systems:
  - id: dpi
    name: DPI
    storage_countries: [FR]
services:
  - id: www
    protocol: https
    exposure: internet
    last_patch: 2026-11-01
"""


def test_a_field_written_under_another_section_is_told_where_it_belongs(tree: Tree) -> None:
    # HA, the nineteenth session: `mfa_admin:` under `logging:` was told only the keys of
    # logging; a name most sections have (`name`) still gets them.
    tree({"bad.yaml": MISPLACED_FIELDS})
    result = run_cli(["check", "bad.yaml", "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bad.yaml:2:3: unknown key 'name' in identity; expected one of: mfa_admin, mfa_remote, "
        "default_credentials_changed, admin_workstations_internet, admin_accounts, "
        "inactive_disable_days, active_directory, notes",
        "bad.yaml:5:3: unknown key 'mfa_admin' in logging; `mfa_admin` belongs to `identity`, "
        "not to `logging`: move it there",
        "bad.yaml:9:5: unknown key 'storage_countries' in systems/dpi; `storage_countries` "
        "belongs to the items of `providers` or to the items of `vendors`, not to the items of "
        "`systems`: move it to the right one",
        "bad.yaml:14:5: unknown key 'last_patch' in services/www; `last_patch` belongs to the "
        "items of `firewalls`, not to the items of `services`: move it there",
    ]
    french = run_cli(["check", "bad.yaml", "--no-config", "--lang", "fr"])
    assert "`mfa_admin` se déclare dans `identity`, pas dans `logging` : déplacez-la" in (
        french.stderr
    )


@pytest.mark.parametrize(
    ("text", "fixed"),
    [("Tana Transcription", "tana-transcription"), ("Serveur Échographie", "serveur-echographie"),
     ("--", "item-1"), ("FW_Edge.1", "fw_edge.1")],
)  # fmt: skip
def test_made_ids_are_valid(text: str, fixed: str) -> None:
    assert make_id(text) == fixed
    assert "write `" + fixed + "`" in pattern_message("^[a-z0-9][a-z0-9._-]*$", text)


def test_unknown_patterns_still_name_the_form() -> None:
    assert (
        pattern_message("^x+$", "y") == "'y' does not have the expected form (it must match `^x+$`)"
    )
    assert pattern_message(r"^[^@\s]+@[^@\s]+$", "nobody") == (
        "'nobody' is not an e-mail address: write one such as `rssi@example.org`"
    )


def test_choices() -> None:
    assert (
        choice_message(" HTTPS", ["http", "https"])
        == "invalid value ' HTTPS': write `https` (lower case)"
    )
    assert choice_message("zz", ["a", "b"]) == "invalid value 'zz': write one of `a`, `b`"


def test_a_firewall_rule_port_gets_one_message_that_says_what_to_write(tree: Tree) -> None:
    # `port` is a number or a text ("8000-8080", "any"): a wrong value got one message per
    # member of that union, one of them nonsense ("should be a valid string, got an integer
    # (quote it ... to keep leading zeros)" for 70000). "*" is a port (any), since the
    # twenty-first session: "every" is the word that is none.
    tree(
        {
            "fw.yaml": "firewalls:\n  - id: fw\n    rules:\n"
            '      - {from: any, to: any, port: "every", action: allow}\n'
            "      - {from: any, to: any, port: 70000, action: allow}\n"
            '      - {from: any, to: any, port: "443", action: allow}\n'
            "      - {from: any, to: any, port: [80, 443], action: allow}\n"
        }
    )
    result = run_cli(["check", "fw.yaml", "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "fw.yaml:4:36: firewalls/fw.rules[0].port: 'every' is not a port: write a port number "
        "(`443`), a range (`8000-8080`), or `any` (or leave `port` out) for every port",
        "fw.yaml:5:36: firewalls/fw.rules[1].port: 70000 is not a port: a port number runs "
        "from 1 to 65535; write one (`443`), a range (`8000-8080`), or `any` (or leave `port` "
        "out) for every port",
        "fw.yaml:6:36: firewalls/fw.rules[2].port: '443' is quoted: a port number is written "
        "without quotes, `443`",
        "fw.yaml:7:36: firewalls/fw.rules[3].port: Input should be a valid integer, got a list; "
        "write a port number (`443`), a range (`8000-8080`) or `any`, one rule for each port "
        "or range",
    ]


def test_a_quoted_number_is_told_to_lose_its_quotes(tree: Tree) -> None:
    tree(
        {
            "d.yaml": 'identity: {inactive_disable_days: "90"}\n'
            'logging: {retention_days: "9.5"}\n'
            'detection: {edr: {servers_percent: "98.5"}}\n'
        }
    )
    result = run_cli(["check", "d.yaml", "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "d.yaml:1:35: identity.inactive_disable_days: Input should be a valid integer, got a "
        "string (write 90 without quotes)",
        # not a whole number: dropping the quotes would not do
        "d.yaml:2:27: logging.retention_days: Input should be a valid integer, got a string; "
        "write a whole number, 0 or more",
        "d.yaml:3:36: detection.edr.servers_percent: Input should be a valid number, got a "
        "string (write 98.5 without quotes)",
    ]
    french = run_cli(["check", "d.yaml", "--no-config", "--lang", "fr"]).stderr.splitlines()
    assert french[0].endswith("reçu une chaîne de caractères (écrivez 90 sans guillemets)")


def test_a_number_written_with_its_unit_is_told_to_write_the_number_alone(tree: Tree) -> None:
    # `breach_notice_hours: 72h` read "should be a valid integer, got a string": what to write?
    tree(
        {
            "d.yaml": "logging: {retention_days: 365 jours}\n"
            "vendors:\n  - {id: v, name: V, contract: {breach_notice_hours: 72h}}\n"
            "services:\n  - {id: s, port: 443/tcp}\n"
        }
    )
    result = run_cli(["check", "d.yaml", "--no-config"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "d.yaml:1:27: logging.retention_days: Input should be a valid integer, got "
        "'365 jours': write the number alone, `365`"
    )
    assert lines[1].startswith("d.yaml:3:54: vendors/v.contract.breach_notice_hours: ")
    assert lines[1].endswith("got '72h': write the number alone, `72`")
    assert not any("443/tcp'" in line and "number alone" in line for line in lines)
    french = run_cli(["check", "d.yaml", "--no-config", "--lang", "fr"]).stderr.splitlines()
    assert french[0].endswith(
        "la valeur doit être un nombre entier, reçu '365 jours' : écrivez le nombre seul, `365`"
    )
