"""``python -m hdsguard``: the same as the ``hdsguard`` command."""

from hdsguard.cli import main

main(prog_name="hdsguard")
