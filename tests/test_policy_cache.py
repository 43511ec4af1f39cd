"""The compiled-catalogue cache gives exactly what a fresh load gives, and is never trusted
blindly: any change of a policy file, or a corrupt cache, rebuilds it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from hdsguard.api import CheckOptions, check
from hdsguard.policies import load
from hdsguard.speed import catalogue_cache as cache
from tests.helpers import REPO, use_cache

AS_OF = datetime.date(2026, 11, 28)
LAB = [str(REPO / "examples" / "lab-group")]


@pytest.fixture
def cache_dir(cache: Path) -> Path:
    return cache


def _no_file_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the catalogue was compiled again instead of read from the cache")

    monkeypatch.setattr(load, "load_policy", refuse)


def test_a_warm_cache_gives_the_same_report(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = check(LAB, CheckOptions(as_of=AS_OF))
    assert len(list(cache_dir.glob("catalogue-*.marshal"))) == 1
    _no_file_loading(monkeypatch)
    warm = check(LAB, CheckOptions(as_of=AS_OF))
    assert warm.findings == cold.findings
    assert warm.rules == cold.rules


def test_each_language_keeps_its_compiled_catalogue(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = check(LAB, CheckOptions(as_of=AS_OF, lang="en")).findings
    french = check(LAB, CheckOptions(as_of=AS_OF, lang="fr")).findings
    assert len(list(cache_dir.glob("catalogue-*.marshal"))) == 2
    # Runs taking turns between the languages read each one's entry: nothing is compiled.
    _no_file_loading(monkeypatch)
    assert check(LAB, CheckOptions(as_of=AS_OF, lang="en")).findings == english
    assert check(LAB, CheckOptions(as_of=AS_OF, lang="fr")).findings == french


def test_an_entry_of_an_older_naming_is_removed(cache_dir: Path) -> None:
    check(LAB, CheckOptions(as_of=AS_OF, lang="en"))
    old = cache_dir / f"catalogue-{'0' * 64}.marshal"
    old.write_bytes(b"an entry named as before the language led the key")
    (entry,) = cache_dir.glob("catalogue-en-*.marshal")
    entry.unlink()
    check(LAB, CheckOptions(as_of=AS_OF, lang="en"))
    assert [p.name.split("-")[1] for p in cache_dir.glob("catalogue-*")] == ["en"]


def test_a_changed_policy_file_is_recompiled(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    source = (REPO / "tests" / "fixtures" / "formats" / "policies").glob("*.yaml")
    first = next(iter(sorted(source)))
    (mine / first.name).write_text(first.read_text())
    check(LAB, CheckOptions(as_of=AS_OF, policy_dirs=[mine]))
    key_before = {p.name for p in cache_dir.glob("catalogue-*.marshal")}
    (mine / first.name).write_text(first.read_text() + "\n# edited\n")
    check(LAB, CheckOptions(as_of=AS_OF, policy_dirs=[mine]))
    key_after = {p.name for p in cache_dir.glob("catalogue-*.marshal")}
    assert key_before != key_after


def test_a_corrupt_cache_is_rebuilt(cache_dir: Path) -> None:
    expected = check(LAB, CheckOptions(as_of=AS_OF)).findings
    (entry,) = cache_dir.glob("catalogue-*.marshal")
    entry.write_bytes(b"not an entry")
    assert check(LAB, CheckOptions(as_of=AS_OF)).findings == expected
    assert entry.read_bytes() != b"not an entry"


def test_no_cache_when_disabled(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_cache(monkeypatch, None)
    check(LAB, CheckOptions(as_of=AS_OF))
    assert not cache_dir.exists()
    assert cache.cache_dir() is None


def test_french_and_english_runs_each_get_their_references_from_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The references are texts of the run's language (translations.fr.references): the
    # cache, filled by an English run, must not serve its English references to a French
    # run, and a warm French run keeps the French ones.
    english = check(LAB, CheckOptions(as_of=AS_OF, lang="en"))
    french = check(LAB, CheckOptions(as_of=AS_OF, lang="fr"))
    english_refs = english.rules["EXP-001"].references
    french_refs = french.rules["EXP-001"].references
    assert english_refs[0] == "ANSSI hygiene guide, measure 21 (use secure network protocols)"
    assert french_refs[0] == (
        "Guide d'hygiène informatique de l'ANSSI, mesure 21 (utiliser des protocoles réseau "
        "sécurisés)"
    )
    with monkeypatch.context() as patch:
        _no_file_loading(patch)
        warm = check(LAB, CheckOptions(as_of=AS_OF, lang="fr"))
    assert warm.findings == french.findings and warm.rules == french.rules
    assert {r for f in warm.findings for r in f.references} & set(french_refs)
    again = check(LAB, CheckOptions(as_of=AS_OF, lang="en"))
    assert again.findings == english.findings and again.rules == english.rules
