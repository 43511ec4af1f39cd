"""Objects left to the process exit.

The hdsguard command ends with ``os._exit`` (:func:`hdsguard.cli.run`). A check's large
objects (declarations and findings: over a million at 10k objects) would otherwise be freed
one by one as the functions holding them return, 25-30 ms at 10k objects, just before the
process ends anyway. The command sets :data:`kept` to a list, and :func:`keep` then holds on
to what it is given. Library callers leave it None: nothing is kept.
"""

from __future__ import annotations

kept: list[object] | None = None


def keep(*objects: object) -> None:
    """Leave ``objects`` to the process exit, when the process is the hdsguard command."""
    if kept is not None:
        kept.extend(objects)
