"""Generate an estate of firewalls with large rule sets (issue 17, FW-004 at scale).

    python bench/rulesets.py 20 1000 /tmp/fw-20x1000          # 20 firewalls, 1000 rules each
    python bench/rulesets.py 20 5000 /tmp/fw-20x5000 --json

A hospital's firewalls hold hundreds to thousands of rules each. The set is the organisation,
identity and logging singletons of the benchmark (bench/generate.py) and ``F`` firewalls of
``R`` rules each, one file per firewall (``network/fw-NNN.yaml``), as a configuration export
gives them: named flows between zones, hosts and IPv4 networks on single ports, port ranges
or any port, a few deny rules, a final deny-all. One firewall in four carries a defect that
FW-004 reports: an any-to-any allow rule added "temporarily", sources split in two IPv4
halves, or the ports split in two ranges. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from generate import AS_OF, _Gen, write_files

_ZONES = ("lan-soins", "lan-admin", "dmz", "biomed", "serveurs", "vpn-partenaires", "wifi")
_PORTS: tuple[object, ...] = (443, 443, 80, 22, 3389, 104, 2575, 5432, 1433, "8000-8100", "any")
# FW-004 defects, one firewall in four: (name, the rules that show it)
_DEFECTS: tuple[tuple[str, list[dict[str, Any]]], ...] = (
    ("any-any", [{"from": "any", "to": "any", "port": "any", "action": "allow"}]),
    (
        "halves",
        [
            {"from": "0.0.0.0/1", "to": "any", "action": "allow"},
            {"from": "128.0.0.0/1", "to": "any", "port": "1-65535", "action": "allow"},
        ],
    ),
    (
        "port ranges",
        [
            {"from": "any", "to": "any", "port": "1-32767", "action": "allow"},
            {"from": "any", "to": "any", "port": "32768-65535", "action": "allow"},
        ],
    ),
)


def _endpoint(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return rng.choice(_ZONES)
    if kind < 0.65:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"
    if kind < 0.9:
        app = rng.choice(("dpi", "pacs", "lims", "ad", "mail", "web"))
        return f"srv-{app}-{rng.randint(1, 99):02d}"
    return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _rule(rng: random.Random) -> dict[str, Any]:
    rule: dict[str, Any] = {"from": _endpoint(rng), "to": _endpoint(rng)}
    port = rng.choice(_PORTS)
    if port != "any" or rng.random() < 0.5:  # an absent port is any port, as exports write it
        rule["port"] = port
    rule["action"] = "deny" if rng.random() < 0.1 else "allow"
    return rule


def firewall(index: int, rules: int, rng: random.Random) -> dict[str, Any]:
    defect = _DEFECTS[(index // 4) % len(_DEFECTS)][1] if index % 4 == 3 else []
    body = [_rule(rng) for _ in range(max(rules - 1 - len(defect), 0))]
    at = rng.randint(0, len(body))
    body[at:at] = [dict(r) for r in defect]
    body.append({"from": "any", "to": "any", "port": "any", "action": "deny"})
    return {
        "id": f"fw-{index:03d}",
        "vendor": rng.choice(("Stormshield", "Fortinet", "Palo Alto")),
        "model": f"SN{rng.randint(100, 999)}",
        "internet_facing": index % 3 == 0,
        "firmware": {
            "version": f"4.{rng.randint(0, 8)}.{rng.randint(0, 9)}",
            "end_of_support": "2029-06-30",
        },
        "last_patch": "2026-10-15",
        "last_rule_review": "2026-09-01",
        "management_exposed": False,
        "vulnerabilities": [],
        "rules": body,
    }


def generate(
    firewalls: int, rules: int, out: Path, *, as_json: bool = False, seed: int = 20261206
) -> list[Path]:
    """Write the estate under ``out``; return the files written."""
    rng = random.Random(seed)
    files: dict[str, dict[str, Any]] = {"organisation": _Gen(1, seed).singletons()}
    for index in range(firewalls):
        files[f"network/fw-{index:03d}"] = {
            "version": 1,
            "firewalls": [firewall(index, rules, rng)],
        }
    return write_files(files, out, as_json=as_json)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("firewalls", type=int, help="number of firewalls")
    parser.add_argument("rules", type=int, help="rules per firewall (the last one a deny-all)")
    parser.add_argument("out", type=Path, help="directory to write (created)")
    parser.add_argument("--json", action="store_true", help="write JSON instead of YAML")
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    files = generate(args.firewalls, args.rules, args.out, as_json=args.json, seed=args.seed)
    shape = f"{args.firewalls} firewalls of {args.rules} rules"
    print(f"{len(files)} files, {shape} under {args.out} (evaluate as of {AS_OF})")


if __name__ == "__main__":
    main()
