"""Hostile and broken input: always exit 2 with located ``file: message`` lines, never a traceback.

Every case goes through the command line. Sizes and depths are the real ones (a 200 MB file,
10,000 levels of nesting, a 1 MB string, a billion-laughs document) but cost little to create:
the big file is sparse, and the limits refuse each before any real work.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hdsguard.cli import main
from hdsguard.declarations import files, merge, yamlsource
from tests.helpers import AS_OF

LOCATED = re.compile(r"^[^:]+(:\d+(:\d+)?)?: .+")
VALID = "organisation:\n  name: Centre Hospitalier de Valmont\n"


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--as-of", AS_OF, "--no-config", *args])


def assert_refused(result: Result, name: str, message: str) -> None:
    """Exit 2; every stderr line is ``file[:line[:col]]: message``."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines
    for line in lines:
        assert LOCATED.match(line), line
    assert any(line.startswith(name) and message in line for line in lines), lines


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_200_mb_file_is_refused_without_being_read(here: Path) -> None:
    with open(here / "huge.yaml", "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: nothing is written
    assert_refused(check("huge.yaml"), "huge.yaml", "200 MiB, over the 32 MiB limit")


def test_a_file_just_over_the_limit_is_refused(here: Path) -> None:
    with open(here / "big.json", "wb") as f:
        f.truncate(files.MAX_FILE_BYTES + 1)
    assert_refused(check("big.json"), "big.json", "over the 32 MiB limit")


@pytest.mark.parametrize("more", [3, 4])
def test_objects_past_the_set_s_limit_are_refused_at_the_first_one_over(
    here: Path, monkeypatch: pytest.MonkeyPatch, more: int
) -> None:
    """The limit counts the list items of every file together; the first item past it is
    named, and nothing is evaluated. At the limit exactly, the run goes on."""
    monkeypatch.setattr(merge, "MAX_OBJECTS", 5)
    (here / "a.yaml").write_text(VALID + "firewalls:\n  - {id: fw-1}\n  - {id: fw-2}\n")
    items = "".join(f"  - {{id: fw-b{i}}}\n" for i in range(more))
    (here / "b.yaml").write_text("firewalls:\n" + items)
    result = check("a.yaml", "b.yaml")
    if more == 3:
        assert result.exit_code == 1, result.output
        return
    assert_refused(result, "b.yaml:5:5", "holds more than 5 objects (list items)")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("flow.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        ("block.yaml", "- " * 10_000 + "x\n"),
        ("deep.json", "[" * 10_000 + "]" * 10_000),
        ("objects.json", '{"a": ' * 10_000 + "1" + "}" * 10_000),
    ],
)
def test_10000_levels_of_nesting(here: Path, name: str, text: str) -> None:
    (here / name).write_text(text, encoding="utf-8")
    assert_refused(check(name), name, "nesting")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nesting_over_our_own_limit(here: Path, suffix: str) -> None:
    depth = yamlsource.MAX_DEPTH + 5
    text = '{"organisation": ' + '{"a": ' * depth + "1" + "}" * (depth + 1)
    (here / f"deep{suffix}").write_text(text, encoding="utf-8")
    assert_refused(check(f"deep{suffix}"), f"deep{suffix}", "nesting deeper than 64 levels")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[" * 10_000 + "]" * 10_000, "1:66:"),
        ('{"a": ' * 10_000 + "1" + "}" * 10_000, "1:391:"),
        ('{"s": "[[[[{{{{\\"",\n "organisation":\n' + "[\n" * 2_000 + "]" * 2_000 + "}", "67:1:"),
    ],
    ids=["arrays", "objects", "after-a-string"],
)
def test_json_nested_too_deep_for_the_reader_is_located(here: Path, text: str, where: str) -> None:
    """Nesting so deep that Python's JSON reader gives up (RecursionError) is located at the
    first bracket over the limit, as a shallower excess is: errors are file:line:column."""
    (here / "deep.json").write_text(text, encoding="utf-8")
    assert_refused(check("deep.json"), f"deep.json:{where}", "nesting deeper than 64 levels")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_1_mb_string(here: Path, suffix: str) -> None:
    text = '{"organisation": {"name": "' + "x" * 1_000_000 + '"}}'
    (here / f"long{suffix}").write_text(text, encoding="utf-8")
    message = f"value longer than {yamlsource.MAX_SCALAR_CHARS} characters"
    assert_refused(check(f"long{suffix}"), f"long{suffix}:1:", message)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_number_with_thousands_of_digits(here: Path, suffix: str) -> None:
    text = '{"logging": {"retention_days": ' + "9" * 5000 + "}}"
    (here / f"digits{suffix}").write_text(text, encoding="utf-8")
    assert_refused(check(f"digits{suffix}"), f"digits{suffix}:1:", "retention_days")


