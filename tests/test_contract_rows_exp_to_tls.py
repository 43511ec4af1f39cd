"""The catalogue's rows EXP-001 … TLS-003 (domain.md section 3), read as their outside tester
reads them: written from each row's text and format.md's field list only, not from the
policies. For every row, the plain cases a tester writes first:

- a clean, fully evidenced target, which passes;
- the plain violation the row names, which fails;
- the evidence absent (a field, a block or the inventory), which does not pass: it fails as
  missing evidence (FW-004 warns: the contract marks a firewall's `rules` optional);
- a "green that lies" where the row has one (a past event dated after the evaluation date, a
  partial decision read as whole, an implausible value), which does not pass;
- not_applicable where the row's scope excludes the target.

Each declaration set below runs once through the command line (``check FILE --no-config
--as-of 2026-11-28 --format json``); the list items of one set do not interact, so a set
groups many targets, and the singletons (organisation, identity, logging) vary between sets.
docs/fidelity.md ("Where the contract reads two ways") records each reading taken here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import AS_OF, run_cli, write

# A clean estate: every row in this file passes on every target (or is not applicable).
CLEAN = """
organisation: {name: Clinique du Parc, kind: clinic, last_exposure_scan: 2026-11-15}
identity:
  mfa_admin: true
  mfa_remote: true
  default_credentials_changed: true
  admin_workstations_internet: false
  admin_accounts: {dedicated: true, individual: true}
  inactive_disable_days: 60
  active_directory: {krbtgt_last_reset: 2026-05-01, ads_level: 4}
logging:
  centralised: true
  ntp: true
  transport_encrypted: true
  health_data_access_logged: true
  remote_access_traces_centralised: true
  retention_days: 400
  last_access_review: 2026-06-30
providers:
  - id: vault
    name: Vault Santé
    services: [backup]
    hds: {certificate: HDS-2025-0042, certifier: LNE, activities: [6], referential: v2,
          valid_from: 2025-01-15, valid_until: 2028-01-14, last_surveillance_audit: 2026-01-20,
          transparency_url: "https://vault.example.fr/transparence"}
    storage_countries: [FR]
    contract: {signed: 2025-02-01, dpa: true, hds_clauses: true, breach_notice_hours: 24}
systems:
  - id: dpi
    name: DPI
    health_data: true
    criticality: critical
    end_of_support: 2029-12-31
    backup:
      last_success: 2026-11-27
      last_restore_test: 2026-06-15
      monitored: true
      offline_or_immutable: true
      offsite: true
      encrypted: true
      auth_independent: true
      mfa: true
      isolated: true
  - id: pacs
    name: PACS
    health_data: true
    criticality: high
    end_of_support: 2030-06-30
    backup:
      last_success: 2026-11-28
      last_restore_test: 2026-03-02
      monitored: true
      offline_or_immutable: true
      offsite: true
      encrypted: true
      auth_independent: true
      mfa: true
      isolated: true
      provider: vault
  - id: intranet
    name: Intranet
    health_data: false
    criticality: low
    end_of_support: 2029-01-31
services:
  - id: portal
    system: dpi
    host: portail.clinique.example.fr
    port: 443
    protocol: https
    exposure: internet
    via: direct
    role: web
    authentication: password
    mfa: true
    owner: DSI
    purpose: patient portal
    tls: {min_version: "1.2", certificate: portal-cert}
    software: {name: nginx, version: "1.26.2", end_of_support: 2028-06-01}
    vulnerabilities: []
  - id: vpn
    port: 1194
    protocol: openvpn
    exposure: internet
    via: direct
    role: remote_access
    authentication: certificate
    mfa: true
    owner: DSI
    purpose: staff remote access
    tls: {min_version: "1.2", certificate: internal-leaf}
    software: {name: OpenVPN Access Server, version: "2.13.1", end_of_support: 2028-06-01}
    vulnerabilities: []
  - id: rdp-over-vpn
    port: 3389
    protocol: rdp
    exposure: internet
    via: vpn
    role: remote_access
    authentication: password
    mfa: true
    owner: DSI
    purpose: remote desktop for on-call radiologists
    software: {name: Windows Server, version: "2022", end_of_support: 2031-10-14}
    vulnerabilities: []
  - id: admin-bastion
    port: 22
    protocol: ssh
    exposure: internet
    via: bastion
    role: admin
    authentication: key
    mfa: true
    owner: DSI
    purpose: administration by the managed-services provider
    software: {name: Teleport, version: "16.4", end_of_support: 2028-01-31}
    vulnerabilities: []
  - id: api-tls13
    port: 443
    protocol: https
    exposure: partner
    via: direct
    role: api
    authentication: certificate
    mfa: false
    owner: DSI
    purpose: lab results from the partner laboratory
    tls: {min_version: "1.3", certificate: internal-leaf}
    software: {name: Mirth Connect, version: "4.5.2", end_of_support: 2028-12-31}
    vulnerabilities: [{cve: CVE-2026-1001, cvss: 7.5, published: 2026-01-10, kev: false}]
  - id: ftp-inside
    port: 21
    protocol: ftp
    exposure: internal
    role: file_transfer
    authentication: none
    software: {name: vsftpd, version: "3.0.5", end_of_support: 2028-12-31}
    vulnerabilities: []
  - id: admin-inside
    port: 8443
    protocol: https
    exposure: internal
    role: admin
    authentication: password
    mfa: true
    tls: {min_version: "1.2", certificate: internal-leaf}
    software: {name: VMware vCenter, version: "8.0u3", end_of_support: 2027-10-11}
    vulnerabilities: []
firewalls:
  - id: fw-edge
    vendor: Fortinet
    model: FortiGate 100F
    internet_facing: true
    firmware: {version: "7.4.4", end_of_support: 2029-03-31}
    last_patch: 2026-10-15
    last_rule_review: 2026-09-01
    management_exposed: false
    vulnerabilities: []
    rules:
      - {from: lan, to: dmz, port: 443, action: allow}
      - {from: any, to: any, port: any, action: deny}
certificates:
  - {id: portal-cert, subject: portail.clinique.example.fr, not_before: 2026-09-01,
     not_after: 2027-03-15, public: true, signature_algorithm: sha256WithRSAEncryption}
  - {id: internal-leaf, subject: api.clinique.local, not_before: 2025-01-01,
     not_after: 2029-12-31, public: false, signature_algorithm: ecdsa-with-SHA384}
