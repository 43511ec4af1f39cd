"""Every independent problem of the input in one run, not in rounds: a user who fixed the
schema errors must not meet the future dates next, then the unknown references. What could
be read is checked further: the dates of the objects that passed validation, the references
between objects that both loaded; a reference to an object whose file did not parse, or that
failed validation, is not called unknown (a cascade of the error already reported). The
problems are the same, byte for byte, cold, warm and without a cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import run_cli, use_cache

AS_OF = "2026-12-01"

ORGANISATION = """\
version: 1
organisation:
  name: Clinique du Parc
  kind: clinic
  last_pentest: 2027-03-01
"""

# dpi fails validation (criticality) and has a future date, which is not checked; gam is
# valid, with an unknown provider and a future date; lab names a provider of the file that
# does not parse.
SYSTEMS = """\
version: 1
systems:
  - id: dpi
    name: Dossier patient
    health_data: true
    criticality: extreme
    backup:
      last_success: 2027-01-10
  - id: gam
    name: Gestion administrative
    health_data: true
    criticality: high
    hosted_by: nuage
    backup:
      last_success: 2027-02-02
  - id: lab
    name: Laboratoire
    health_data: true
    criticality: high
    hosted_by: cloudy
"""

PROVIDERS = """\
version: 1
providers:
  - id: cloudy
    name: "Cloudy SAS
    services: [iaas]
"""

# portal names the invalid system (not reported), ris an unknown one: `rsi` is written in
# providers.yaml only inside the word `version`, which declares nothing.
SERVICES = """\
version: 1
services:
  - id: portal
    system: dpi
    host: portal.example
    port: 443
    protocol: https
    exposure: internet
  - id: ris
    system: rsi
    host: ris.example
    port: 443
    protocol: https
    exposure: internal
