"""What a YAML syntax error means, for the person who wrote the file.

libyaml says "mapping values are not allowed in this context" or "found character that cannot
start any token": true, in English, and silent on the fix. The mistakes behind them are few and
known (a tab, an unquoted ': ' or '@', a key out of line, a quote or bracket left open), so each
gets its own message, in the run's language, at the place where the mistake was made: for an
unclosed quote or bracket that is where it opened, not the end of the file where libyaml gave
up. libyaml's own words follow in parentheses, for anyone who searches them.
"""

from __future__ import annotations

import yaml

from hdsguard.i18n import _

Place = tuple[int | None, int | None]


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[Place, str]:
    """The place (1-based line, column) and message for a syntax error in ``text``."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark, opened = exc.problem_mark, exc.context_mark
    where = _place(mark or opened)
    detail = f"{context}: {problem}" if context and problem else problem or str(exc)
    found = _char_at(text, mark)
    hint: str | None = None
    if ("cannot start any token" in problem and found == "\t") or (
        "tab character that violates indentation" in problem
    ):
        hint = _("a tab cannot indent YAML: indent with spaces")
    elif "cannot start any token" in problem and found in ("@", "`"):
        hint = _("a value cannot start with {char} unless it is quoted: write it in quotes").format(
            char=repr(found)
        )
    elif "mapping values are not allowed" in problem:
        hint = _(
            "a second ': ' on one line: quote a value that contains ': ' "
            '(name: "Clinique: du Lac"), or check that this key is indented like its neighbours'
        )
    elif "could not find expected ':'" in problem and opened is not None:
        where = _place(opened)
        hint = _("a key without ':' here: write 'key: value', with a space after the colon")
    elif (
        "did not find expected" in problem
        and opened is not None
        and mark is not None
        and (quote := _unclosed_quote(text, opened.line, mark.line)) is not None
    ):
        # `owner: "Équipe SI` with its closing quote forgotten: the quoted value runs on over
        # the next lines to the next '"', and libyaml stops at what follows it, lines below.
        where = quote
        hint = _(
            "the quote opened here is not closed on its line, so the value runs on to the "
            "next quote, at line {line}: add the closing quote"
        ).format(line=mark.line + 1)
    elif "did not find expected key" in problem and opened is not None:
        hint = _(
            "this line is indented like no key of the mapping that starts at line {line}: "
            "keys of one mapping start in the same column"
        ).format(line=opened.line + 1)
    elif "did not find expected '-' indicator" in problem and opened is not None:
        hint = _(
            "this line is indented like no item of the list that starts at line {line}: the "
            "items of one list start with '-' in the same column"
        ).format(line=opened.line + 1)
    elif "quoted scalar" in context and "end of stream" in problem and opened is not None:
        where = _place(opened)
        hint = _("the quote opened here is never closed: add the closing quote")
    elif "expected a single document" in context:
        # A '---' between two documents (a habit from Kubernetes manifests): hdsguard reads
        # one mapping per file, and reading only the first document would drop the rest.
        hint = _(
            "a declaration file holds one YAML document: move what follows this '---' to a "
            "file of its own, or delete the '---'"
        )
    elif "flow mapping" in context and opened is not None:
        where = _place(opened)
        hint = _(  # format(): the braces are doubled, as for every message with a placeholder
            "the '{{' opened here is never closed, or two of its entries have no ',' between "
            "them: add the '}}' or the ','"
        ).format()
    elif "flow sequence" in context and opened is not None:
        where = _place(opened)
        hint = _(
            "the '[' opened here is never closed, or two of its items have no ',' between "
            "them: add the ']' or the ','"
        )
    if hint is None:
        return where, _("YAML syntax error: {detail}").format(detail=detail)
    return where, _("YAML syntax error: {hint} ({detail})").format(hint=hint, detail=detail)


def _place(mark: yaml.Mark | None) -> Place:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _unclosed_quote(text: str, first: int, last: int) -> Place | None:
    """Where a line from ``first`` to before ``last`` (0-based) opens a double quote it does
    not close, when its first quote is a double one (a '"' inside a single-quoted text is
    no quote); None when no line does."""
    lines = text.splitlines()
    for number in range(first, min(last, len(lines))):
        line = lines[number]
        quotes = [i for i, ch in enumerate(line) if ch == '"' and (i == 0 or line[i - 1] != "\\")]
        single = line.find("'")
        if len(quotes) % 2 == 1 and (single < 0 or single > quotes[0]):
            return number + 1, quotes[-1] + 1
    return None


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]
