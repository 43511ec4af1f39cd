"""A scan made on the day the declarations date a change (a certificate's `not_before`, a
software's `last_patch`) that saw what the change replaced says nothing of it: the day does
not order the scan and the change (hdsguard.evidence.match.before_change). EVD-006 and
EVD-007 read a certificate's first day so since the nineteenth session; EVD-003 compared a
scan of the patch day that saw the older version, and failed a patch installed that
afternoon."""

from __future__ import annotations

import pytest

from hdsguard import i18n
from hdsguard.evidence.match import before_change, predates_patch
from hdsguard.policies.celenv import CelRuntime
from hdsguard.policies.load import builtin_policy_dir, load_catalogue
from tests.test_reason_language import _findings


@pytest.mark.parametrize(
    ("scanned", "day", "saw_previous", "says_nothing"),
    [
        ("2026-11-19", "2026-11-20", False, True),  # before the day: whatever it saw
        ("2026-11-20", "2026-11-20", True, True),  # that day, the previous state
        ("2026-11-20", "2026-11-20", False, False),  # that day, the new state: compared
        ("2026-11-21", "2026-11-20", True, False),  # after: compared, the change failed
        ("2026-11-20", "", True, False),  # no day declared
        ("", "2026-11-20", True, False),  # no scan date (a certificate file)
    ],
)
def test_a_scan_of_the_day_says_nothing_only_when_it_saw_the_previous_state(
    scanned: str, day: str, saw_previous: bool, says_nothing: bool
) -> None:
    assert before_change(scanned, day, saw_previous) is says_nothing


def test_a_scan_of_the_patch_day_is_set_aside_only_when_it_saw_an_older_version() -> None:
    software = {"name": "nginx", "version": "1.26.3", "last_patch": "2026-11-20"}

    def port(version: str, day: str = "2026-11-20") -> dict[str, str]:
        return {"product": "nginx", "version": version, "scan_date": day}

    assert predates_patch(port("1.26.2"), software)
    assert not predates_patch(port("1.26.3"), software)
    assert not predates_patch(port("1.27.0"), software)
    assert not predates_patch(port("8.x-build"), software)  # not comparable: compared, warns
    assert not predates_patch(port("1.26.2", "2026-11-21"), software)
    assert predates_patch(port("1.26.3", "2026-11-19"), software)  # before: never compared
    assert not predates_patch(port("1.26.2"), {"name": "nginx", "version": "1.26.3"})


def test_the_french_pass_says_a_scan_of_the_patch_day_may_have_run_before_it() -> None:
    with i18n.language("fr"):
        runtime = CelRuntime()
        catalogue = load_catalogue(
            runtime, [builtin_policy_dir()], builtin=False, with_specs=True, lang="fr"
        )
        policy = catalogue["EVD-003"]
        [index] = [
            i
            for i, case in enumerate(policy.authoring().tests)
            if case.name.endswith("last patch that saw the older version is set aside")
        ]
        finding = _findings(runtime, policy, index, policy.authoring().tests[index])
    assert finding.status.value == "pass"
    assert finding.message.endswith(
        "comme déclaré ; chaque scan qui a identifié une version a été fait avant le dernier "
        "correctif déclaré le 20 novembre 2026 ou ce jour-là, et un scan de ce jour a pu précéder "
        "l'installation du correctif : la version déclarée 1.26.3 n'est pas confirmée, scanner "
        "à nouveau"
    ), finding.message
