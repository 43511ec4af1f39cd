"""Requirement lists per framework (dated data files under ``hdsguard/data/frameworks``).

A coverage matrix lists every requirement of a framework, so that the ones no rule assesses
are stated plainly ("not assessed by hdsguard"). The lists are data, dated and sourced; their
titles are hdsguard's own short paraphrases (see docs/report.md). Each file also carries its
texts in French (``translations.fr``: title, scope, sources, every requirement's title), so
that a French report's matrix is French; a file whose French block misses a requirement is
refused, not shown half in English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from hdsguard.policies.controls import FRAMEWORKS, id_problem


class Requirement(NamedTuple):
    id: str
    title: str


class ListTexts(NamedTuple):
    """A list's texts in another language: the same fields, the same requirement ids."""

    title: str
    scope: str
    sources: tuple[str, ...]
    requirements: tuple[Requirement, ...]


class RequirementList(NamedTuple):
    framework: str
    title: str
    as_of: str
    complete: bool  # False: a selection; the matrix says so
    scope: str
    sources: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    path: Path
    # language -> texts; English is the fields above
    translations: tuple[tuple[str, ListTexts], ...] = ()

    def in_language(self, lang: str) -> RequirementList:
        """This list with its texts in ``lang`` (itself in English, or with no such texts)."""
        for code, texts in self.translations:
            if code == lang:
                return self._replace(
                    title=texts.title,
                    scope=texts.scope,
                    sources=texts.sources,
                    requirements=texts.requirements,
                )
        return self


def _folder() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "frameworks"


@cache
def framework_lists() -> tuple[RequirementList, ...]:
    """Every requirement list shipped, in the order of ``FRAMEWORKS``."""
    return tuple(_load(name) for name in FRAMEWORKS if (_folder() / f"{name}.json").is_file())


def _load(name: str) -> RequirementList:
    path = _folder() / f"{name}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("framework") != name:
        raise ValueError(f"{path}: 'framework' must be {name!r}")
    requirements = tuple(Requirement(str(r["id"]), str(r["title"])) for r in raw["requirements"])
    for req in requirements:
        problem = id_problem(name, req.id)
        if problem is not None:
            raise ValueError(f"{path}: {problem}")
    if len({r.id for r in requirements}) != len(requirements):
        raise ValueError(f"{path}: a requirement id is listed twice")
    return RequirementList(
        framework=name,
        title=str(raw["title"]),
        as_of=str(raw["as_of"]),
        complete=bool(raw["complete"]),
        scope=str(raw["scope"]),
        sources=tuple(str(s) for s in raw["sources"]),
        requirements=requirements,
        path=path,
        translations=tuple(
            (lang, _texts(path, lang, texts, requirements))
            for lang, texts in sorted(raw.get("translations", {}).items())
        ),
    )


def _texts(
    path: Path, lang: str, raw: dict[str, Any], requirements: tuple[Requirement, ...]
) -> ListTexts:
    titles = raw["requirements"]
    ids = [r.id for r in requirements]
    if sorted(titles) != sorted(ids) or not all(isinstance(titles[i], str) for i in ids):
        missing = sorted(set(ids) - set(titles))
        extra = sorted(set(titles) - set(ids))
        raise ValueError(
            f"{path}: translations.{lang}.requirements must give a title to every requirement "
            f"and to no other (missing {missing}, unknown {extra})"
        )
    return ListTexts(
        title=str(raw["title"]),
        scope=str(raw["scope"]),
        sources=tuple(str(s) for s in raw["sources"]),
        requirements=tuple(Requirement(i, titles[i]) for i in ids),
    )


def listed_requirement(framework: str, control_id: str) -> str | None:
    """The listed requirement a control id falls under: itself, or its parent (``art. 28(3)``
    under ``art. 28``, ``D2.O3.a`` under ``D2.O3`` when only the parent is listed)."""
    lists = {rl.framework: rl for rl in framework_lists()}
    if framework not in lists:
        return None
    ids = {r.id for r in lists[framework].requirements}
    candidate = control_id
    while candidate:
        if candidate in ids:
            return candidate
        parent = _parent(candidate)
        if parent == candidate:
            return None
        candidate = parent
    return None


def _parent(control_id: str) -> str:
    if control_id.endswith(")"):
        return control_id[: control_id.rindex("(")]
    if "." in control_id and not control_id.startswith(("A.", "art.")):
        return control_id.rsplit(".", 1)[0]
    return control_id
