"""A file of one kind given where hdsguard reads another, and JSON's errors in words.

A waiver file passed as ``--config`` got "waivers: the value should be a string, got a list";
a declaration file, one "unknown key" per section; a directory holding only non-declarations,
a notice and an unexplained exit 2; a broken JSON file, Python's "Expecting value", in English
under ``--lang fr``. Each case here fails without its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hdsguard.errors import InputError
from hdsguard.evidence.kev import read_kev
from hdsguard.i18n import language
from tests.helpers import AS_OF, run_cli, write

DECL = "organisation:\n  name: Clinique\n  kind: clinic\n"
SYSTEMS = "systems:\n  - id: dpi\n    name: DPI\n"
WAIVERS = (
    "waivers:\n  - rule: GOV-001\n    target: organisation\n    justification: j\n"
    "    owner: o\n    approver: a\n    expires: 2027-01-01\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, {"decl/org.yaml": DECL, "decl/sys.yaml": SYSTEMS, "conf/waivers.yaml": WAIVERS})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(args: list[str], lang: str = "en") -> str:
    result = run_cli(["--lang", lang, "check", "--as-of", AS_OF, *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize(
    ("args", "english", "french"),
    [
        pytest.param(
            ["--config", "conf/waivers.yaml", "decl"],
            "conf/waivers.yaml: this file is not an hdsguard config: it looks like a waiver file "
            "(name it with `waivers:` in .hdsguard.yaml)",
            "conf/waivers.yaml: ce fichier n'est pas une configuration hdsguard : il ressemble à "
            "un fichier de dérogations (nommez-le avec `waivers:` dans .hdsguard.yaml)",
            id="waivers-as-config",
        ),
        pytest.param(
            ["--config", "decl/org.yaml", "decl"],
            "decl/org.yaml: this file is not an hdsguard config: it looks like a declaration "
            "file (pass it, or its directory, as PATHS: `hdsguard check decl/org.yaml`)",
            "decl/org.yaml: ce fichier n'est pas une configuration hdsguard : il ressemble à un "
            "fichier de déclarations (passez-le, ou son répertoire, en PATHS : "
            "`hdsguard check decl/org.yaml`)",
            id="declaration-as-config",
        ),
        pytest.param(
            ["--config", "conf/c.yaml", "decl"],
            "decl/org.yaml: this file is not a waiver file: it looks like a declaration file "
            "(pass it, or its directory, as PATHS: `hdsguard check decl/org.yaml`)",
            "decl/org.yaml: ce fichier n'est pas un fichier de dérogations : il ressemble à un "
            "fichier de déclarations (passez-le, ou son répertoire, en PATHS : "
            "`hdsguard check decl/org.yaml`)",
            id="declaration-as-waivers",
        ),
        pytest.param(
            ["--baseline", "conf/waivers.yaml", "decl"],
            "conf/waivers.yaml: this file is not a baseline: it looks like a waiver file (name "
            "it with `waivers:` in .hdsguard.yaml)",
            "conf/waivers.yaml: ce fichier n'est pas une référence : il ressemble à un fichier "
            "de dérogations (nommez-le avec `waivers:` dans .hdsguard.yaml)",
            id="waivers-as-baseline",
        ),
        pytest.param(
            ["--baseline", "conf/c.json", "decl"],
            "conf/c.json: this file is not a baseline: it looks like an hdsguard config (pass it "
            "with --config, or name it .hdsguard.yaml)",
            "conf/c.json: ce fichier n'est pas une référence : il ressemble à une configuration "
            "hdsguard (passez-la avec --config, ou nommez-la .hdsguard.yaml)",
            id="config-as-baseline",
        ),
    ],
)
def test_a_file_of_another_kind_is_named_for_what_it_is(
    here: Path, args: list[str], english: str, french: str
) -> None:
    write(here, {"conf/c.yaml": "waivers: ../decl/org.yaml\n"})
    (here / "conf/c.json").write_text(json.dumps({"version": 1, "fail_on": "high"}))
    assert refused(args).splitlines() == [english]
    assert refused(args, "fr").splitlines() == [french]


def test_a_config_that_writes_its_waivers_inline_is_a_config_with_an_error(here: Path) -> None:
    """Only a file that is nothing but a waiver list is called a waiver file."""
    write(here, {"conf/c.yaml": "fail_on: high\n" + WAIVERS})
    stderr = refused(["--config", "conf/c.yaml", "decl"])
    assert stderr.splitlines() == [
        "conf/c.yaml:3:3: waivers: Input should be a valid string, got a list; `waivers:` names "
        "the waiver file (a path, such as `waivers.yaml`): write the waivers in that file, "
        "under its own `waivers:`"
    ]


def test_a_directory_of_non_declarations_says_nothing_is_left(here: Path) -> None:
    assert refused(["conf"]).splitlines() == [
        "conf: no declaration to check: 1 file found, and it is not a declaration: "
        "conf/waivers.yaml (waivers); name the declaration files or directories to check, or "
        "run `hdsguard init` to start a set"
    ]


JSON_CASES = [
    pytest.param(
        '{"organisation": {"name": "X" "kind": "clinic"}}',
        "1:31",
        "a comma is missing between two items: add `,` here",
        "il manque une virgule entre deux éléments : ajoutez `,` ici",
        id="comma",
    ),
    pytest.param(
        '{"organisation" {"name": "X"}}',
        "1:17",
        'a colon is missing after the key: write `"key": value`',
        'il manque les deux-points après la clé : écrivez `"clé": valeur`',
        id="colon",
    ),
    pytest.param(
        '{"organisation": {"name": }}',
        "1:27",
        "a value is missing here: a text in double quotes, a number, true, false, null, an "
        "object (in braces) or a list (in brackets)",
        "il manque une valeur ici : un texte entre guillemets doubles, un nombre, true, false, "
        "null, un objet (entre accolades) ou une liste (entre crochets)",
        id="value",
    ),
    pytest.param(
        "{'organisation': {}}",
        "1:2",
        'a key is written in double quotes (`"name": …`), and JSON has neither single quotes '
        "nor bare keys; nor a comma before the closing brace",
        "une clé s'écrit entre guillemets doubles (`\"name\": …`) : JSON n'a ni guillemets "
        "simples, ni clés sans guillemets, ni virgule avant l'accolade fermante",
        id="single-quotes",
    ),
    pytest.param(
        '{"organisation": {"name": "X\ny"}}',
        "1:29",
        "a line break or a tab inside a text: write it `\\n` or `\\t`, or close the text with "
        "its double quote before the end of the line",
        "un saut de ligne ou une tabulation dans un texte : écrivez-le `\\n` ou `\\t`, ou "
        "fermez le texte par son guillemet double avant la fin de la ligne",
        id="line-break",
    ),
    pytest.param(
        '{"organisation": {"name": "C:\\data"}}',
        "1:30",
        "a backslash that starts no escape: double it, `\\\\` (a Windows path is written "
        "`C:\\\\data`)",
        "une barre oblique inverse qui ne commence aucun échappement : doublez-la, `\\\\` (un "
        "chemin Windows s'écrit `C:\\\\data`)",
        id="backslash",
    ),
    pytest.param(
        '{"organisation": {"name": "X"}} {}',
        "1:33",
        "more text after the end of the JSON value: a file holds a single value (one object); "
        "remove what follows",
        "du texte après la fin de la valeur JSON : un fichier contient une seule valeur (un "
        "objet) ; supprimez ce qui suit",
        id="extra",
    ),
    pytest.param(
        '{"organisation": {"name": "X"}\n',
        "2:1",
        "the file ends before every object and list is closed: add the missing closing brace "
        "or bracket",
        "le fichier se termine avant que chaque objet et chaque liste soient fermés : ajoutez "
        "l'accolade ou le crochet fermant qui manque",
        id="unclosed",
    ),
]


@pytest.mark.parametrize(("text", "where", "english", "french"), JSON_CASES)
def test_json_errors_are_worded_with_their_fix(
    here: Path, text: str, where: str, english: str, french: str
) -> None:
    (here / "bad.json").write_text(text, encoding="utf-8")
    assert refused(["bad.json"]).splitlines() == [
        f"bad.json:{where}: not valid JSON (a .json file is read as strict JSON): {english}"
    ]
    assert refused(["bad.json"], "fr").splitlines() == [
        f"bad.json:{where}: JSON invalide (un fichier .json est lu en JSON strict) : {french}"
    ]


def test_a_broken_kev_catalogue_is_worded_too() -> None:
    with language("fr"), pytest.raises(InputError) as caught:
        read_kev("kev.json", b'{"title": "KEV",\n "count": }')
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 11)
    assert problem.message == (
        "JSON mal formé : il manque une valeur ici : un texte entre guillemets doubles, un "
        "nombre, true, false, null, un objet (entre accolades) ou une liste (entre crochets)"
    )


@pytest.mark.parametrize("body", ["waivers: {}\n", "waivers: {rule: GOV-001}\n", "waivers: 3\n"])
def test_a_waiver_file_whose_list_is_not_a_list_is_a_waiver_file_in_error(
    here: Path, body: str
) -> None:
    """`waivers: {}` in the waiver file was called "an hdsguard config", which names its waiver
    file with a path: the file is a waiver file, and its error is located at the value."""
    write(here, {"conf/w.yaml": body, "conf/c.yaml": "waivers: w.yaml\n"})
    stderr = refused(["--config", "conf/c.yaml", "decl"])
    assert stderr.startswith("conf/w.yaml:1:10: waivers: Input should be a valid list"), stderr
    assert "not a waiver file" not in stderr
