"""Validation errors of declarations, config, waivers and policies in both languages.

Each case is one kind of bad input: the English line is the one users have always read, the
French one the same problem at the same ``file:line:column``, in French. Then hdsguard's own
templates of pydantic's messages: word for word pydantic's English, each with French text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_core import PydanticKnownError

from hdsguard.declarations.errtext import TEMPLATES, error_message
from hdsguard.i18n import language
from tests.helpers import AS_OF, run_cli, write

DECL = "firewalls:\n  - id: fw-1\n    last_patch: 2026-11-01\n"
FW_PORT = (
    "firewalls:\n  - id: fw-1\n    rules:\n"
    "      - {{from: a, to: b, port: {port}, action: allow}}\n"
)
WAIVER = (
    "  - rule: {rule}\n    target: {target}\n    justification: j\n    owner: o\n"
    "    approver: a\n{created}    expires: {expires}\n"
)
POLICY = (
    "id: ORG-001\ntitle: t\ndescription: d\nrationale: r\nseverity: high\n"
    "applies_to: firewalls\nreferences: [x]\n{body}remediation: x\ntests:\n"
    "  - {{name: a, as_of: 2026-11-28, declarations: {{firewalls: [{{id: a}}]}}, expect: pass}}\n"
    "  - {{name: b, as_of: 2026-11-28, declarations: {{firewalls: [{{id: b}}]}}, expect: fail}}\n"
)


def _waivers(rule: str, target: str, expires: str, created: str = "") -> str:
    line = f"    created: {created}\n" if created else ""
    item = WAIVER.format(rule=rule, target=target, created=line, expires=expires)
    return "waivers:\n" + item


CASES = [
    # A firewall rule's port out of range says what to write, as the other values do: its
    # schema is a union (a number, a range, `any`) that says no one thing (found by HB).
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="70000")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: 70000 is not a port: a port number "
        "runs from 1 to 65535; write one (`443`), a range (`8000-8080`), or `any` (or leave "
        "`port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : 70000 n'est pas un port : un numéro "
        "de port va de 1 à 65535 ; écrivez-en un (`443`), une plage (`8000-8080`) ou `any` (ou "
        "omettez `port`) pour tous les ports",
        id="declaration-rule-port-out-of-range",
    ),
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="0")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: 0 is not a port: a port number "
        "runs from 1 to 65535; write one (`443`), a range (`8000-8080`), or `any` (or leave "
        "`port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : 0 n'est pas un port : un numéro "
        "de port va de 1 à 65535 ; écrivez-en un (`443`), une plage (`8000-8080`) ou `any` (ou "
        "omettez `port`) pour tous les ports",
        id="declaration-rule-port-zero",
    ),
    # Quoted and out of range: "write it without quotes" would only lead to the error above.
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="'-1'")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: -1 is not a port: a port number "
        "runs from 1 to 65535; write one (`443`), a range (`8000-8080`), or `any` (or leave "
        "`port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : -1 n'est pas un port : un numéro "
        "de port va de 1 à 65535 ; écrivez-en un (`443`), une plage (`8000-8080`) ou `any` (ou "
        "omettez `port`) pour tous les ports",
        id="declaration-rule-port-negative-quoted",
    ),
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="'70000'")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: 70000 is not a port: a port number "
        "runs from 1 to 65535; write one (`443`), a range (`8000-8080`), or `any` (or leave "
        "`port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : 70000 n'est pas un port : un numéro "
        "de port va de 1 à 65535 ; écrivez-en un (`443`), une plage (`8000-8080`) ou `any` (ou "
        "omettez `port`) pour tous les ports",
        id="declaration-rule-port-quoted-out-of-range",
    ),
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="[80, 443]")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: Input should be a valid integer, got a "
        "list; write a port number (`443`), a range (`8000-8080`) or `any`, one rule for each "
        "port or range",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : la valeur doit être un nombre entier, "
        "reçu une liste ; écrivez un numéro de port (`443`), une plage (`8000-8080`) ou `any`, "
        "une règle par port ou par plage",
        id="declaration-rule-port-list",
    ),
    # A range of the right form whose ends make no sense: `65535-1`, every port written
    # backwards, was read as no port and let an any-to-any rule pass FW-004 (found by HB).
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="65535-1")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: '65535-1' is not a port range: its "
        "ends run from 0 to 65535, the first no greater than the second; write one such as "
        "`8000-8080`, or `any` (or leave `port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : '65535-1' n'est pas une plage de "
        "ports : ses bornes vont de 0 à 65535, la première au plus égale à la seconde ; "
        "écrivez-en une comme `8000-8080`, ou `any` (ou omettez `port`) pour tous les ports",
        id="declaration-rule-port-range-backwards",
    ),
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="1-70000")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: '1-70000' is not a port range: its "
        "ends run from 0 to 65535, the first no greater than the second; write one such as "
        "`8000-8080`, or `any` (or leave `port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : '1-70000' n'est pas une plage de "
        "ports : ses bornes vont de 0 à 65535, la première au plus égale à la seconde ; "
        "écrivez-en une comme `8000-8080`, ou `any` (ou omettez `port`) pour tous les ports",
        id="declaration-rule-port-range-too-high",
    ),
    # Port 0 alone is refused (1 to 65535); `0-0` named only it, yet was accepted and read as
    # no port at all (found by HB). `0-65535` stays every port.
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port="0-0")},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: '0-0' is not a port range: port 0 is "
        "no destination port, so it allows none; write the ports it allows, from 1 to 65535 "
        "(`8000-8080`), or `any` (or leave `port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : '0-0' n'est pas une plage de ports : "
        "le port 0 n'est pas un port de destination, elle n'en autorise donc aucun ; écrivez "
        "les ports qu'elle autorise, de 1 à 65535 (`8000-8080`), ou `any` (ou omettez `port`) "
        "pour tous les ports",
        id="declaration-rule-port-range-zero",
    ),
    # Digits of another script: int() reads "٤٤٣" as 443; refused, located (found by HB).
    pytest.param(
        {"decl/a.yaml": FW_PORT.format(port='"٤٤٣"')},
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port: '٤٤٣' is not a port: write a port "
        "number (`443`), a range (`8000-8080`), or `any` (or leave `port` out) for every port",
        "decl/a.yaml:4:32: firewalls/fw-1.rules[0].port : '٤٤٣' n'est pas un port : écrivez un "
        "numéro de port (`443`), une plage (`8000-8080`) ou `any` (ou omettez `port`) pour tous "
        "les ports",
        id="declaration-rule-port-other-digits",
    ),
    pytest.param(
        {"decl/a.yaml": "organisation:\n  name: Clinique\n  finess_number: '690028717'\n"},
        "decl/a.yaml:3:3: unknown key 'finess_number' in organisation; did you mean 'finess'?",
        "decl/a.yaml:3:3: clé inconnue 'finess_number' dans organisation ; "
        "vouliez-vous dire 'finess' ?",
        id="declaration-unknown-key",
    ),
    pytest.param(
        {"decl/a.yaml": "providers:\n  - id: tana\n    name: Tana\n    storage_countries: [UK]\n"},
        "decl/a.yaml:4:25: providers/tana.storage_countries[0]: 'UK' is not an ISO 3166-1 "
        "alpha-2 country code; did you mean 'GB' (United Kingdom)?",
        "decl/a.yaml:4:25: providers/tana.storage_countries[0] : 'UK' n'est pas un code pays "
        "ISO 3166-1 alpha-2 ; vouliez-vous dire 'GB' (Royaume-Uni) ?",
        id="declaration-country",
    ),
    pytest.param(
        {"decl/a.yaml": "providers:\n  - id: Tana Transcription\n    name: Tana\n"},
        "decl/a.yaml:2:9: providers[0].id: 'Tana Transcription' is not a valid id: an id is "
        "lower case letters, digits, '.', '_' and '-', starting with a letter or a digit; "
        "write `tana-transcription`",
        "decl/a.yaml:2:9: providers[0].id : 'Tana Transcription' n'est pas un identifiant "
        "valide : un identifiant s'écrit en minuscules, chiffres, '.', '_' et '-', et commence "
        "par une lettre ou un chiffre ; écrivez `tana-transcription`",
        id="declaration-pattern",
    ),
    pytest.param(
        {"decl/a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2026-01-01\n    rules: 3\n"},
        "decl/a.yaml:4:12: firewalls/fw-1.rules: Input should be a valid list, got an integer; "
        "write a list, each item a mapping of its fields (`from`, `to`, `port`, `action`)",
        "decl/a.yaml:4:12: firewalls/fw-1.rules : la valeur doit être une liste, reçu un "
        "nombre entier ; écrivez une liste, chaque élément étant un dictionnaire de ses champs "
        "(`from`, `to`, `port`, `action`)",
        id="declaration-type",
    ),
    pytest.param(
        {"decl/a.yaml": "providers:\n  - name: Tana\n"},
        "decl/a.yaml:2:5: providers[0]: required field 'id' is missing; add `id:` with an id "
        "(lower case letters, digits, '.', '_' and '-', starting with a letter or a digit), "
        "such as `tana`",
        "decl/a.yaml:2:5: providers[0] : le champ obligatoire 'id' est absent ; ajoutez `id:` "
        "avec un identifiant (minuscules, chiffres, '.', '_' et '-', commençant par une lettre "
        "ou un chiffre), par exemple `tana`",
        id="declaration-required",
    ),
    pytest.param(
        {"decl/a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2026-02-30\n"},
        "decl/a.yaml:3:17: firewalls/fw-1.last_patch: expected an ISO 8601 date (YYYY-MM-DD), "
        "got '2026-02-30': day is out of range for month",
        "decl/a.yaml:3:17: firewalls/fw-1.last_patch : date ISO 8601 attendue (AAAA-MM-JJ), "
        "reçu '2026-02-30' : le jour n'existe pas dans ce mois",
        id="declaration-date",
    ),
    pytest.param(
        {"decl/a.yaml": "organisation:\n  name: Clinique\n  kind: Clinic\n"},
        "decl/a.yaml:3:9: organisation.kind: invalid value 'Clinic': write `clinic` (lower case)",
        "decl/a.yaml:3:9: organisation.kind : valeur invalide 'Clinic' : écrivez `clinic` "
        "(en minuscules)",
        id="declaration-enum",
    ),
    pytest.param(
        {"decl/a.yaml": "firewalls:\n  - id: fw-1\n  - id: fw-1\n"},
        "decl/a.yaml:3:5: duplicate id 'fw-1' in firewalls: already declared at "
        "decl/a.yaml:2:5; ids must be unique within a section: rename one, or delete the copy",
        "decl/a.yaml:3:5: identifiant 'fw-1' en double dans firewalls : déjà déclaré en "
        "decl/a.yaml:2:5 ; les identifiants doivent être uniques dans une section : renommez "
        "l'un des deux, ou supprimez la copie",
        id="declaration-duplicate-id",
    ),
    pytest.param(
        {
            "decl/a.yaml": "providers:\n  - id: tana\n    name: Tana\nsystems:\n  - id: dpi\n"
            "    name: DPI\n    hosted_by: tanna\n"
        },
        "decl/a.yaml:7:16: systems/dpi: hosted_by refers to 'tanna', but no item of providers "
        "has that id (did you mean 'tana'?)",
        "decl/a.yaml:7:16: systems/dpi : hosted_by désigne 'tanna', mais aucun élément de "
        "providers n'a cet identifiant (vouliez-vous dire 'tana' ?)",
        id="declaration-reference",
    ),
    # A required field left out says what to write in it, as an invalid value does.
    pytest.param(
        {"decl/a.yaml": "services:\n  - id: web\n    exposure: internet\n"},
        "decl/a.yaml:2:5: services/web: required field 'protocol' is missing; add `protocol:` "
        "with one of `ftp`, `ftps`, `sftp`, `ssh`, `telnet`, `http`, `https`, `rdp`, `smb`, "
        "`vnc`, `ldap`, `ldaps`, `dicom`, `hl7`, `mysql`, `postgresql`, `mssql`, `oracle`, "
        "`mongodb`, `smtp`, `imap`, `pop3`, `snmp`, `ipsec`, `openvpn`, `wireguard`, `rsync`, "
        "`nfs`, `dns`, `other`",
        "decl/a.yaml:2:5: services/web : le champ obligatoire 'protocol' est absent ; ajoutez "
        "`protocol:` avec l'une des valeurs `ftp`, `ftps`, `sftp`, `ssh`, `telnet`, `http`, "
        "`https`, `rdp`, `smb`, `vnc`, `ldap`, `ldaps`, `dicom`, `hl7`, `mysql`, `postgresql`, "
        "`mssql`, `oracle`, `mongodb`, `smtp`, `imap`, `pop3`, `snmp`, `ipsec`, `openvpn`, "
        "`wireguard`, `rsync`, `nfs`, `dns`, `other`",
        id="declaration-required-enum",
    ),
    pytest.param(
        {"decl/a.yaml": "certificates:\n  - id: portal\n"},
        "decl/a.yaml:2:5: certificates/portal: required field 'not_after' is missing; add "
        "`not_after:` with a date written YYYY-MM-DD, such as `2026-11-28`",
        "decl/a.yaml:2:5: certificates/portal : le champ obligatoire 'not_after' est absent ; "
        "ajoutez `not_after:` avec une date écrite AAAA-MM-JJ, par exemple `2026-11-28`",
        id="declaration-required-date",
    ),
    pytest.param(
        {"decl/a.yaml": "organisation:\n  kind: clinic\n"},
        "decl/a.yaml:1:1: organisation: required field 'name' is missing; add `name:` with a text",
        "decl/a.yaml:1:1: organisation : le champ obligatoire 'name' est absent ; ajoutez "
        "`name:` avec un texte",
        id="declaration-required-text",
    ),
    pytest.param(
        {"decl/a.yaml": "identity:\n  - mfa_admin: true\n"},
        "decl/a.yaml:2:3: identity: a single section, not a list: write its fields under "
        "`identity:` without the `- ` in front of them",
        "decl/a.yaml:2:3: identity : une section unique, pas une liste : écrivez ses champs "
        "sous `identity:` sans le `- ` devant eux",
        id="declaration-singleton-as-list",
    ),
    pytest.param(
        {"decl/a.yaml": "logging: true\n"},
        "decl/a.yaml:1:10: logging: a section of fields, not a boolean: write them under "
        "`logging:`, one per line and indented, such as `centralised: …`",
        "decl/a.yaml:1:10: logging : une section de champs, pas un booléen : écrivez-les sous "
        "`logging:`, un par ligne et en retrait, par exemple `centralised: …`",
        id="declaration-singleton-as-value",
    ),
    pytest.param(
        {"decl/a.yaml": "systems:\n  id: dpi\n  name: DPI\n"},
        "decl/a.yaml:2:3: systems: a list, not a mapping: write each item under `systems:` "
        "beginning with `- ` (`- id: …`)",
        "decl/a.yaml:2:3: systems : une liste, pas un dictionnaire : écrivez chaque élément "
        "sous `systems:` en le commençant par `- ` (`- id: …`)",
        id="declaration-list-as-mapping",
    ),
    pytest.param(
        {"decl/a.yaml": "organisation:\n  name: X\n  security_officer: Jean\n"},
        "decl/a.yaml:3:21: organisation.security_officer: Input should be a valid dictionary, "
        "got a string; write a mapping of its fields (`name`, `email`)",
        "decl/a.yaml:3:21: organisation.security_officer : la valeur doit être un dictionnaire "
        "(clé: valeur), reçu une chaîne de caractères ; écrivez un dictionnaire de ses champs "
        "(`name`, `email`)",
        id="declaration-value-for-mapping",
    ),
    pytest.param(
        {"decl/a.yaml": "providers:\n  - id: p\n    name: P\n    storage_countries: FR\n"},
        "decl/a.yaml:4:24: providers/p.storage_countries: Input should be a valid list, got a "
        "string; write it as a list: `[FR]`",
        "decl/a.yaml:4:24: providers/p.storage_countries : la valeur doit être une liste, reçu "
        "une chaîne de caractères ; écrivez-le sous forme de liste : `[FR]`",
        id="declaration-value-for-list",
    ),
    pytest.param(
        {"decl/a.yaml": "identity:\n  mfa_admin: 1\n"},
        "decl/a.yaml:2:14: identity.mfa_admin: Input should be a valid boolean; write `true` or "
        "`false`",
        "decl/a.yaml:2:14: identity.mfa_admin : la valeur doit être un booléen ; écrivez `true` "
        "ou `false`",
        id="declaration-number-for-boolean",
    ),
    pytest.param(
        {
            "decl/a.yaml": "identity:\n  admin_accounts: {dedicated: true}\n"
            "  inactive_disable_days: -1\n"
        },
        "decl/a.yaml:3:26: identity.inactive_disable_days: Input should be greater than or "
        "equal to 0; write a whole number, 0 or more",
        "decl/a.yaml:3:26: identity.inactive_disable_days : la valeur doit être supérieure ou "
        "égale à 0 ; écrivez un nombre entier, 0 ou plus",
        id="declaration-out-of-bounds",
    ),
    pytest.param(
        {"decl/a.yaml": "systems:\n  - id: dpi\n    name: DPI\n    hosted_by: tana\n"},
        "decl/a.yaml:4:16: systems/dpi: hosted_by refers to 'tana', but no item of providers "
        "has that id (none is declared); declare it under `providers:` (`- id: tana`), or "
        "correct the id",
        "decl/a.yaml:4:16: systems/dpi : hosted_by désigne 'tana', mais aucun élément de "
        "providers n'a cet identifiant (aucun n'est déclaré) ; déclarez-le sous `providers:` "
        "(`- id: tana`), ou corrigez l'identifiant",
        id="declaration-reference-to-nothing",
    ),
    pytest.param(
        {"decl/a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2027-01-01\n"},
        "decl/a.yaml:3:17: firewalls/fw-1.last_patch: 2027-01-01 is after the evaluation date "
        "2026-11-28: a date that records something that happened cannot lie in the future (a "
        "typo?); correct it, or evaluate on a later date with --as-of",
        "decl/a.yaml:3:17: firewalls/fw-1.last_patch : 2027-01-01 est postérieur à la date "
        "d'évaluation 2026-11-28 : la date d'un fait passé ne peut pas être dans le futur (une "
        "faute de frappe ?) ; corrigez-la, ou évaluez à une date plus tardive avec --as-of",
        id="declaration-future-date",
    ),
    pytest.param(
        {"decl/a.yaml": "firewalls:\n  - id: fw-1\n   last_patch: 2026-01-01\n"},
        "decl/a.yaml:3:4: YAML syntax error: this line is indented like no item of the list "
        "that starts at line 2: the items of one list start with '-' in the same column (while "
        "parsing a block collection: did not find expected '-' indicator)",
        "decl/a.yaml:3:4: erreur de syntaxe YAML : cette ligne n'est indentée comme aucun "
        "élément de la liste qui commence ligne 2 : les éléments d'une même liste commencent "
        "par '-' dans la même colonne (while parsing a block collection: did not find expected "
        "'-' indicator)",
        id="declaration-yaml-syntax",
    ),
    pytest.param(
        {"decl/a.yaml": "# nothing yet\n"},
        "decl/a.yaml:1:1: the file declares nothing (empty, or only comments): declare at least "
        "one section, or delete the file",
        "decl/a.yaml:1:1: le fichier ne déclare rien (vide, ou seulement des commentaires) : "
        "déclarez au moins une section, ou supprimez le fichier",
        id="declaration-empty",
    ),
    pytest.param(
        {".hdsguard.yaml": "rules:\n  disable: [FW-0001]\n", "decl/a.yaml": DECL},
        ".hdsguard.yaml:2:13: rules.disable[0]: unknown rule 'FW-0001'; did you mean 'FW-001'?",
        ".hdsguard.yaml:2:13: rules.disable[0] : règle inconnue 'FW-0001' ; "
        "vouliez-vous dire 'FW-001' ?",
        id="config-unknown-rule",
    ),
    pytest.param(
        {".hdsguard.yaml": "params:\n  FW-001:\n    max_patch_age: 30\n", "decl/a.yaml": DECL},
        ".hdsguard.yaml:3:5: params.FW-001.max_patch_age: unknown parameter 'max_patch_age' of "
        "FW-001; did you mean 'max_patch_age_days'?",
        ".hdsguard.yaml:3:5: params.FW-001.max_patch_age : paramètre inconnu 'max_patch_age' "
        "de FW-001 ; vouliez-vous dire 'max_patch_age_days' ?",
        id="config-unknown-parameter",
    ),
    pytest.param(
        {".hdsguard.yaml": "params:\n  FW-001:\n    max_patch_age_days: -1\n", "decl/a.yaml": DECL},
        ".hdsguard.yaml:3:25: params.FW-001.max_patch_age_days: must be at least 0, got -1",
        ".hdsguard.yaml:3:25: params.FW-001.max_patch_age_days : doit valoir au moins 0, reçu -1",
        id="config-parameter-minimum",
    ),
    pytest.param(
        {".hdsguard.yaml": "waiver_policy:\n  max_days: {high: 0}\n", "decl/a.yaml": DECL},
        ".hdsguard.yaml:2:20: waiver_policy.max_days.high: Input should be greater than or "
        "equal to 1; write a whole number, 1 or more",
        ".hdsguard.yaml:2:20: waiver_policy.max_days.high : la valeur doit être supérieure ou "
        "égale à 1 ; écrivez un nombre entier, 1 ou plus",
        id="config-schema-minimum",
    ),
    pytest.param(
        {".hdsguard.yaml": "version: 2\n", "decl/a.yaml": DECL},
        ".hdsguard.yaml:1:10: config format version 2 is newer than this hdsguard understands "
        "(version 1): upgrade hdsguard rather than risk misreading the file",
        ".hdsguard.yaml:1:10: la version 2 du format de configuration est plus récente que "
        "celle que comprend cet hdsguard (version 1) : mettez hdsguard à jour plutôt que de "
        "risquer une lecture erronée du fichier",
        id="config-version",
    ),
    pytest.param(
        {
            ".hdsguard.yaml": "declarations: [decl]\n",
            "waivers.yaml": _waivers("FW-0001", "firewalls/fw-1", "2026-12-31"),
            "decl/a.yaml": DECL,
        },
        "waivers.yaml:2:11: waivers[0].rule: unknown rule 'FW-0001'; did you mean 'FW-001'?",
        "waivers.yaml:2:11: waivers[0].rule : règle inconnue 'FW-0001' ; "
        "vouliez-vous dire 'FW-001' ?",
        id="waiver-unknown-rule",
    ),
    pytest.param(
        {
            ".hdsguard.yaml": "declarations: [decl]\n",
            "waivers.yaml": _waivers("FW-001", "firewals/fw-1", "2026-12-31", "2027-01-01"),
            "decl/a.yaml": DECL,
        },
        "waivers.yaml:3:13: waivers[0].target: unknown section 'firewals'; did you mean "
        "'firewalls'?\n"
        "waivers.yaml:7:14: waivers[0].created: created 2027-01-01 is after expires 2026-12-31",
        "waivers.yaml:3:13: waivers[0].target : section inconnue 'firewals' ; vouliez-vous "
        "dire 'firewalls' ?\n"
        "waivers.yaml:7:14: waivers[0].created : created 2027-01-01 est postérieur à expires "
        "2026-12-31",
        id="waiver-section-and-dates",
    ),
    pytest.param(
        {"pol/p.yaml": POLICY.format(body="conditon: 'true'\nmessage: m\n"), "decl/a.yaml": DECL},
        "pol/p.yaml:8:1: conditon: unknown key 'conditon'; did you mean 'condition'?",
        "pol/p.yaml:8:1: conditon : clé inconnue 'conditon' ; vouliez-vous dire 'condition' ?",
        id="policy-unknown-key",
    ),
    pytest.param(
        {"pol/p.yaml": POLICY.format(body="message: m\n"), "decl/a.yaml": DECL},
        "pol/p.yaml:1:1: a policy needs `condition` and `message`, or a list of `checks`",
        "pol/p.yaml:1:1: une règle a besoin de `condition` et `message`, ou d'une liste `checks`",
        id="policy-form",
    ),
    pytest.param(
        {
            "pol/p.yaml": POLICY.format(body="condition: 'self.x >'\nmessage: m\n"),
            "decl/a.yaml": DECL,
        },
        "pol/p.yaml:8:12: CEL does not compile: ERROR: condition:1:9:",
        "pol/p.yaml:8:12: l'expression CEL ne compile pas : ERROR: condition:1:9:",
        id="policy-cel",
    ),
]


@pytest.mark.parametrize(("files", "english", "french"), CASES)
def test_each_kind_of_error_in_both_languages(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    english: str,
    french: str,
) -> None:
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    extra = ["--policies", "pol"] if "pol/p.yaml" in files else []
    seen = {}
    for lang, expected in (("en", english), ("fr", french)):
        result = run_cli(["check", "decl", "--as-of", AS_OF, "--lang", lang, *extra])
        assert result.exit_code == 2, result.output
        lines = result.stderr.splitlines()
        if "CEL" in expected:  # CEL's own diagnostic follows, in English
            lines = lines[:1]
            assert lines[0].startswith(expected.removesuffix("1:9:")), lines
        else:
            assert lines == expected.splitlines()
        seen[lang] = [line.split(": ", 1)[0] for line in lines]
    assert seen["en"] == seen["fr"]  # file:line:column never changes


def test_the_systems_common_reasons_are_translated(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    english = run_cli(["check", missing, "--lang", "en"]).stderr
    french = run_cli(["check", missing, "--lang", "fr"]).stderr
    assert english == f"{missing}: cannot read: No such file or directory\n"
    assert french == f"{missing}: lecture impossible : fichier ou répertoire introuvable\n"


def test_waiver_notices_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    orphan = WAIVER.format(rule="FW-001", target="firewalls/fw-9", created="", expires="2026-12-01")
    files = {
        ".hdsguard.yaml": "declarations: [decl]\nrules:\n  enable: [FW-001]\n",
        "waivers.yaml": _waivers("FW-001", "firewalls/fw-1", "2026-12-01") + orphan,
        "decl/a.yaml": "firewalls:\n  - id: fw-1\n    last_patch: 2025-11-01\n",
    }
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    notices = {}
    for lang in ("en", "fr"):
        result = run_cli(["check", "--as-of", AS_OF, "--lang", lang, "--format", "json"])
        notices[lang] = json.loads(result.stdout)["notices"]
    assert notices["en"] == [
        "waivers.yaml:2:5: waiver for FW-001 on firewalls/fw-1 expires on 2026-12-01 (3 days "
        "left): renew it or fix the finding",
        "waivers.yaml:8:5: waiver for FW-001 on firewalls/fw-9 matches no fail, warn or error "
        "finding (orphan): remove it",
    ]
    assert notices["fr"] == [
        "waivers.yaml:2:5: la dérogation à FW-001 pour firewalls/fw-1 expire le 1er décembre "
        "2026 (3 jours restants) : renouvelez-la ou corrigez le constat",
        "waivers.yaml:8:5: la dérogation à FW-001 pour firewalls/fw-9 ne correspond à aucun "
        "constat non conforme, en avertissement ou en erreur (orpheline) : supprimez-la",
    ]


# A context for each template, as pydantic gives it.
CONTEXTS: dict[str, dict[str, object]] = {
    "model_type": {"class_name": "Finess"},
    "greater_than_equal": {"ge": 1},
    "greater_than": {"gt": 0},
    "less_than_equal": {"le": 10},
    "less_than": {"lt": 10},
    "date_parsing": {"error": "input is too short"},
    "enum": {"expected": "'a' or 'b'"},
}
COUNTED: list[tuple[str, dict[str, object]]] = [
    ("too_short", {"field_type": "List", "min_length": 1, "actual_length": 0}),
    ("too_short", {"field_type": "List", "min_length": 2, "actual_length": 0}),
    ("too_long", {"field_type": "Dictionary", "max_length": 3, "actual_length": 4}),
    ("string_too_short", {"min_length": 1}),
    ("string_too_long", {"max_length": 200}),
]


@pytest.mark.parametrize(
    ("kind", "ctx"), [(k, CONTEXTS.get(k, {})) for k in sorted(TEMPLATES)] + COUNTED
)
def test_hdsguards_templates_are_pydantics_english_and_have_french(
    kind: str, ctx: dict[str, object]
) -> None:
    pydantic = PydanticKnownError(kind, ctx or None).message()  # type: ignore[arg-type]
    err = {"type": kind, "ctx": ctx, "msg": "(pydantic's message)"}
    with language("en"):
        assert error_message(err) == pydantic
    with language("fr"):
        french = error_message(err)
    assert french != pydantic and "should" not in french
    for value in ctx.values():
        if isinstance(value, int):
            assert str(value) in french


def test_an_error_hdsguard_has_no_template_for_keeps_pydantics_message() -> None:
    err = {"type": "url_parsing", "ctx": {"error": "x"}, "msg": "Input should be a valid URL, x"}
    with language("fr"):
        assert error_message(err) == "Input should be a valid URL, x"
    value_error = {"type": "value_error", "ctx": {}, "msg": "Value error, déjà traduit"}
    assert error_message(value_error) == "déjà traduit"
