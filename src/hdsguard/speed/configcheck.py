"""A quick, conservative read of ``.hdsguard.yaml`` without the pydantic config model.

Every real user has a config (``hdsguard init`` writes one), and a pre-commit run on a small
set spent about a third of its time importing pydantic and the config model and building its
validator. Most configs are valid, and small: :func:`plain_config` walks the parsed data
and, when every key and value is one the model certainly accepts with the same value, builds
those values as frozen dataclasses with the attribute names and defaults of
:class:`hdsguard.configmodel.Config` and its sub-models (:class:`PlainConfig` ...).

It answers with the values, or None: "ask the model", which then validates the file and
reports its problems exactly as before. It never decides alone that a config is invalid, so
messages cannot change. Anything unusual is a doubt: an unknown key, a key that is not a
string, a wrong type, a bool where an int is expected, a null where the model has no
``None``, a version other than the integer 1, an integer outside 64 bits. Parameter
overrides are kept as written (the model types them ``Any``), and
:func:`hdsguard.config.rule_problems` type-checks them against the policies on either
path: its problems are the same. The pydantic model stays the source of truth (``hdsguard
schema config``, the docs); tests/test_config_fastpath.py checks, by hypothesis, that
whatever this accepts the model accepts with equal values, field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hdsguard.speed.plainread import Doubt as _Doubt

DEFAULT_WARN_DAYS = 30  # WaiverPolicy.warn_days (the model takes it from here)
# The model's literals (hdsguard.policies.model.SeverityName, Config.lang, EvidenceEntry.vantage),
# kept equal to it by a test.
SEVERITIES = ("critical", "high", "medium", "low", "info")
LANGS = ("en", "fr")
VANTAGES = ("external", "internal")
# Integers beyond this are left to the model (as it treats them, never guessed).
_INT_MAX = 2**63 - 1

Read = Callable[[Any], Any]
"""Reads one value as the model would, or raises _Doubt."""


@dataclass(frozen=True)
class PlainRules:
    """:class:`hdsguard.configmodel.Rules`, without pydantic."""

    disable: list[str] = field(default_factory=list)
    enable: list[str] | None = None


@dataclass(frozen=True)
class PlainMaxDays:
    """:class:`hdsguard.configmodel.MaxDays`, without pydantic."""

    critical: int | None = None
    high: int | None = None
    medium: int | None = None
    low: int | None = None
    info: int | None = None


@dataclass(frozen=True)
class PlainWaiverPolicy:
    """:class:`hdsguard.configmodel.WaiverPolicy`, without pydantic."""

    warn_days: int = DEFAULT_WARN_DAYS
    max_days: PlainMaxDays = field(default_factory=PlainMaxDays)
    forbidden: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlainEvidenceEntry:
    """:class:`hdsguard.configmodel.EvidenceEntry`, without pydantic."""

    path: str
    vantage: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class PlainConfig:
    """:class:`hdsguard.configmodel.Config`, without pydantic: the values of a config
    :func:`plain_config` found certainly valid."""

    version: int | None = None
    declarations: list[str] | None = None
    policies: list[str] = field(default_factory=list)
    rules: PlainRules = field(default_factory=PlainRules)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    lang: str | None = None
    waivers: str | None = None
    baseline: str | None = None
    waiver_policy: PlainWaiverPolicy = field(default_factory=PlainWaiverPolicy)
    evidence: list[str | PlainEvidenceEntry] = field(default_factory=list)


def plain_config(data: Any) -> PlainConfig | None:
    """The values of parsed config ``data`` when the model certainly accepts it with these
    values; None means "ask the model" (never "invalid")."""
    if data is None:
        return PlainConfig()  # an empty file: the defaults, as the model reads it
    try:
        return _config(data)
    except _Doubt:
        return None


def _config(data: Any) -> PlainConfig:
    values = _mapping(data, _CONFIG_KEYS)
    return PlainConfig(**{key: _CONFIG_KEYS[key](value) for key, value in values.items()})


def _mapping(data: Any, keys: dict[str, Read]) -> dict[str, Any]:
    if type(data) is not dict or not all(type(k) is str and k in keys for k in data):
        raise _Doubt
    return data


def _is_int(value: Any, *, low: int, high: int = _INT_MAX) -> bool:
    # Strict: a bool is no integer, nor is a float with an integral value.
    return type(value) is int and low <= value <= high


def _int(low: int) -> Read:
    def read(value: Any) -> int:
        if not _is_int(value, low=low):
            raise _Doubt
        return int(value)

    return read


def _version(value: Any) -> int:
    # Only 1: the model, and the version check before it, word every refusal.
    if not _is_int(value, low=1, high=1):
        raise _Doubt
    return 1


def _optional(read: Read) -> Read:
    return lambda value: None if value is None else read(value)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _Doubt
    return value


def _rule_id(value: Any) -> str:
    if type(value) is not str or not value:
        raise _Doubt
    return value


def _one_of(options: tuple[str, ...]) -> Read:
    def read(value: Any) -> str:
        if type(value) is not str or value not in options:
            raise _Doubt
        return value

    return read


def _list(item: Read, *, min_length: int = 0) -> Read:
    def read(value: Any) -> list[Any]:
        if type(value) is not list or len(value) < min_length:
            raise _Doubt
        return [item(v) for v in value]

    return read


def _rule_map(item: Read) -> Read:
    def read(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Doubt
        return {_rule_id(k): item(v) for k, v in value.items()}

    return read


def _param_values(value: Any) -> dict[str, Any]:
    # Typed `Any` by the model: kept as written; rule_problems checks them against the policy.
    if type(value) is not dict or not all(type(k) is str for k in value):
        raise _Doubt
    return dict(value)


def _block(cls: Callable[..., Any], keys: dict[str, Read]) -> Read:
    def read(value: Any) -> Any:
        return cls(**{k: keys[k](v) for k, v in _mapping(value, keys).items()})

    return read


def _evidence(value: Any) -> str | PlainEvidenceEntry:
    if type(value) is str:
        return value
    values = _mapping(value, _EVIDENCE_KEYS)
    if "path" not in values:
        raise _Doubt
    return PlainEvidenceEntry(**{k: _EVIDENCE_KEYS[k](v) for k, v in values.items()})


_RULE_LIST = _list(_rule_id)
_SEVERITY = _one_of(SEVERITIES)
_EVIDENCE_KEYS: dict[str, Read] = {
    "path": _text,
    "vantage": _optional(_one_of(VANTAGES)),
    "host": _optional(_text),
}
_CONFIG_KEYS: dict[str, Read] = {
    "version": _version,
    "declarations": _optional(_list(_text, min_length=1)),
    "policies": _list(_text),
    "rules": _block(
        PlainRules, {"disable": _RULE_LIST, "enable": _optional(_list(_rule_id, min_length=1))}
    ),
    "params": _rule_map(_param_values),
    "severity": _rule_map(_SEVERITY),
    "fail_on": _optional(_SEVERITY),
    "lang": _optional(_one_of(LANGS)),
    "waivers": _optional(_text),
    "baseline": _optional(_text),
    "waiver_policy": _block(
        PlainWaiverPolicy,
        {
            "warn_days": _int(0),
            "max_days": _block(PlainMaxDays, {s: _optional(_int(1)) for s in SEVERITIES}),
            "forbidden": _RULE_LIST,
        },
    ),
    "evidence": _list(_evidence),
}
