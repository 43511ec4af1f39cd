"""``python -m hdsguard``: the same as the ``hdsguard`` command."""

from hdsguard.cli import run

run()