"""

# The plain violations the rows name, one target each, on an otherwise clean service.
SERVICE = (
    "  - {{id: {id}, protocol: {protocol}, exposure: internet, via: direct, role: {role},"
    " authentication: password, mfa: true, owner: DSI, purpose: {id}, vulnerabilities: [],"
    " software: {{name: x, version: '1', end_of_support: 2029-01-01}}}}\n"
)
HIGH_RISK = ("smb", "rdp", "vnc", "mysql", "postgresql", "mssql", "oracle", "mongodb")
HIGH_RISK += ("ldap", "dicom", "hl7")
CLEARTEXT = ("ftp", "telnet", "pop3", "imap", "snmp")

VIOLATIONS = (
    """
organisation: {name: Clinique du Parc, last_exposure_scan: 2026-06-01}
identity:
  mfa_admin: false
  mfa_remote: false
  default_credentials_changed: false
  admin_workstations_internet: true
  admin_accounts: {dedicated: false, individual: false}
  inactive_disable_days: 180
  active_directory: {krbtgt_last_reset: 2024-01-10, ads_level: 1}
logging:
  centralised: false
  ntp: false
  transport_encrypted: false
  health_data_access_logged: false
  remote_access_traces_centralised: false
  retention_days: 90
  last_access_review: 2025-01-10
providers:
  - {id: nas-co, name: NAS & Co, services: [backup], storage_countries: [FR]}
  - id: infra-only
    name: Infra Only
    services: [backup]
    hds: {certificate: HDS-2024-0007, certifier: AFNOR Certification, activities: [1, 2],
          referential: v2, valid_from: 2024-09-01, valid_until: 2027-08-31}
  - id: lapsed
    name: Lapsed
    services: [backup]
    hds: {certificate: HDS-2023-0100, certifier: BSI, activities: [6], referential: v2,
          valid_from: 2023-05-01, valid_until: 2026-04-30}
systems:
  - {id: stale, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-20, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: unmonitored, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: false,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: never-restored, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2025-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: online-copy, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: false, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: onsite-copy, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: false, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: shared-auth, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: false, mfa: true, isolated: true}}
  - {id: backup-no-mfa, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: false, isolated: true}}
  - {id: flat-network, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: false}}
  - {id: cleartext-backup, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: false,
              auth_independent: true, mfa: true, isolated: true}}
  - {id: at-uncertified, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true, provider: nas-co}}
  - {id: at-infra-only, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true, provider: infra-only}}
  - {id: at-lapsed, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true, provider: lapsed}}
  - {id: unsupported, name: S, health_data: false, end_of_support: 2026-03-31}
  - {id: support-ending, name: S, health_data: false, end_of_support: 2027-04-30}
  - {id: no-backup, name: S, health_data: true, end_of_support: 2029-01-01}
