"""Evidence files named on the command line or in the config: found, recognised by their
content, read whole, and gathered into one :class:`EvidenceSet`.

The vantage point of a scan and the host that served a certificate are declared beside the
file, never guessed: in a sidecar ``<file>.evidence`` (YAML: ``vantage: external``,
``host: www.example.org``) or in the config's ``evidence:`` entry for the file.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hdsguard.declarations.files import SIDECAR_DIRECTORY
from hdsguard.errors import InputError, Problem, fail
from hdsguard.i18n import N_, _

# The key a JSON snapshot of the ANS registry starts with (evidence/registry_json.py, which
# imports pydantic's model: loaded only when such a file is read).
REGISTRY_JSON_KEY = b'"ans_hds_registry_snapshot"'

# What a CSV snapshot of the ANS registry starts with (evidence/registry.py).
REGISTRY_MAGIC = b"# ANS HDS registry snapshot"

if TYPE_CHECKING:
    from hdsguard.evidence.certs import ObservedCertificate
    from hdsguard.evidence.kev import Kev
    from hdsguard.evidence.nmapmodel import Scan
    from hdsguard.evidence.registry import Registry

# A scan of 100,000 hosts is about 70 MB (docs/performance.md, "Evidence: 10,000 scanned
# hosts": 6.7 MB for 10,000 with a port open on each); the CISA catalogue about 1.5 MB.
MAX_EVIDENCE_BYTES = 128 * 1024 * 1024

# Not .yaml: a sidecar beside a scan in a declaration directory is never read as a declaration.
SIDECAR = ".evidence"
VANTAGES = ("external", "internal")


@dataclass(frozen=True)
class EvidenceSpec:
    """One evidence path and what is declared with it (None: see its sidecar, if any)."""

    path: Path
    vantage: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class EvidenceFile:
    path: str  # as displayed, relative to the current directory
    kind: str  # nmap | certificate | kev | hds_registry
    sha256: str
    timestamp: str | None  # the evidence's own date (scan start, release, snapshot…)
    # The sidecar read with it (its vantage point or host decides verdicts): its path as
    # displayed and the SHA-256 of the bytes read, named in every report's provenance.
    sidecar: str | None = None
    sidecar_sha256: str | None = None


@dataclass
class EvidenceSet:
    files: list[EvidenceFile] = field(default_factory=list)
    scans: list[tuple[Scan, str]] = field(default_factory=list)  # (scan, vantage)
    certificates: list[tuple[ObservedCertificate, str | None]] = field(default_factory=list)
    kevs: list[Kev] = field(default_factory=list)
    registries: list[Registry] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # every file read, sidecars included


def load_evidence(specs: Sequence[EvidenceSpec]) -> EvidenceSet:
    """Every file of ``specs`` read, or InputError with every problem found."""
    from hdsguard.declarations.files import display_path

    out = EvidenceSet()
    problems: list[Problem] = []
    seen: set[Path] = set()
    for spec in specs:
        for path in _files(spec.path, problems):
            if path in seen:
                continue
            seen.add(path)
            out.paths += [path, path.with_name(path.name + SIDECAR)]
            try:
                _read(out, path, display_path(path), spec)
            except InputError as exc:
                problems.extend(exc.problems)
    problems += _copied_scans(out)
    if problems:
        raise InputError(problems)
    out.files.sort(key=lambda f: f.path)
    return out


def _copied_scans(evidence: EvidenceSet) -> list[Problem]:
    """A scan given again under another vantage point (a copy of one file, declared external
    here and internal there): one observation would then count as two, and an internal scan
    as proof of what the Internet sees, or the reverse.

    The same scan is the same nmap run: the same `<nmaprun start>` (the second it began) and
    `args` (its command line, `-oX` file name included), which nmap writes once per run. Not
    identical bytes alone, which a copy re-saved by an editor or with its comment edited no
    longer has; two real runs from two places differ in their start or their output name. A
    scan without `args` (not written by nmap) is compared by its bytes."""

    digests = {f.path: f.sha256 for f in evidence.files}
    first: dict[tuple[str, str], tuple[Scan, str]] = {}
    problems = []
    for scan, vantage in evidence.scans:
        key = (scan.start.isoformat(), scan.args) if scan.args else ("", digests[scan.path])
        seen, seen_vantage = first.setdefault(key, (scan, vantage))
        if seen is scan or seen_vantage == vantage:
            continue  # a copy under the same vantage point changes nothing the rules see
        line, column = scan.at
        message = _(
            "the same nmap scan as {other} (started {start}, same command line), given here "
            "as {vantage} and there as {other_vantage}: a scan has one vantage point; remove "
            "this copy (or its sidecar), and give the scan really made from the {vantage} "
            "vantage point"
        ).format(
            other=seen.path,
            start=scan.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            vantage=vantage,
            other_vantage=seen_vantage,
        )
        problems.append(Problem(scan.path, line, column, message))
    return problems


def from_the_future(evidence: EvidenceSet, as_of: datetime.date) -> list[Problem]:
    """Every evidence file dated after ``as_of``: a scan, a KEV catalogue or an ANS registry
    snapshot from the future is no evidence, and every rule reading it would otherwise count
    it as fresh (EVD-004 alone failing a scan, nothing at all a catalogue or a snapshot).

    A scan's start and a catalogue's release are instants (UTC); the evaluation date is a
    calendar day in the user's time zone, unknown here. Such an instant is after ``as_of``
    when that day has ended everywhere on Earth (UTC-12, "Anywhere on Earth"): no time zone
    refuses a scan made on the evaluation day, and none accepts one made later (a scan started
    at 07:12 UTC the next day is still the evaluation day in French Polynesia; one at 17:00
    UTC is not, anywhere). A snapshot's date is a day the user wrote, in the same calendar as
    ``as_of``: after it is after."""

    problems = []
    ended = datetime.datetime.combine(
        as_of + datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC
    )  # midnight ending ``as_of`` at UTC-12
    for scan, _vantage in evidence.scans:
        if scan.start > ended:
            line, column = scan.at
            message = _(
                "the scan started on {date} (UTC), after the evaluation date {today}: evidence "
                "from the future is no evidence; correct the scanning machine's clock and scan "
                "again, or evaluate on a later date with --as-of"
            ).format(date=scan_date(scan).isoformat(), today=as_of.isoformat())
            problems.append(Problem(scan.path, line, column, message))
    for kev in evidence.kevs:
        if kev.released_at is not None and kev.released_at > ended:
            message = _(
                "the CISA KEV catalogue was released on {date} (`dateReleased`), after the "
                "evaluation date {today}: evidence from the future is no evidence; give the "
                "catalogue as it was on that date, or evaluate on a later date with --as-of"
            ).format(date=kev.released, today=as_of.isoformat())
            problems.append(Problem(kev.path, *kev.at, message))
    for registry in evidence.registries:
        if datetime.date.fromisoformat(registry.snapshot) > as_of:
            message = _(
                "the ANS HDS registry snapshot is dated {date}, after the evaluation date "
                "{today}: evidence from the future is no evidence; write the day the list was "
                "read, or evaluate on a later date with --as-of"
            ).format(date=registry.snapshot, today=as_of.isoformat())
            problems.append(Problem(registry.path, *registry.at, message))
    return problems


def _files(path: Path, problems: list[Problem]) -> list[Path]:
    if path.exists() and not path.is_dir():
        return [path.absolute()]  # a FIFO or a device too: read_bytes says what it is
    if not path.is_dir():
        problems.append(Problem(str(path), None, None, _("evidence file or directory not found")))
        return []
    found = []
    skipped: list[str] = []
    for root, dirs, names in os.walk(path):
        kept = sorted(d for d in dirs if not d.startswith(".") and not d.endswith(SIDECAR))
        skipped += [os.path.relpath(Path(root, d), path) for d in sorted(dirs) if d not in kept]
        problems += _sidecar_directories(Path(root), dirs, names)
        dirs[:] = kept
        for n in sorted(names):
            if n.startswith(".") or n.endswith(SIDECAR) or n == "README.md":
                skipped.append(os.path.relpath(Path(root, n), path))
            else:
                found.append(Path(root, n).absolute())
        problems += _orphan_sidecars(Path(root), names)
    if not found:
        # Given on purpose: a scan job that wrote nothing here must not leave every evidence
        # rule silently not applicable, as if no evidence had been asked for. What was
        # skipped is named: a directory of sidecars and dot-files looks full in a listing.
        says = _("no evidence file in this directory (hidden files, README.md and .evidence "
                 "sidecars are skipped){skipped}: see docs/evidence.md")  # fmt: skip
        shown = ""
        if skipped:
            listed = ", ".join(skipped[:3])
            more = len(skipped) - 3
            shown = _("; skipped here: {names}").format(names=listed) + (
                _(" and {count} more").format(count=more) if more > 0 else ""
            )
        problems.append(Problem(str(path), None, None, says.format(skipped=shown)))
    return found


def _display(path: Path) -> str:
    from hdsguard.declarations.files import display_path

    return display_path(path)


def _sidecar_directories(root: Path, dirs: list[str], names: list[str]) -> list[Problem]:
    """Directories named as sidecars whose evidence file is not beside them (one beside its
    file is said when the file is read: see _declared). Never walked: their files would be
    read as evidence."""
    present = set(names)
    return [
        Problem(_display(root / d), None, None, _(SIDECAR_DIRECTORY))
        for d in sorted(dirs)
        if d.endswith(SIDECAR) and not d.startswith(".") and d[: -len(SIDECAR)] not in present
    ]


def _orphan_sidecars(root: Path, names: list[str]) -> list[Problem]:
    """Sidecars whose file is not there (a renamed scan keeps no vantage point: say so)."""
    from hdsguard.declarations.files import display_path

    present = set(names)
    out = []
    for n in sorted(names):
        if n.endswith(SIDECAR) and not n.startswith(".") and n[: -len(SIDECAR)] not in present:
            why = _(
                "sidecar of {file}, which is not in this directory: name it after its evidence "
                "file (scan.xml -> scan.xml.evidence), or remove it"
            ).format(file=n[: -len(SIDECAR)])
            out.append(Problem(display_path(root / n), 1, 1, why))
    return out


def _read(out: EvidenceSet, path: Path, shown: str, spec: EvidenceSpec) -> None:
    from hdsguard.declarations.files import read_bytes

    # As a declaration file is read: a FIFO in an evidence directory hung the run, and a
    # link to /dev/zero (or a stray multi-gigabyte file) filled the memory.
    text = read_bytes(path, shown, MAX_EVIDENCE_BYTES)
    digest = hashlib.sha256(text).hexdigest()
    kind = sniff(text)
    vantage, host, sidecar_digest = _declared(path, shown, spec)
    # cryptography and defusedxml cost ~40 ms of imports, each reader a few: paid only when
    # such a file is read (never by the pre-commit hook of an organisation that gives no
    # evidence, nor the other readers by a scan).
    if kind == "nmap":
        from hdsguard.evidence.nmap import read_scan

        scan = read_scan(shown, text)
        if vantage is None:
            raise fail(shown, 1, 1, _(_NO_VANTAGE).format(sidecar=f"{path.name}{SIDECAR}"))
        out.scans.append((scan, vantage))
        out.certificates += _scanned_certificates(scan, vantage)
        stamp: str | None = scan.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif kind in ("pem", "der"):
        from hdsguard.evidence.certs import read_der, read_pem

        certs = read_pem(shown, text) if kind == "pem" else read_der(shown, text)
        out.certificates += [(c, host) for c in certs]
        kind, stamp = "certificate", None
    elif kind == "kev":
        from hdsguard.evidence.kev import read_kev

        kev = read_kev(shown, text)
        out.kevs.append(kev)
        stamp = kev.released
    elif kind in ("hds_registry", "hds_registry_json"):
        from hdsguard.evidence.registry import read_registry
        from hdsguard.evidence.registry_json import read_registry_json

        registry = (read_registry if kind == "hds_registry" else read_registry_json)(shown, text)
        out.registries.append(registry)
        kind, stamp = "hds_registry", registry.snapshot
    elif _nmap_text(text):
        raise fail(shown, 1, 1, _(_NMAP_TEXT))
    else:
        raise fail(shown, 1, 1, _(_UNKNOWN))
    sidecar = f"{shown}{SIDECAR}" if sidecar_digest is not None else None
    out.files.append(EvidenceFile(shown, kind, digest, stamp, sidecar, sidecar_digest))


def _nmap_text(text: bytes) -> bool:
    """Whether ``text`` is nmap's normal (-oN) or grepable (-oG) output, or a copy of what it
    printed on the terminal: the first thing a consultant saves, and no evidence hdsguard reads."""
    head = text[:4096].lstrip()
    return head.startswith((b"# Nmap ", b"Starting Nmap ")) or b"Nmap scan report for " in head


def _scanned_certificates(scan: Scan, vantage: str) -> list[tuple[ObservedCertificate, str | None]]:
    """The certificates nmap's ssl-cert script printed, each bound to its host and port, and
    dated by its scan (a stale scan backs no pass, whatever it saw)."""
    out: list[tuple[ObservedCertificate, str | None]] = []
    start = scan.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    for host in scan.hosts:
        name = host.names[0] if host.names else (host.addresses or [""])[0]
        for port in host.ports:
            if port.certificates:
                from hdsguard.evidence.certs import read_scanned

                keys = (*host.names, *host.addresses)
                out += [(read_scanned(scan.path, line, text, port.port, keys, start, vantage),
                         name or None)
                        for line, text in port.certificates]  # fmt: skip
    return out


def sniff(text: bytes) -> str | None:
    """The kind of evidence ``text`` is, by its content (None: unknown)."""
    head = text[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<!DOCTYPE nmaprun", b"<nmaprun")):
        return "nmap"
    if b"-----BEGIN CERTIFICATE-----" in head:
        return "pem"
    if head.startswith(b"{") and b'"catalogVersion"' in text[:65536]:
        return "kev"
    if head.startswith(b"{") and REGISTRY_JSON_KEY in text[:65536]:
        return "hds_registry_json"
    if head.startswith(REGISTRY_MAGIC):
        return "hds_registry"
    if text[:1] == b"\x30" and len(text) > 64 and text[1:2] in (b"\x82", b"\x83"):
        return "der"  # an ASN.1 SEQUENCE with a long length: what a DER certificate starts with
    return None


def _declared(
    path: Path, shown: str, spec: EvidenceSpec
) -> tuple[str | None, str | None, str | None]:
    """The vantage point and host declared for ``path``, and the SHA-256 of its sidecar when
    one was read (None: none beside it)."""
    vantage, host = spec.vantage, spec.host
    digest = None
    sidecar = path.with_name(path.name + SIDECAR)
    if sidecar.exists() and not sidecar.is_file():
        # A directory (or a FIFO) was passed over: the scan then read as one without a
        # vantage point, "write it into scan.xml.evidence" while that name existed.
        raise fail(f"{shown}{SIDECAR}", None, None, _(SIDECAR_DIRECTORY))
    if sidecar.is_file():
        side_vantage, side_host, digest = _sidecar(sidecar, f"{shown}{SIDECAR}")
        vantage, host = vantage or side_vantage, host or side_host
    return vantage, host, digest


def _sidecar(path: Path, shown: str) -> tuple[str | None, str | None, str]:
    import yaml  # here: a run with no sidecar (every run without evidence) needs no YAML

    text = ""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # As in a declaration file: where the mistake was made and what it means, not
        # libyaml's multi-line report quoting "<unicode string>" with its line breaks escaped.
        from hdsguard.declarations.yamlhints import explain

        (line, column), message = explain(exc, text)
        raise fail(shown, line, column, message) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise fail(
            shown, line, None, _("unreadable evidence sidecar: {error}").format(error=exc)
        ) from None
    if not isinstance(data, dict):
        raise fail(shown, 1, 1, _("a sidecar is a mapping with `vantage` and/or `host` only"))
    unknown = sorted(str(k) for k in data if k not in _SIDECAR_KEYS)
    if unknown:
        # Like a declaration's unknown key: a typo (`vantgae`) must say which key and what
        # was meant, at its line.
        raise _unknown_key(shown, text, unknown[0])
    vantage, host = data.get("vantage"), data.get("host")
    if vantage is not None and vantage not in VANTAGES:
        from hdsguard.declarations.validate import did_you_mean

        says = _("vantage {vantage!r}: write `external` or `internal`").format(vantage=vantage)
        hint = did_you_mean(vantage, VANTAGES) if isinstance(vantage, str) else ""
        raise fail(shown, _key_line(text, "vantage"), 1, says + hint)
    if host is not None and not isinstance(host, str):
        raise fail(shown, 1, 1, _("host: a host name or address, as a string"))
    return vantage, host, hashlib.sha256(raw).hexdigest()


_SIDECAR_KEYS = ("vantage", "host")


def _key_line(text: str, key: str) -> int:
    """The line of ``key:`` in a sidecar (1 when not found)."""
    lines = text.splitlines()
    return next((i for i, s in enumerate(lines, 1) if s.lstrip().startswith(f"{key}:")), 1)


def _unknown_key(shown: str, text: str, key: str) -> InputError:
    from hdsguard.declarations.validate import did_you_mean

    line = _key_line(text, key)
    return fail(
        shown,
        line,
        1,
        _("unknown key {key!r} in a sidecar (it holds `vantage` and/or `host`)").format(key=key)
        + did_you_mean(key, _SIDECAR_KEYS),
    )


def scan_date(scan: Scan) -> datetime.date:
    return scan.start.date()


_NO_VANTAGE = N_(
    "the scan's vantage point is not declared: write `vantage: external` (scanned from the "
    "Internet) or `vantage: internal` into {sidecar} beside it, or give it in the config's "
    "`evidence:` entry"
)
_NMAP_TEXT = N_(
    "this is nmap's text output (-oN, -oG or what it printed), which hdsguard does not read: "
    "run the scan again with `-oX FILE` for its XML output (`nmap -sT -sV -Pn -oX scan.xml "
    "HOSTS`) and give that file; see docs/evidence.md"
)
_UNKNOWN = N_(
    "not a known kind of evidence: expected an nmap XML scan (-oX), a PEM or DER "
    "certificate, the CISA KEV catalogue (JSON) or an ANS HDS registry snapshot (CSV or "
    "JSON); "
    "see docs/evidence.md"
)
