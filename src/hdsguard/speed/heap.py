"""Free pages of the C heap handed back to the system (glibc's ``malloc_trim``).

A large first run frees much of what it allocates in the C heap, where glibc keeps it: each
CEL evaluation's arena, the bytes a forked helper's results arrive in, the keys of a sort of
125,000 findings. Those pages still count in the process's memory, and in both processes after
a fork. Trimming them at the points where a large run has just freed them (before a fork,
after each unit of forked evaluation, around the join of the helpers' findings and around
their sort) lowers the peak over all processes of a cold 10k run (failing shape): JSON 145.7
-> 143-144 MiB, text 136.1 -> 134.6 MiB (with findings sorted a rule at a time). 0.2 ms a
call; a small run never calls it (importing ctypes costs 2 ms).
"""

from __future__ import annotations


def trim() -> None:
    """Hand the free pages of the C heap back to the system (nothing where there is no
    glibc)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (ImportError, OSError, AttributeError):  # no ctypes, or not glibc
        pass
