"""The learner's choice of scheduler: its settings, their checks, and the scheduler they make.

Settings are stored with the learner's state (`srs config set KEY VALUE`) and can be overridden
for one run by environment variables, which `srs.config` reads and passes in. Nothing here reads
the environment, and FSRS (the `fsrs` package) is imported only when it is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from srs.core.errors import ConfigError
from srs.core.scheduling.rule import Scheduler

DEFAULT_RETENTION = 0.9
RETENTION_RANGE = (0.7, 0.99)

SCHEDULER = "scheduler"
RETENTION = "desired-retention"
FUZZ = "fsrs-fuzz"
KEYS = (SCHEDULER, RETENTION, FUZZ)
"""The setting names `srs config` accepts, in the order `srs config show` lists them."""

ENV_VARS: dict[str, str] = {
    SCHEDULER: "SRS_SCHEDULER",
    RETENTION: "SRS_DESIRED_RETENTION",
    FUZZ: "SRS_FSRS_FUZZ",
}
"""The environment variable that overrides each setting for one run."""

DEFAULTS: dict[str, str] = {SCHEDULER: "sm2", RETENTION: str(DEFAULT_RETENTION), FUZZ: "on"}

_ON = {"on", "true", "yes", "1"}
_OFF = {"off", "false", "no", "0"}


@dataclass(frozen=True, slots=True)
class SchedulerChoice:
    """Which scheduler schedules the learner's answers, and FSRS's options."""

    name: str = "sm2"
    desired_retention: float = DEFAULT_RETENTION
    fuzz: bool = True


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One setting as `srs config show` lists it: its value and where the value comes from."""

    key: str
    value: str
    source: str  # "default", "set" (stored for the learner) or the environment variable's name


def normalise(key: str, raw: str, where: str = "") -> str:
    """`raw` as the stored spelling of setting `key`; `ConfigError` (one line naming `where`,
    e.g. the environment variable) when the key or the value is not valid."""
    label = where or key
    value = raw.strip().lower()
    if key == SCHEDULER:
        if value in ("sm-2", "sm2"):
            return "sm2"
        if value == "fsrs":
            return "fsrs"
        raise ConfigError(f"{label}: must be sm2 or fsrs, got {raw!r}")
    if key == RETENTION:
        low, high = RETENTION_RANGE
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{label}: must be a number, got {raw!r}") from None
        if not low <= number <= high:
            raise ConfigError(f"{label}: must be from {low} to {high}, got {raw!r}")
        return repr(number)
    if key == FUZZ:
        if value in _ON:
            return "on"
        if value in _OFF:
            return "off"
        raise ConfigError(f"{label}: must be on or off, got {raw!r}")
    raise ConfigError(f"unknown setting {key!r} (settings: {', '.join(KEYS)})")


def effective(stored: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """Each setting's value for this run: the override, else the stored value, else the default."""
    return {key: overrides.get(key) or stored.get(key) or DEFAULTS[key] for key in KEYS}


def choose(stored: Mapping[str, str], overrides: Mapping[str, str]) -> SchedulerChoice:
    """The learner's choice for this run, from their stored settings and this run's overrides
    (both already normalised)."""
    values = effective(stored, overrides)
    return SchedulerChoice(
        name=values[SCHEDULER],
        desired_retention=float(values[RETENTION]),
        fuzz=values[FUZZ] == "on",
    )


def make_scheduler(choice: SchedulerChoice) -> Scheduler:
    """The scheduler object of `choice`; FSRS's package is imported only here, when chosen."""
    if choice.name == "fsrs":
        from srs.core.scheduling.fsrs import FSRS

        return FSRS(choice.desired_retention, choice.fuzz)
    from srs.core.scheduling.sm2 import SM2

    return SM2()