def test_billion_laughs(here: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    (here / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_refused(check("bomb.yaml"), "bomb.yaml:", "alias bomb")


def test_recursive_alias(here: Path) -> None:
    (here / "self.yaml").write_text("organisation: &o\n  name: x\n  me: *o\n", encoding="utf-8")
    result = check("self.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("how", ["named", "in a directory"])
def test_symlink_loop(here: Path, how: str) -> None:
    (here / "decl").mkdir()
    (here / "decl" / "ok.yaml").write_text(VALID, encoding="utf-8")
    os.symlink("loop-b.yaml", here / "decl" / "loop-a.yaml")
    os.symlink("loop-a.yaml", here / "decl" / "loop-b.yaml")
    result = check("decl/loop-a.yaml" if how == "named" else "decl")
    assert_refused(result, "decl/loop-a.yaml", "cannot read")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("how", ["named", "in a directory"])
def test_a_fifo_never_blocks(here: Path, how: str) -> None:
    (here / "decl").mkdir()
    (here / "decl" / "ok.yaml").write_text(VALID, encoding="utf-8")
    os.mkfifo(here / "decl" / "pipe.yaml")
    target = "decl/pipe.yaml" if how == "named" else "decl"
    # A subprocess with a timeout: if reading ever blocked, the test fails instead of hanging.
    code = "import sys; from hdsguard.cli import main; sys.exit(main())"
    argv = [sys.executable, "-c", code, "check", "--as-of", AS_OF, "--no-config", target]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=here)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "decl/pipe.yaml: not a regular file" in proc.stderr


def test_directory_without_read_permission(here: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root (as in CI): chmod 000 does not deny root; see the simulation")
    locked = here / "decl" / "locked"
    locked.mkdir(parents=True)
    (here / "decl" / "ok.yaml").write_text(VALID, encoding="utf-8")
    locked.chmod(0)
    try:
        assert_refused(check("decl"), "decl/locked", "cannot read directory")
    finally:
        locked.chmod(0o755)


def test_directory_without_read_permission_simulated(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above, whoever runs the tests: the OS refuses to list one directory."""
    (here / "decl" / "locked").mkdir(parents=True)
    (here / "decl" / "ok.yaml").write_text(VALID, encoding="utf-8")
    real_scandir: Callable[..., object] = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert_refused(check("decl"), "decl/locked", "cannot read directory: Permission denied")


def test_unreadable_file(here: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root (as in CI): chmod 000 does not deny root")
    (here / "secret.yaml").write_text(VALID, encoding="utf-8")
    (here / "secret.yaml").chmod(0)
    assert_refused(check("secret.yaml"), "secret.yaml", "cannot read: Permission denied")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.yaml", "organisation:\n  name: Hôpital\n".encode("latin-1"), "not UTF-8"),
        ("nul.yaml", b"organisation:\n  name: a\x00b\n", "control character 0x00"),
        ("nul.json", b'{"organisation": {"name": "a\x00b"}}', "control character 0x00"),
        ("list.yaml", b"- organisation\n- firewalls\n", "mapping of sections"),
        ("list.json", b'[{"organisation": {"name": "x"}}]', "mapping of sections"),
        ("scalar.yaml", b"just some text\n", "mapping of sections"),
        ("empty.yaml", b"", "declares nothing"),
        ("comments.yaml", b"# nothing here yet\n", "declares nothing"),
        ("empty.json", b"", "declares nothing"),
        ("tag.yaml", b"organisation: !!python/object:os.system {}\n", "is not allowed"),
        ("apply.yaml", b"a: !!python/object/apply:os.system ['true']\n", "is not allowed"),
        ("local.yaml", b"organisation: !custom {name: x}\n", "is not allowed"),
        ("syntax.yaml", b"organisation: [\n", "YAML syntax error"),
        ("syntax.json", b'{"organisation": ', "not valid JSON"),
        ("twodocs.yaml", b"a: 1\n---\nb: 2\n", "YAML syntax error"),
        ("merge.yaml", b"a: &a {x: 1}\nb:\n  <<: *a\n", "merge keys"),
        ("dupkey.json", b'{"organisation": {"name": "a", "name": "b"}}', "duplicate key"),
    ],
)
def test_broken_files(here: Path, name: str, content: bytes, message: str) -> None:
    (here / name).write_bytes(content)
    assert_refused(check(name), name, message)


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.yaml", b""), ("comments.yaml", b"# nothing here yet\n"), ("empty.json", b" \n")],
)
def test_a_file_that_declares_nothing_is_located_at_its_start(
    here: Path, name: str, content: bytes
) -> None:
    """Errors are file:line:column (format.md), as for a file that is a list (1:1)."""
    (here / name).write_bytes(content)
    result = check(name)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{name}:1:1: the file declares nothing"), result.stderr


@pytest.mark.parametrize(
    ("content", "where", "closer"),
    [
        ('{"organisation": {"name": "x",}}', "1:30", "}"),
        ('{"organisation": {"name": "x"},\n}\n', "1:31", "}"),
        ('{"firewalls": [{"id": "fw-1"}, ]}', "1:30", "]"),
    ],
)
def test_a_json_trailing_comma_is_named(here: Path, content: str, where: str, closer: str) -> None:
    """Python's words for it ("Expecting property name enclosed in double quotes", at the
    brace) do not say what to change: the error names the trailing comma, at the comma."""
    (here / "trail.json").write_text(content, encoding="utf-8")
    result = check("trail.json")
    assert_refused(result, f"trail.json:{where}:", f"trailing comma before '{closer}'")


def test_problems_of_many_files_are_all_reported(here: Path) -> None:
    (here / "a.yaml").write_bytes(b"")
    (here / "b.yaml").write_bytes(b"\xff\xfe")
    (here / "c.yaml").write_bytes(b"- x\n")
    result = check(".")
    assert_refused(result, "a.yaml", "declares nothing")
    assert "b.yaml:1:1: file is not UTF-8" in result.stderr
    assert "c.yaml:1:1:" in result.stderr


TERMINAL_ATTACK = """\
organisation:
  name: "Clinique \\e[2J\\e]0;pwned\\a\\e[31mRouge"
providers:
  - id: evil-host
    name: "Evil \\e[31mHost\\e[0m \\x9b31m \\r overwritten"
systems:
  - id: dpi
    name: DPI
    health_data: true
    hosted_by: evil-host
"""


def test_control_sequences_never_reach_the_terminal_raw(here: Path) -> None:
    (here / "attack.yaml").write_text(TERMINAL_ATTACK, encoding="utf-8")
    result = check("--no-color", "--verbose", "attack.yaml")
    assert result.exit_code == 1, result.output
    assert "Evil \\x1b[31mHost" in result.stdout  # the name is shown, escaped
    for raw in ("\x1b", "\x07", "\x9b", "\r"):
        assert raw not in result.stdout
        assert raw not in result.stderr


def test_control_sequences_in_error_messages_are_escaped(here: Path) -> None:
    (here / "bad.yaml").write_text('organisation:\n  "\\e[31mnam": x\n', encoding="utf-8")
    result = check("bad.yaml")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "\\x1b[31mnam" in result.stderr


DOCUMENTS = ("json", "sarif", "junit", "markdown", "github")


@pytest.mark.parametrize("destination", ["file", "stdout"])
def test_a_file_name_that_is_not_utf8_never_breaks_a_report(
    tmp_path: Path, destination: str
) -> None:
    """A name of bytes that are not UTF-8 (b"sys\\xff.yaml") is legal on Linux: every format,
    to a file or to standard output, is written (no internal error), and the document formats
    stay valid UTF-8 with the name's byte shown as an escape or a percent-encoded URI."""
    folder = tmp_path / "d"
    folder.mkdir()
    name = os.fsencode(folder) + b"/sys\xff.yaml"
    with open(name, "wb") as f:
        f.write(b"systems:\n  - {id: lims, name: LIMS, health_data: true, criticality: high}\n")
    env = {**os.environ, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    for fmt in ("text", *DOCUMENTS):
        target = tmp_path / f"report.{fmt}"
        spec = f"{fmt}={target}" if destination == "file" else fmt
        command = [sys.executable, "-m", "hdsguard", "check", "d", "--no-config"]
        run = subprocess.run(
            [*command, "--as-of", AS_OF, "--format", spec],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=False,
        )
        assert run.returncode == 1, (fmt, run.stderr)
        out = target.read_bytes() if destination == "file" else run.stdout
        if fmt == "text":
            assert b"d/sys\xff.yaml:2:5" in out  # the real name, as `ls` would print it
            continue
        text = out.decode("utf-8")  # raises if a raw \xff got through
        if fmt in ("json", "sarif"):
            import json

            document = json.loads(text)
            if fmt == "json":
                files = {f["file"] for f in document["findings"]}
                assert "d/sys\\udcff.yaml" in files
            else:
                assert "d/sys%FF.yaml" in text
        else:
            assert "udcff.yaml" in text  # "\\udcff" (markdown doubles the backslash)