"""

FILES = {
    "decl/organisation.yaml": ORGANISATION,
    "decl/systems.yaml": SYSTEMS,
    "decl/providers.yaml": PROVIDERS,
    "decl/services.yaml": SERVICES,
}

FUTURE = (
    "is after the evaluation date 2026-12-01: a date that records something that happened "
    "cannot lie in the future (a typo?); correct it, or evaluate on a later date with --as-of"
)
EXPECTED = [
    f"decl/organisation.yaml:5:17: organisation.last_pentest: 2027-03-01 {FUTURE}",
    "decl/providers.yaml:4:11: YAML syntax error: the quote opened here is never closed: add "
    "the closing quote (while scanning a quoted scalar: found unexpected end of stream)",
    "decl/services.yaml:10:13: services/ris: system refers to 'rsi', but no item of systems "
    "has that id; declare it under `systems:` (`- id: rsi`), or correct the id",
    "decl/systems.yaml:6:18: systems/dpi.criticality: invalid value 'extreme': write one of "
    "`low`, `medium`, `high`, `critical`",
    "decl/systems.yaml:13:16: systems/gam: hosted_by refers to 'nuage', but no item of "
    "providers has that id; declare it under `providers:` (`- id: nuage`), or correct the id",
    f"decl/systems.yaml:15:21: systems/gam.backup.last_success: 2027-02-02 {FUTURE}",
]

Tree = Callable[[dict[str, str]], Path]


def check(*extra: str) -> tuple[int, str, str]:
    result = run_cli(["check", "decl", "--no-config", "--as-of", AS_OF, *extra])
    return result.exit_code, result.stdout, result.stderr


def test_schema_dates_references_and_syntax_errors_come_in_one_run(tree: Tree) -> None:
    tree(FILES)
    code, out, err = check()
    assert (code, out) == (2, "")
    assert err.splitlines() == EXPECTED  # sorted by file, line, column


def test_the_same_problems_in_french(tree: Tree) -> None:
    tree(FILES)
    code, _out, err = check("--lang", "fr")
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == len(EXPECTED)
    assert [line.split(": ", 1)[0] for line in lines] == [
        line.split(": ", 1)[0] for line in EXPECTED
    ]
    assert "postérieur à la date d'évaluation" in lines[0]
    assert "erreur de syntaxe YAML" in lines[1]
    assert "aucun élément de systems n'a cet identifiant" in lines[2]
    assert "valeur invalide 'extreme'" in lines[3]


def test_a_reference_to_an_object_that_failed_validation_is_not_unknown(tree: Tree) -> None:
    tree(FILES)
    err = check()[2]
    assert "'dpi'" not in err  # services/portal names it: dpi's own error is reported
    assert "systems/dpi.backup" not in err  # an invalid object's dates are not checked


def test_a_reference_into_a_file_that_did_not_parse_is_not_unknown(tree: Tree) -> None:
    tree(FILES)
    err = check()[2]
    assert "'cloudy'" not in err
    # nor is the set said to declare no provider at all: the broken file may hold some
    assert "none is declared" not in err


def test_a_reference_to_an_invalid_id_written_as_its_error_says_is_not_unknown(
    tree: Tree,
) -> None:
    """`- id: PACS` is told to write `pacs`; a service naming `pacs` follows that error, and
    "no item of systems has that id; declare it under `systems:`" would be wrong advice (HC,
    the fourteenth session). A reference to an id nothing declares is still unknown."""
    declared = "organisation: {name: X, kind: imaging_centre}\nsystems:\n  - {id: PACS, name: P}\n"
    services = (
        "services:\n"
        "  - {id: vpn, protocol: openvpn, port: 1194, exposure: internet, system: pacs}\n"
        "  - {id: web, protocol: https, port: 443, exposure: internet, system: ris}\n"
    )
    tree({"decl/a.yaml": declared, "decl/b.yaml": services})
    code, _out, err = check()
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert "'PACS' is not a valid id" in lines[0] and "write `pacs`" in lines[0]
    assert "services/web: system refers to 'ris'" in lines[1]
    tree({"decl/a.yaml": declared.replace("PACS", "pacs"), "decl/b.yaml": services})
    assert "refers to 'pacs'" not in check()[2]


def test_the_references_are_checked_once_the_file_parses(tree: Tree) -> None:
    """The reference left unsaid is checked, and right, when its file is fixed."""
    tree({**FILES, "decl/providers.yaml": PROVIDERS.replace("SAS\n", 'SAS"\n')})
    err = check()[2]
    assert "'cloudy'" not in err
    assert "hosted_by refers to 'nuage', but no item of providers has that id" in err
    tree({**FILES, "decl/providers.yaml": PROVIDERS.replace("Cloudy SAS\n", 'X"\n')})
    err = check()[2]
    assert "YAML syntax error" not in err
    assert "refers to 'cloudy'" not in err


def test_a_duplicate_of_an_invalid_object_is_told_with_its_error(tree: Tree) -> None:
    tree(
        {
            "decl/a.yaml": "version: 1\nsystems:\n  - id: dpi\n    name: A\n    criticality: x\n",
            "decl/b.yaml": "version: 1\nsystems:\n  - id: dpi\n    name: B\n",
        }
    )
    err = check()[2]
    assert "decl/a.yaml:5:18: systems/dpi.criticality: invalid value 'x'" in err
    duplicate = "duplicate id 'dpi' in systems: already declared at decl/a.yaml:3:5"
    assert f"decl/b.yaml:3:5: {duplicate}" in err


def test_a_later_format_version_keeps_the_whole_file_out(tree: Tree) -> None:
    """A file of a later format is not read at all: nothing of it is checked further."""
    tree(
        {
            "decl/a.yaml": "version: 2\norganisation:\n  name: A\n  last_pentest: 2027-03-01\n",
            "decl/b.yaml": SERVICES.replace("system: dpi", "system: nowhere"),
        }
    )
    err = check()[2]
    assert "version 2 is newer" in err
    assert "last_pentest" not in err
    assert "refers to 'nowhere'" in err


@pytest.mark.usefixtures("cache")
def test_cold_warm_and_cacheless_runs_report_the_same_problems(
    tree: Tree, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every cache is a hypothesis checked on read: a file with problems is never cached as
    valid, and the problems are the same whatever the cache holds."""
    tree(FILES)
    cold = check()
    assert cold[2].splitlines() == EXPECTED
    entries = sorted(p.name for p in (cache / "declarations").glob("*.marshal"))
    assert len(entries) == 2  # organisation.yaml and services.yaml: they validate
    warm = check()
    again = check()
    with monkeypatch.context() as m:
        use_cache(m, None)
        cacheless = check()
    assert warm == cold
    assert again == cold
    assert cacheless == cold
    assert sorted(p.name for p in (cache / "declarations").glob("*.marshal")) == entries
