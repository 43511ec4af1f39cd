"""Click's own messages (usage errors) in the run's language.

Click words its usage errors ("No such option", "Missing argument", "Invalid value for…",
"Try '… --help' for help.") with Python's ``gettext.gettext`` and ``gettext.ngettext``,
imported into each of its modules as ``_`` and ``ngettext``: they read a compiled catalogue of
gettext's default domain, which hdsguard neither ships nor builds. hdsguard's own catalogue
holds the French of the click messages a user meets (listed below, so that the extractor
keeps them and tests/test_clickwords.py checks that click still has each of them), and
:func:`install`, called when a run is in French, points click's ``_`` and ``ngettext`` at a
lookup in it. In English, and for any click message not listed, the lookup is click's own
gettext function: exactly what click does without hdsguard.
"""

from __future__ import annotations

import gettext
import sys
from collections.abc import Callable

from hdsguard import i18n
from hdsguard.i18n import N_

# Click's messages, exactly as click writes them (click 8.x).
MESSAGES = frozenset(
    {
        N_("Error: {message}"),
        N_("Try '{command} {option}' for help."),
        N_("Invalid value: {message}"),
        N_("Invalid value for {param_hint}: {message}"),
        N_("Missing argument"),
        N_("Missing option"),
        N_("Missing parameter"),
        N_("Missing command."),
        N_("No such option {name!r}."),
        N_("No such command {name!r}."),
        N_("Option {name!r} does not take a value."),
        N_("Could not open file {filename!r}: {message}"),
        N_("{value!r} is not a valid {number_type}."),
        N_("{value} is not in the range {range}."),
        N_("Aborted!"),
        N_("default: {default}"),  # help: "[default: 180]"
    }
)
# ngettext's pairs: (singular, plural), each a catalogue message of its own.
PLURALS = (
    (N_("Did you mean {possibility}?"), N_("(Did you mean one of: {possibilities}?)")),
    (N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}.")),
    (
        N_("Option {name!r} requires an argument."),
        N_("Option {name!r} requires {nargs} arguments."),
    ),
    (
        N_("Got unexpected extra argument ({args})"),
        N_("Got unexpected extra arguments ({args})"),
    ),
    (
        N_("{value!r} does not match the format {format}."),
        N_("{value!r} does not match the formats {formats}."),
    ),
)
_PLURAL_KEYS = frozenset(PLURALS)
# The click modules whose messages a user of hdsguard's command line can meet.
MODULES = ("click.core", "click.exceptions", "click.parser", "click.types")

_original_gettext: Callable[[str], str] = gettext.gettext
_original_ngettext: Callable[[str, str, int], str] = gettext.ngettext


def click_gettext(message: str) -> str:
    """Click's ``_``: hdsguard's French for a listed message in a French run."""
    if message in MESSAGES and i18n.current() != i18n.DEFAULT:
        return i18n.translate(message)
    return _original_gettext(message)


def click_ngettext(singular: str, plural: str, n: int) -> str:
    """Click's ``ngettext``: the form for ``n``, in French in a French run."""
    if (singular, plural) in _PLURAL_KEYS and i18n.current() != i18n.DEFAULT:
        return i18n.translate(singular if n == 1 else plural)
    return _original_ngettext(singular, plural, n)


def install() -> None:
    """Point click's message functions at :func:`click_gettext` / :func:`click_ngettext`
    (once; harmless to repeat)."""
    for name in MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if getattr(module, "_", None) is _original_gettext:
            module._ = click_gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is _original_ngettext:
            module.ngettext = click_ngettext  # type: ignore[attr-defined]
