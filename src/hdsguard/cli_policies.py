"""`hdsguard policies`: list, explain, document and test policies."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from hdsguard.clicommon import SEVERITIES, handle_errors, safe_text
from hdsguard.clilang import LocalisedGroup, lang_option
from hdsguard.declarations.sections import SECTIONS
from hdsguard.errors import InputError, Problem
from hdsguard.formatters.escape import name as escape_name
from hdsguard.i18n import _, current


@click.group(cls=LocalisedGroup)
def policies() -> None:
    """List, explain and test policies."""


@policies.command("list")
@click.option(
    "--policies", "policy_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--section", type=click.Choice(SECTIONS), help="Only policies that apply to this section."
)
@click.option("--severity", type=click.Choice(SEVERITIES), help="Only this severity.")
@lang_option
@handle_errors
def list_policies(policy_dirs: Sequence[Path], section: str | None, severity: str | None) -> None:
    """List policies: id, severity, sections, title."""
    from hdsguard.api import load_policies

    _runtime, catalogue = load_policies(policy_dirs, lang=current())
    for policy in catalogue.values():
        meta = policy.meta
        if section and section not in meta.applies_to:
            continue
        if severity and meta.severity != severity:
            continue
        click.echo(f"{meta.id:<9} {meta.severity:<8} {','.join(meta.applies_to):<22} {meta.title}")


@policies.command("explain")
@click.argument("policy_id")
@click.option(
    "--policies", "policy_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path)
)
@lang_option
@handle_errors
def explain_policy(policy_id: str, policy_dirs: Sequence[Path]) -> None:
    """Explain one policy: what, why, defaults, remediation, references, example, tests."""
    from hdsguard.api import load_policies
    from hdsguard.policies.docs import explain_text

    runtime, catalogue = load_policies(policy_dirs, with_specs=True, lang=current())
    policy = catalogue.get(policy_id.upper())
    if policy is None:
        import difflib

        close = difflib.get_close_matches(policy_id.upper(), list(catalogue), n=1)
        if close:
            message = _("no policy {id!r}; did you mean {close}?")
        else:
            message = _("no policy {id!r}; see `hdsguard policies list`")
        raise click.BadParameter(
            message.format(id=policy_id, close=close[0] if close else ""), param_hint="POLICY_ID"
        )
    click.echo(safe_text(explain_text(runtime, policy)), nl=False)


@policies.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@lang_option
@handle_errors
def policy_docs(output: str | None) -> None:
    """Generate the Markdown catalogue of the built-in policies (docs/policies.md; with
    --lang fr, docs/policies.fr.md)."""
    from hdsguard.api import load_policies
    from hdsguard.output import write_atomic
    from hdsguard.policies.docs import markdown_catalogue

    runtime, catalogue = load_policies(with_specs=True, lang=current())
    text = markdown_catalogue(runtime, catalogue.values(), current())
    if output:
        write_atomic(Path(output), text)
    else:
        click.echo(text, nl=False)


@policies.command("test")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too.")
@lang_option
@handle_errors
def test_policies(dirs: Sequence[Path], verbose: bool) -> None:
    """Run the inline test cases of the policies in DIRS (default: the built-in catalogue)."""
    from hdsguard.policies.celenv import CelRuntime
    from hdsguard.policies.load import load_catalogue
    from hdsguard.policies.selftest import run_cases

    runtime = CelRuntime()
    catalogue = load_catalogue(runtime, dirs, builtin=not dirs, with_specs=True)
    if not catalogue:
        # A hook pointed at the wrong folder must not pass silently.
        where = ", ".join(str(d) for d in dirs)
        raise InputError([Problem(where, None, None, _("no policy file (.yaml, .yml) found here"))])
    results = run_cases(runtime, catalogue.values())
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok and not verbose:
            continue
        status = "ok  " if r.ok else "FAIL"
        click.echo(
            safe_text(f"{status} {r.policy} {escape_name(r.file)} tests[{r.index}] {r.name}")
        )
        if not r.ok:
            click.echo(safe_text(f"     {r.problem}"))
    click.echo(
        _("{passed} passed, {failed} failed").format(
            passed=len(results) - len(failed), failed=len(failed)
        )
    )
    sys.exit(1 if failed else 0)
