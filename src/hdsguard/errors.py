"""Located problems: the one way hdsguard reports bad input (exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Something wrong with an input file, printed as ``file:line:column: message``."""

    file: str
    line: int | None
    column: int | None
    message: str

    @property
    def location(self) -> str:
        """``file[:line[:column]]``."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class InputError(Exception):
    """Raised with every problem found, so that users fix all of them in one go."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(set(problems), key=_problem_key))
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line or 0, p.column or 0, p.message)


def fail(file: str, line: int | None, column: int | None, message: str) -> InputError:
    """Shorthand for the frequent single-problem error."""
    return InputError([Problem(file, line, column, message)])