firewalls:
  - {id: fw-unpatched, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-01-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-unsupported, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "6.0.18", end_of_support: 2026-06-30}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-support-ending, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.0.17", end_of_support: 2027-03-01}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-unreviewed, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2025-12-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-any-any, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow},
             {from: any, to: any, port: any, action: allow}]}
  - {id: fw-management, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: true, vulnerabilities: [],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-critical-open, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false,
     vulnerabilities: [{cve: CVE-2026-2101, cvss: 9.6, published: 2026-09-15, kev: false}],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
  - {id: fw-kev-late, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false,
     vulnerabilities: [{cve: CVE-2026-2102, cvss: 6.5, published: 2026-08-01, kev: true,
                        kev_added: 2026-10-20}],
     rules: [{from: lan, to: dmz, port: 443, action: allow}]}
certificates:
  - {id: expired, subject: a.example.fr, not_before: 2026-05-01, not_after: 2026-11-01,
     public: true, signature_algorithm: sha256WithRSAEncryption}
  - {id: expiring, subject: b.example.fr, not_before: 2026-09-01, not_after: 2026-12-10,
     public: true, signature_algorithm: sha256WithRSAEncryption}
  - {id: sha1, subject: c.example.fr, not_before: 2026-09-01, not_after: 2027-03-01,
     public: true, signature_algorithm: sha1WithRSAEncryption}
  - {id: md5, subject: c.clinique.local, not_before: 2026-09-01, not_after: 2027-03-01,
     public: false, signature_algorithm: md5WithRSAEncryption}
  - {id: too-long, subject: d.example.fr, not_before: 2026-06-01, not_after: 2027-06-01,
     public: true, signature_algorithm: sha256WithRSAEncryption}
services:
  - {id: http-login, protocol: http, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: DSI, purpose: old portal,
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: no-auth, protocol: https, exposure: internet, via: direct, role: api,
     authentication: none, owner: DSI, purpose: open api, tls: {min_version: "1.2"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: anonymous, protocol: https, exposure: internet, via: direct, role: file_transfer,
     authentication: anonymous, owner: DSI, purpose: downloads, tls: {min_version: "1.2"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: admin-direct, protocol: https, exposure: internet, via: direct, role: admin,
     authentication: password, mfa: true, owner: DSI, purpose: hypervisor console,
     tls: {min_version: "1.2"}, vulnerabilities: [],
     software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: admin-vpn-no-mfa, protocol: https, exposure: internet, via: vpn, role: admin,
     authentication: password, mfa: false, owner: DSI, purpose: hypervisor console,
     tls: {min_version: "1.2"}, vulnerabilities: [],
     software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: vpn-no-mfa, protocol: openvpn, exposure: internet, via: direct, role: remote_access,
     authentication: password, mfa: false, owner: DSI, purpose: staff vpn,
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: no-owner, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, purpose: portal, tls: {min_version: "1.2"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: no-purpose, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: DSI, tls: {min_version: "1.2"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: tls-10, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: DSI, purpose: portal, tls: {min_version: "1.0"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: tls-11, protocol: https, exposure: internal, role: web,
     authentication: password, mfa: true, tls: {min_version: "1.1"},
     vulnerabilities: [], software: {name: x, version: '1', end_of_support: 2029-01-01}}
  - {id: sw-unsupported, protocol: https, exposure: internal, role: web,
     authentication: password, tls: {min_version: "1.2"}, vulnerabilities: [],
     software: {name: IIS, version: '8.5', end_of_support: 2026-01-31}}
  - {id: sw-support-ending, protocol: https, exposure: internal, role: web,
     authentication: password, tls: {min_version: "1.2"}, vulnerabilities: [],
     software: {name: IIS, version: '10', end_of_support: 2027-02-01}}
  - {id: critical-open, protocol: https, exposure: internal, role: web,
     authentication: password, tls: {min_version: "1.2"},
     software: {name: x, version: '1', end_of_support: 2029-01-01},
     vulnerabilities: [{cve: CVE-2026-3001, cvss: 9.8, published: 2026-09-01, kev: false}]}
  - {id: cvss-9-open, protocol: https, exposure: internal, role: web,
     authentication: password, tls: {min_version: "1.2"},
     software: {name: x, version: '1', end_of_support: 2029-01-01},
     vulnerabilities: [{cve: CVE-2026-3002, cvss: 9.0, published: 2026-10-01, kev: false}]}
  - {id: kev-late, protocol: https, exposure: internal, role: web,
     authentication: password, tls: {min_version: "1.2"},
     software: {name: x, version: '1', end_of_support: 2029-01-01},
     vulnerabilities: [{cve: CVE-2026-3003, cvss: 7.2, published: 2026-08-01, kev: true,
                        kev_added: 2026-10-01}]}
  - {id: internet-critical, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: DSI, purpose: portal,
     tls: {min_version: "1.2"}, software: {name: x, version: '1', end_of_support: 2029-01-01},
     vulnerabilities: [{cve: CVE-2026-3004, cvss: 9.1, published: 2026-11-01, kev: false}]}
"""
    + "".join(SERVICE.format(id=f"{p}-open", protocol=p, role="other") for p in CLEARTEXT)
    + "".join(SERVICE.format(id=f"{p}-direct", protocol=p, role="other") for p in HIGH_RISK)
)

# One weakness among several fields a row reads, the others as they should be.
PARTIAL = """
organisation: {name: Clinique du Parc, last_exposure_scan: 2026-10-01}
identity:
  mfa_admin: true
  default_credentials_changed: true
  admin_workstations_internet: false
  admin_accounts: {dedicated: true, individual: false}
  inactive_disable_days: 90
  active_directory: {krbtgt_last_reset: 2026-06-01, ads_level: 2}
logging:
  centralised: true
  ntp: false
  transport_encrypted: true
  health_data_access_logged: true
  retention_days: 200
  last_access_review: 2025-06-01
# Declared empty (nothing exposed): an absent services section fails EXP-006 as missing evidence.
services: []
"""

# The evidence absent: fields, blocks and inventories the rows need are not declared.
MISSING = """
organisation: {name: Clinique du Parc}
identity: {mfa_remote: true}
logging: {remote_access_traces_centralised: true}
providers:
  - {id: nas-co, name: NAS & Co, services: [backup]}
systems:
  - {id: bare, name: S, health_data: true}
  - {id: backup-dates-only, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01}}
  - {id: backup-flags-only, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {monitored: true, offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true}}
services:
  - {id: no-authentication, protocol: https, exposure: internet, via: direct, role: web,
     owner: DSI, purpose: portal}
  - {id: rdp-no-via, protocol: rdp, exposure: internet, role: remote_access,
     authentication: password, mfa: true, owner: DSI, purpose: remote desktop}
  - {id: admin-no-via, protocol: https, exposure: internet, role: admin,
     authentication: password, mfa: true, owner: DSI, purpose: console}
  - {id: vpn-mfa-unsaid, protocol: openvpn, exposure: internet, via: direct,
     role: remote_access, authentication: password, owner: DSI, purpose: staff vpn}
  - {id: https-no-tls, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: DSI, purpose: portal}
  - {id: critical-unpublished, protocol: ssh, exposure: internal, role: admin,
     authentication: key, vulnerabilities: [{cve: CVE-2026-4001, cvss: 9.8, kev: false}]}
  - {id: kev-unlisted, protocol: ssh, exposure: internal, role: admin, authentication: key,
     vulnerabilities: [{cve: CVE-2026-4002, cvss: 7.0, published: 2026-08-01, kev: true}]}
firewalls:
  - {id: fw-bare, vendor: Stormshield, model: SN310, internet_facing: true}
  - {id: fw-firmware-undated, vendor: Stormshield, model: SN310, internet_facing: true,
     firmware: {version: "4.8.2"}, last_patch: 2026-10-15, last_rule_review: 2026-09-01,
     management_exposed: false, vulnerabilities: []}
certificates:
  - {id: cert-no-algorithm, subject: portail.example.fr, not_before: 2026-09-01,
     not_after: 2027-03-01, public: true}
"""

# Greens that would lie, the input accepts: partial protections read as whole, a certificate
# not valid yet, "any" spelt as an address range.
TRAPS = """
identity:
  mfa_admin: true
  default_credentials_changed: true
  admin_workstations_internet: false
  admin_accounts: {dedicated: true, individual: true}
  inactive_disable_days: 0
  active_directory: {krbtgt_last_reset: 2026-05-01, ads_level: 3}
logging:
  centralised: true
  ntp: true
  transport_encrypted: true
  health_data_access_logged: true
  retention_days: 0
  last_access_review: 2026-06-30
providers:
  - id: not-yet
    name: Not Yet
    services: [backup]
    hds: {certificate: HDS-2026-0999, certifier: LNE, activities: [6], referential: v2,
          valid_from: 2027-01-01, valid_until: 2029-12-31}
systems:
  - {id: at-not-yet, name: S, health_data: true, end_of_support: 2029-01-01,
     backup: {last_success: 2026-11-28, last_restore_test: 2026-06-01, monitored: true,
              offline_or_immutable: true, offsite: true, encrypted: true,
              auth_independent: true, mfa: true, isolated: true, provider: not-yet}}
firewalls:
  - {id: fw-any-cidr, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [],
     rules: [{from: 0.0.0.0/0, to: 0.0.0.0/0, port: any, action: allow}]}
  - {id: fw-empty, vendor: Fortinet, model: F, internet_facing: true,
     firmware: {version: "7.4.4", end_of_support: 2029-03-31}, last_patch: 2026-10-15,
     last_rule_review: 2026-09-01, management_exposed: false, vulnerabilities: [], rules: []}
  - {id: fw-edge-critical, vendor: Fortinet, model: F, internet_facing: true,
     vulnerabilities: [{cve: CVE-2026-6001, cvss: 9.1, published: 2026-11-08, kev: false}]}
  - {id: fw-inside-critical, vendor: Fortinet, model: F, internet_facing: false,
     vulnerabilities: [{cve: CVE-2026-6002, cvss: 9.1, published: 2026-11-08, kev: false}]}
certificates:
  - {id: not-yet-valid, subject: a.example.fr, not_before: 2027-01-01, not_after: 2027-06-01,
     public: true, signature_algorithm: sha256WithRSAEncryption}
  - {id: unnamed-hash, subject: e.example.fr, not_before: 2026-09-01, not_after: 2027-01-01,
     public: true, signature_algorithm: RSASSA-PSS}
  - {id: ecdsa-sha1, subject: f.example.fr, not_before: 2026-09-01, not_after: 2027-01-01,
     public: true, signature_algorithm: ecdsa-with-SHA1}
services:
  - {id: ldaps-direct, protocol: ldaps, exposure: internet, via: direct, role: other,
     authentication: password, owner: DSI, purpose: directory, tls: {min_version: "1.2"}}
  - {id: rdp-bastion, protocol: rdp, exposure: internet, via: bastion, role: remote_access,
     authentication: password, mfa: true, owner: DSI, purpose: remote desktop}
  - {id: ssh-without-role, protocol: ssh, exposure: internet, via: direct, authentication: key,
     mfa: false, owner: DSI, purpose: sftp drop}
  - {id: smtp-open, protocol: smtp, exposure: internet, via: direct, role: other,
     authentication: none, owner: DSI, purpose: mail relay}
  - {id: telnet-as-other, protocol: other, port: 23, exposure: internet, via: direct,
     role: other, authentication: password, owner: DSI, purpose: legacy console}
  - {id: rdp-proxy-no-mfa, protocol: rdp, exposure: internet, via: reverse_proxy,
     role: remote_access, authentication: password, mfa: false, owner: DSI,
     purpose: remote desktop gateway}
  - {id: rdp-partner, protocol: rdp, exposure: partner, via: direct, role: remote_access,
     authentication: password, mfa: true, owner: DSI, purpose: maintenance}
  - {id: admin-via-proxy, protocol: https, exposure: internet, via: reverse_proxy, role: admin,
     authentication: password, mfa: true, owner: DSI, purpose: console,
     tls: {min_version: "1.2"}}
  - {id: vpn-without-role, protocol: wireguard, exposure: internet, via: direct,
     authentication: key, mfa: false, owner: DSI, purpose: staff vpn}
  - {id: empty-owner, protocol: https, exposure: internet, via: direct, role: web,
     authentication: password, mfa: true, owner: "", purpose: " ", tls: {min_version: "1.2"}}
"""

# What the input itself refuses (exit 2, every error at once, each at the field's
# file:line:column): a field the schema requires for the object, a past event dated after the
# evaluation date, a duration the referential bounds exceeded, an end before its start.
REJECTED = """
organisation: {name: Clinique du Parc, last_exposure_scan: 2026-12-15}
identity:
  mfa_admin: true
  active_directory: {krbtgt_last_reset: 2027-01-01, ads_level: 4}
logging:
  health_data_access_logged: true
  last_access_review: 2027-02-01
providers:
  - id: too-long
    name: Too Long
    services: [backup]
    hds: {certificate: HDS-2019-0001, certifier: LNE, activities: [6], referential: v2,
          valid_from: 2019-01-01, valid_until: 2027-12-31}
systems:
  - id: future-success
    name: S
    health_data: true
    backup: {last_success: 2026-12-01, monitored: true}
  - id: future-restore
    name: S
    health_data: true
    backup: {last_restore_test: 2027-01-15}
firewalls:
  - {id: fw-future-patch, internet_facing: true, last_patch: 2026-12-20}
  - {id: fw-future-review, internet_facing: true, last_rule_review: 2027-03-01}
certificates:
  - {id: ends-before-start, not_before: 2026-10-01, not_after: 2026-09-02}
  - {id: cert-undated, subject: portail.example.fr, public: true}
services:
  - {id: no-protocol, exposure: internet, via: direct, role: web, authentication: password}
  - {id: ftp-no-exposure, protocol: ftp, role: file_transfer, authentication: password}
  - {id: tls-unquoted, protocol: https, exposure: internal, tls: {min_version: 1.2}}
  - id: future-published
    protocol: ssh
    exposure: internal
    vulnerabilities: [{cve: CVE-2026-5001, cvss: 9.8, published: 2027-01-05, kev: false}]
  - id: future-kev
    protocol: ssh
    exposure: internal
    vulnerabilities: [{cve: CVE-2026-5002, cvss: 7.0, published: 2026-08-01, kev: true,
                       kev_added: 2026-12-21}]
"""

# (where the error is, what it says, the text at its line:column): the rows these protect.
REJECTIONS = [
    ("organisation.last_exposure_scan", "after the evaluation date", "2026-12-15"),  # EXP-006
    ("identity.active_directory.krbtgt_last_reset", "after the evaluation date", "2027-01-01"),
    ("logging.last_access_review", "after the evaluation date", "2027-02-01"),  # LOG-003
    ("providers/too-long.hds.valid_until", "longer than 3 years", "2027-12-31"),  # BKP-005
    ("systems/future-success.backup.last_success", "after the evaluation date", "2026-12-01"),
    ("systems/future-restore.backup.last_restore_test", "after the evaluation", "2027-01-15"),
    ("firewalls/fw-future-patch.last_patch", "after the evaluation date", "2026-12-20"),
    ("firewalls/fw-future-review.last_rule_review", "after the evaluation date", "2027-03-01"),
    ("certificates/ends-before-start.not_after", "is before `not_before`", "2026-09-02"),
    ("certificates/cert-undated", "required field 'not_after' is missing", "{id: cert-undated"),
    ("services/no-protocol", "required field 'protocol' is missing", "{id: no-protocol"),
    ("services/ftp-no-exposure", "required field 'exposure' is missing", "{id: ftp-no-exp"),
    ("services/tls-unquoted.tls.min_version", 'write `"1.2"`, in quotes', "1.2}"),
    ("services/future-published.vulnerabilities[0].published", "after the", "2027-01-05"),
    ("services/future-kev.vulnerabilities[0].kev_added", "after the evaluation", "2026-12-21"),
]

# No singleton declared at all: the organisation's own evidence is absent.
NO_SINGLETONS = """
systems:
  - {id: dpi, name: DPI, health_data: true}
"""

SETS = {
    "clean": CLEAN,
    "violations": VIOLATIONS,
    "partial": PARTIAL,
    "missing": MISSING,
    "traps": TRAPS,
    "no-singletons": NO_SINGLETONS,
}

PASS, FAIL, WARN, NA = "pass", "fail", "warn", "not_applicable"

CASES: list[tuple[str, str, str, str]] = [
    # ---------------------------------------------------------------- (a) clean: passes
    *[("clean", "EXP-001", f"services/{s}", PASS) for s in ("portal", "vpn", "admin-bastion")],
    *[("clean", "EXP-002", f"services/{s}", PASS) for s in ("portal", "vpn", "api-tls13")],
    ("clean", "EXP-003", "services/rdp-over-vpn", PASS),
    ("clean", "EXP-004", "services/admin-bastion", PASS),
    ("clean", "EXP-004", "firewalls/fw-edge", PASS),
    ("clean", "EXP-005", "services/vpn", PASS),
    ("clean", "EXP-005", "services/rdp-over-vpn", PASS),
    *[("clean", "EXP-006", f"services/{s}", PASS) for s in ("portal", "vpn", "api-tls13")],
    ("clean", "EXP-006", "organisation", PASS),
    ("clean", "FW-001", "firewalls/fw-edge", PASS),
    ("clean", "FW-002", "firewalls/fw-edge", PASS),
    ("clean", "FW-003", "firewalls/fw-edge", PASS),
    ("clean", "FW-004", "firewalls/fw-edge", PASS),
    *[("clean", "PAT-001", f"systems/{s}", PASS) for s in ("dpi", "pacs", "intranet")],
    *[("clean", "PAT-001", f"services/{s}", PASS) for s in ("portal", "vpn", "admin-inside")],
    *[("clean", "PAT-002", f"services/{s}", PASS) for s in ("portal", "api-tls13")],
    ("clean", "PAT-002", "firewalls/fw-edge", PASS),
    *[("clean", "PAT-003", f"services/{s}", PASS) for s in ("portal", "api-tls13")],
    ("clean", "PAT-003", "firewalls/fw-edge", PASS),
    *[
        ("clean", rule, f"systems/{s}", PASS)
        for rule in ("BKP-001", "BKP-002", "BKP-003", "BKP-004", "BKP-005")
        for s in ("dpi", "pacs")
    ],
    *[
        ("clean", rule, "identity", PASS)
        for rule in ("IAM-001", "IAM-002", "IAM-003", "IAM-004", "IAM-005", "IAM-006")
    ],
    *[("clean", rule, "logging", PASS) for rule in ("LOG-001", "LOG-002", "LOG-003")],
    *[("clean", "TLS-001", f"services/{s}", PASS) for s in ("portal", "api-tls13")],
    *[("clean", "TLS-002", f"certificates/{c}", PASS) for c in ("portal-cert", "internal-leaf")],
    *[("clean", "TLS-003", f"certificates/{c}", PASS) for c in ("portal-cert", "internal-leaf")],
    # ------------------------------------------------------- (e) out of the row's scope
    ("clean", "EXP-001", "services/ftp-inside", NA),
    ("clean", "EXP-002", "services/ftp-inside", NA),
    ("clean", "EXP-003", "services/portal", NA),
    # Every service reachable from the Internet must say it is not an administration
    # interface (its `role`): the declared role earns EXP-004's pass.
    ("clean", "EXP-004", "services/portal", PASS),
    ("clean", "EXP-004", "services/admin-inside", NA),
    ("clean", "EXP-005", "services/portal", NA),
    ("clean", "EXP-006", "services/ftp-inside", NA),
    ("clean", "TLS-001", "services/admin-bastion", NA),
    ("clean", "TLS-001", "services/vpn", PASS),  # OpenVPN's control channel is TLS
    ("clean", "BKP-001", "systems/intranet", NA),
    # ------------------------------------------------------- (b) plain violations: fail
    *[("violations", "EXP-001", f"services/{p}-open", FAIL) for p in CLEARTEXT],
    ("violations", "EXP-001", "services/http-login", FAIL),
    ("violations", "EXP-002", "services/no-auth", FAIL),
    ("violations", "EXP-002", "services/anonymous", FAIL),
    *[("violations", "EXP-003", f"services/{p}-direct", FAIL) for p in HIGH_RISK],
    ("violations", "EXP-004", "services/admin-direct", FAIL),
    ("violations", "EXP-004", "services/admin-vpn-no-mfa", FAIL),
    ("violations", "EXP-004", "firewalls/fw-management", FAIL),
    ("violations", "EXP-005", "services/vpn-no-mfa", FAIL),
    ("violations", "EXP-006", "services/no-owner", FAIL),
    ("violations", "EXP-006", "services/no-purpose", FAIL),
    ("violations", "EXP-006", "organisation", FAIL),
    ("partial", "EXP-006", "organisation", WARN),
    ("violations", "FW-001", "firewalls/fw-unpatched", FAIL),
    ("violations", "FW-002", "firewalls/fw-unsupported", FAIL),
    ("violations", "FW-002", "firewalls/fw-support-ending", WARN),
    ("violations", "FW-003", "firewalls/fw-unreviewed", FAIL),
    ("violations", "FW-004", "firewalls/fw-any-any", FAIL),
    ("violations", "PAT-001", "systems/unsupported", FAIL),
    ("violations", "PAT-001", "systems/support-ending", WARN),
    ("violations", "PAT-001", "services/sw-unsupported", FAIL),
    ("violations", "PAT-001", "services/sw-support-ending", WARN),
    ("violations", "PAT-002", "services/critical-open", FAIL),
    ("violations", "PAT-002", "services/cvss-9-open", FAIL),
    ("violations", "PAT-002", "firewalls/fw-critical-open", FAIL),
    ("violations", "PAT-002", "services/internet-critical", PASS),  # 27 days: within 30
    ("violations", "PAT-003", "services/internet-critical", FAIL),  # … not within 15
    ("violations", "PAT-003", "services/kev-late", FAIL),
    ("violations", "PAT-003", "firewalls/fw-kev-late", FAIL),
    ("violations", "BKP-001", "systems/stale", FAIL),
    ("violations", "BKP-001", "systems/unmonitored", FAIL),
    ("violations", "BKP-001", "systems/no-backup", FAIL),
    ("violations", "BKP-002", "systems/never-restored", FAIL),
    ("violations", "BKP-003", "systems/online-copy", FAIL),
    ("violations", "BKP-003", "systems/onsite-copy", FAIL),
    ("violations", "BKP-004", "systems/shared-auth", FAIL),
    ("violations", "BKP-004", "systems/backup-no-mfa", FAIL),
    ("violations", "BKP-004", "systems/flat-network", FAIL),
    ("violations", "BKP-005", "systems/cleartext-backup", FAIL),
    ("violations", "BKP-005", "systems/at-uncertified", FAIL),
    ("violations", "BKP-005", "systems/at-infra-only", FAIL),
    ("violations", "BKP-005", "systems/at-lapsed", FAIL),
    *[("violations", f"BKP-00{n}", "systems/no-backup", FAIL) for n in range(2, 6)],
    *[
        ("violations", rule, "identity", FAIL)
        for rule in ("IAM-001", "IAM-002", "IAM-003", "IAM-004", "IAM-005", "IAM-006")
    ],
    *[("violations", rule, "logging", FAIL) for rule in ("LOG-001", "LOG-002", "LOG-003")],
    ("partial", "IAM-002", "identity", FAIL),  # individual: false alone
    ("partial", "IAM-004", "identity", PASS),  # 90 days: the limit itself
    ("partial", "IAM-005", "identity", FAIL),  # ADS level 2 alone
    ("partial", "LOG-001", "logging", FAIL),  # ntp: false alone
    ("partial", "LOG-002", "logging", WARN),  # 200 days: ≥ 180, < 365
    ("partial", "LOG-003", "logging", FAIL),  # review 18 months old alone
    ("violations", "TLS-001", "services/tls-10", FAIL),
    ("violations", "TLS-001", "services/tls-11", FAIL),
    ("violations", "TLS-002", "certificates/expired", FAIL),
    ("violations", "TLS-002", "certificates/expiring", WARN),
    ("violations", "TLS-003", "certificates/sha1", FAIL),
    ("violations", "TLS-003", "certificates/md5", FAIL),
    ("violations", "TLS-003", "certificates/too-long", FAIL),
    # ------------------------------------------ (c) evidence absent: never a pass
    ("missing", "EXP-002", "services/no-authentication", FAIL),
    ("missing", "EXP-003", "services/rdp-no-via", FAIL),
    ("missing", "EXP-004", "services/admin-no-via", FAIL),
    ("missing", "EXP-004", "firewalls/fw-bare", FAIL),
    ("missing", "EXP-005", "services/vpn-mfa-unsaid", FAIL),
    ("missing", "EXP-006", "organisation", FAIL),
    ("missing", "FW-001", "firewalls/fw-bare", FAIL),
    ("missing", "FW-002", "firewalls/fw-bare", FAIL),
    ("missing", "FW-002", "firewalls/fw-firmware-undated", FAIL),
    ("missing", "FW-003", "firewalls/fw-bare", FAIL),
    ("missing", "FW-004", "firewalls/fw-bare", WARN),  # `rules` is optional (format.md)
    ("missing", "PAT-001", "systems/bare", FAIL),
    ("missing", "PAT-001", "services/https-no-tls", FAIL),  # no `software`
    ("missing", "PAT-002", "services/https-no-tls", FAIL),  # no `vulnerabilities`
    ("missing", "PAT-002", "firewalls/fw-bare", FAIL),
    ("missing", "PAT-002", "services/critical-unpublished", FAIL),
    ("missing", "PAT-003", "services/https-no-tls", FAIL),
    ("missing", "PAT-003", "firewalls/fw-bare", FAIL),
    ("missing", "PAT-003", "services/kev-unlisted", FAIL),
    *[("missing", f"BKP-00{n}", "systems/bare", FAIL) for n in range(1, 6)],
    *[("missing", f"BKP-00{n}", "systems/backup-dates-only", FAIL) for n in (1, 3, 4, 5)],
    ("missing", "BKP-002", "systems/backup-dates-only", PASS),  # its evidence is there
    ("missing", "BKP-001", "systems/backup-flags-only", FAIL),
    ("missing", "BKP-002", "systems/backup-flags-only", FAIL),
    *[
        ("missing", rule, "identity", FAIL)
        for rule in ("IAM-001", "IAM-002", "IAM-003", "IAM-004", "IAM-005", "IAM-006")
    ],
    *[("missing", rule, "logging", FAIL) for rule in ("LOG-001", "LOG-002", "LOG-003")],
    ("missing", "TLS-001", "services/https-no-tls", FAIL),
    ("missing", "TLS-003", "certificates/cert-no-algorithm", FAIL),
    *[
        ("no-singletons", rule, target, FAIL)
        for rule, target in (
            ("EXP-006", "organisation"),
            *[(f"IAM-00{n}", "identity") for n in range(1, 7)],
            *[(f"LOG-00{n}", "logging") for n in range(1, 4)],
        )
    ],
    # ------------------------------------------------ (d) greens that would lie
    ("traps", "FW-004", "firewalls/fw-any-cidr", FAIL),  # 0.0.0.0/0 is any
    ("traps", "BKP-005", "systems/at-not-yet", FAIL),  # certified only from 2027
    ("traps", "TLS-002", "certificates/not-yet-valid", FAIL),
    ("traps", "EXP-003", "services/rdp-proxy-no-mfa", FAIL),  # a proxy without MFA
    ("traps", "EXP-003", "services/rdp-partner", FAIL),  # partners reach it over the Internet
    ("traps", "EXP-004", "services/admin-via-proxy", FAIL),  # only vpn / bastion
    ("traps", "EXP-005", "services/vpn-without-role", FAIL),  # a VPN is remote access
    ("traps", "EXP-006", "services/empty-owner", FAIL),
    ("traps", "IAM-004", "identity", FAIL),  # 0 days: "never" in many directory tools
    ("traps", "LOG-002", "logging", FAIL),  # kept 0 days
    ("traps", "EXP-001", "services/telnet-as-other", FAIL),  # port 23 says what answers
    ("traps", "EXP-002", "services/smtp-open", FAIL),
    ("traps", "EXP-003", "services/ldaps-direct", FAIL),  # a directory, over TLS or not
    ("traps", "EXP-003", "services/rdp-bastion", FAIL),  # the row: only vpn / reverse_proxy
    ("traps", "EXP-005", "services/ssh-without-role", FAIL),  # ssh is remote access
    ("traps", "FW-004", "firewalls/fw-empty", FAIL),  # `rules: []` shows no rule at all
    ("traps", "PAT-002", "firewalls/fw-edge-critical", PASS),  # 20 days: within 30 …
    ("traps", "PAT-003", "firewalls/fw-edge-critical", FAIL),  # … not within 15 on the edge
    ("traps", "PAT-003", "firewalls/fw-inside-critical", PASS),
    ("traps", "TLS-003", "certificates/unnamed-hash", FAIL),  # PSS says no hash
    ("traps", "TLS-003", "certificates/ecdsa-sha1", FAIL),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each declaration set's JSON report, run once (the rows' findings keyed by (rule,
    target))."""
    out: dict[str, dict[str, Any]] = {}
    for name, text in SETS.items():
        root = write(tmp_path_factory.mktemp(name), {"decl.yaml": text})
        result = run_cli(
            ["check", str(root / "decl.yaml"), "--no-config", "--as-of", AS_OF, "--format", "json"]
        )
        assert result.exit_code in (0, 1), (name, result.output)
        findings: dict[tuple[str, str], Any] = {}
        for finding in json.loads(result.stdout)["findings"]:
            key = (finding["rule"], finding["target"])
            assert key not in findings, (name, key)
            findings[key] = finding
        out[name] = findings
    return out


@pytest.mark.parametrize(
    ("decl", "rule", "target", "expected"),
    CASES,
    ids=[f"{rule}-{decl}-{target}" for decl, rule, target, _ in CASES],
)
def test_row(
    reports: dict[str, dict[tuple[str, str], Any]],
    decl: str,
    rule: str,
    target: str,
    expected: str,
) -> None:
    finding = reports[decl].get((rule, target))
    assert finding is not None, f"no {rule} finding on {target}"
    assert finding["status"] == expected, finding


def test_the_input_refuses_what_no_rule_may_read_green(tmp_path: Path) -> None:
    write(tmp_path, {"decl.yaml": REJECTED})
    result = run_cli(
        ["check", str(tmp_path / "decl.yaml"), "--no-config", "--as-of", AS_OF, "--format", "json"]
    )
    assert result.exit_code == 2
    lines = REJECTED.lstrip("\n").splitlines()
    errors = result.stderr.splitlines()
    for where, says, text in REJECTIONS:
        line = next(n for n, row in enumerate(lines, 1) if text in row)
        column = lines[line - 1].index(text) + 1
        found = [e for e in errors if f": {where}: " in e]
        assert len(found) == 1, (where, result.stderr)
        assert f"decl.yaml:{line}:{column}: {where}: " in found[0], (found[0], line, column)
        assert says in found[0], found[0]
    assert len(errors) == len(REJECTIONS), result.stderr


# ------------------------------------------------------------------ the messages, read
#
# What is wrong, where (the finding's line:column at the deciding field), the actual value and
# how to fix it, in English and in French: (set, rule, target, the text at line:column, what
# the message says in English, in French, what the fix says in English, in French).
MESSAGES: list[tuple[str, str, str, str, str, str, str, str]] = [
    (
        "violations",
        "EXP-001",
        "services/http-login",
        "protocol: http",
        "http is a cleartext protocol and the service is exposed to the Internet",
        "http est un protocole en clair et le service est exposé sur Internet",
        "serve the service over its encrypted equivalent (https for http",
        "servir le service par son équivalent chiffré (https pour http",
    ),
    (
        "violations",
        "EXP-002",
        "services/no-auth",
        "authentication: none",
        "https service exposed to the Internet with `authentication: none`",
        "service https exposé sur Internet avec `authentication: none`",
        "Require authentication on no-auth",
        "",
    ),
    (
        "violations",
        "EXP-004",
        "services/admin-direct",
        "via: direct",
        "is reached from the Internet directly; it may be reached from the Internet only through a"
        " VPN or through a bastion",
        "est joignable depuis Internet directement ; elle ne doit être joignable depuis Internet"
        " que par un VPN ou par un bastion",
        "publish it only through a VPN or through a bastion",
        "ne la publier que par un VPN ou par un bastion",
    ),
    (
        "violations",
        "EXP-006",
        "organisation",
        "last_exposure_scan: 2026-06-01",
        "last external exposure scan 2026-06-01, 180 days before 2026-11-28; the limit is 92",
        "dernier scan externe d'exposition le 1er juin 2026, 180 jours avant le 28 novembre 2026",
        "then set `last_exposure_scan` to the date of the report",
        "",
    ),
    (
        "violations",
        "FW-001",
        "firewalls/fw-unpatched",
        "last_patch: 2026-01-15",
        "last patched 2026-01-15, 317 days before 2026-11-28; the limit is 90 days",
        "dernier correctif le 15 janvier 2026, 317 jours avant le 28 novembre 2026 ; la limite est"
        " de 90 jours",
        "then set `last_patch` to the date it was applied",
        "",
    ),
    (
        "violations",
        "PAT-002",
        "services/critical-open",
        "{cve: CVE-2026-3001",
        "CVE-2026-3001 (CVSS 9.8), published 2026-09-01, is still open on 2026-11-28, 88 days"
        " later; the limit for a CVSS of 9 or more is 30 days after publication",
        "CVE-2026-3001 (CVSS 9.8), publiée le 1er septembre 2026, est encore ouverte le 28"
        " novembre 2026, 88 jours plus tard",
        "Apply the vendor's fix",
        "",
    ),
    (
        "violations",
        "BKP-001",
        "systems/stale",
        "last_success: 2026-11-20",
        "last successful backup 2026-11-20, 8 days before 2026-11-28; the limit is 1 day",
        "dernière sauvegarde réussie le 20 novembre 2026, 8 jours avant le 28 novembre 2026 ; la"
        " limite est de 1 jour",
        "Back up stale at least once a day",
        "",
    ),
    (
        "violations",
        "IAM-004",
        "identity",
        "inactive_disable_days: 180",
        "inactive accounts are disabled after 180 days (`identity.inactive_disable_days`); the"
        " limit is 90 days",
        "les comptes inactifs sont désactivés au bout de 180 jours",
        "then set `identity.inactive_disable_days` to the delay applied",
        "",
    ),
    (
        "violations",
        "LOG-002",
        "logging",
        "retention_days: 90",
        "security logs are kept 90 days (`logging.retention_days`); the minimum is 180 days",
        "les journaux de sécurité sont conservés 90 jours (`logging.retention_days`) ; le minimum"
        " est de 180 jours",
        "then set `logging.retention_days` to the retention applied",
        "",
    ),
    (
        "violations",
        "TLS-001",
        "services/tls-10",
        'min_version: "1.0"',
        'https service accepts TLS 1.0 and later (`tls.min_version: "1.0"`); the minimum is TLS'
        " 1.2",
        'le service https accepte TLS 1.0 et les versions suivantes (`tls.min_version: "1.0"`) ;'
        " le minimum est TLS 1.2",
        "Disable TLS versions older than 1.2 on tls-10",
        "",
    ),
    (
        "violations",
        "TLS-003",
        "certificates/too-long",
        "not_after: 2027-06-01",
        "issued 2026-06-01 and valid until 2027-06-01 lasts 365 days; the CA/Browser Forum"
        " Baseline Requirements allow at most 200 days",
        "émis le 1er juin 2026 et valide jusqu'au 1er juin 2027 dure 365 jours",
        "Replace it with a certificate within the CA/Browser Forum limit",
        "",
    ),
    (
        "violations",
        "FW-004",
        "firewalls/fw-any-any",
        "{from: any, to: any, port: any",
        "1 of the 2 declared rules allows any source to any destination on any port: {from: any,"
        " to: any, port: any, action: allow}",
        "1 des 2 règles déclarées autorise toute source vers toute destination sur tout port",
        "replace any rule that allows any source to any destination on any port",
        "remplacer toute règle qui autorise toute source vers toute destination sur tout port",
    ),
    # A firewall without rules: the fix is to declare them, not "remove the any-to-any rule".
    (
        "missing",
        "FW-004",
        "firewalls/fw-bare",
        "{id: fw-bare",
        "evidence missing: `rules` is not declared",
        "preuve manquante : `rules` n'est pas déclaré",
        "Declare every rule of fw-bare in `rules` (its `from`, `to`, `port` and `action`, from"
        " the firewall's configuration export)",
        "Déclarer chaque règle de fw-bare dans `rules` (ses `from`, `to`, `port` et `action`,"
        " d'après l'export de la configuration du pare-feu)",
    ),
    # `mfa` not declared is not "without multi-factor authentication": it is not said.
    (
        "missing",
        "EXP-005",
        "services/vpn-mfa-unsaid",
        "{id: vpn-mfa-unsaid",
        "evidence missing: `mfa` is not declared for this remote access service (openvpn, role"
        " remote_access) reachable from the Internet with `authentication: password`: nothing"
        " shows that it requires a second factor; declare whether it does (`mfa`)",
        "preuve manquante : `mfa` n'est pas déclaré pour ce service d'accès distant (openvpn,"
        " rôle remote_access) joignable depuis Internet avec `authentication: password` : rien ne"
        " montre qu'il exige un second facteur",
        "then declare `mfa: true`",
        "",
    ),
    (
        "violations",
        "EXP-005",
        "services/vpn-no-mfa",
        "mfa: false",
        "reachable from the Internet with `authentication: password` and without multi-factor"
        " authentication (`mfa: false`)",
        "joignable depuis Internet avec `authentication: password` et sans authentification"
        " multifacteur (`mfa: false`)",
        "then declare `mfa: true`",
        "",
    ),
    (
        "traps",
        "BKP-005",
        "systems/at-not-yet",
        "provider: not-yet",
        "backups are made by Not Yet (providers/not-yet), where HDS certificate HDS-2026-0999 of"
        " Not Yet does not count: it is valid only from 2027-01-01, 34 days after 2026-11-28",
        "le certificat HDS HDS-2026-0999 de Not Yet ne vaut pas : il n'est valide qu'à partir du"
        " 1er janvier 2027, 34 jours après le 28 novembre 2026",
        "Check the HDS certificate of Not Yet (providers/not-yet)",
        "Vérifier le certificat HDS détenu par Not Yet (providers/not-yet)",
    ),
]


@pytest.fixture(scope="module")
def reports_fr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The sets the messages are read in, reported in French."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted({decl for decl, *_ in MESSAGES}):
        root = write(tmp_path_factory.mktemp(name), {"decl.yaml": SETS[name]})
        args = ["check", str(root / "decl.yaml"), "--no-config", "--as-of", AS_OF]
        result = run_cli([*args, "--format", "json", "--lang", "fr"])
        findings = json.loads(result.stdout)["findings"]
        out[name] = {(f["rule"], f["target"]): f for f in findings}
    return out


@pytest.mark.parametrize(
    ("decl", "rule", "target", "at", "en", "fr", "fix_en", "fix_fr"),
    MESSAGES,
    ids=[f"{rule}-{target}" for _, rule, target, *_ in MESSAGES],
)
def test_message(
    reports: dict[str, dict[tuple[str, str], Any]],
    reports_fr: dict[str, dict[tuple[str, str], Any]],
    decl: str,
    rule: str,
    target: str,
    at: str,
    en: str,
    fr: str,
    fix_en: str,
    fix_fr: str,
) -> None:
    english, french = reports[decl][(rule, target)], reports_fr[decl][(rule, target)]
    row = SETS[decl].lstrip("\n").splitlines()[english["line"] - 1]
    assert row[english["column"] - 1 :].startswith(at), (row, english["column"])
    assert (french["line"], french["column"]) == (english["line"], english["column"])
    assert en in english["message"], english["message"]
    assert fr in french["message"], french["message"]
    assert fix_en in english["remediation"], english["remediation"]
    assert fix_fr in french["remediation"], french["remediation"]
