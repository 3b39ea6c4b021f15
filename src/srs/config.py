"""Resolve paths and options from command-line values and the environment.

Precedence for the database: `--db PATH`, then `SRS_DATABASE_URL` (any SQLAlchemy URL), then
`SRS_DB` (a file path), then `srs.db` in the user's data directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from srs.core.errors import ConfigError
from srs.core.model import MAX_LEARNER_LENGTH
from srs.core.scheduling.rule import DEFAULT_LEECH_LAPSES

DEFAULT_NEW_PER_DAY = 20
MAX_NEW_PER_DAY = 100_000  # more than any deck holds; the database's integers stay far away
DEFAULT_ROLLOVER_HOUR = 4


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where it runs and what time it is."""

    db_url: str
    db_path: Path | None  # the SQLite file, when the store is one; shown in error messages
    now: datetime  # timezone-aware
    tz: tzinfo
    rollover_hour: int
    new_per_day: int
    learner: str | None  # SRS_LEARNER; None when unset (the store then picks its default)
    fixed_now: bool = False  # SRS_NOW was given: every answer is stamped with it
    leech_lapses: int = DEFAULT_LEECH_LAPSES  # lapses that make a card a leech
    leech_suspend: bool = False  # a card that becomes a leech is suspended
    # this run's overrides of the learner's scheduler settings (SRS_SCHEDULER...), checked
    scheduling: Mapping[str, str] = field(default_factory=dict)
    server_timeout: float = 8.0  # SRS_SERVER_TIMEOUT: the longest wait for a server, in seconds

    def clock(self) -> datetime:
        """The time of an answer: the fixed `SRS_NOW` when set, else the real clock."""
        return self.now if self.fixed_now else datetime.now(self.tz)

    @property
    def db_label(self) -> str:
        """How to name the database to a user: its path, or its URL without a password."""
        if self.db_path is not None:
            return str(self.db_path)
        from srs.store.urls import masked_url

        return masked_url(self.db_url)


def default_db_path() -> Path:
    """`srs.db` in the per-user data directory of this operating system."""
    from platformdirs import user_data_path

    return user_data_path("srs", appauthor=False) / "srs.db"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _int_env(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} must be from {low} to {high}")
    return value


def resolve_tz(env: Mapping[str, str]) -> tzinfo:
    """`SRS_TZ` (an IANA name such as Europe/Paris), else the machine's local time zone."""
    name = env.get("SRS_TZ") or ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"SRS_TZ={name!r} is not a known time zone") from None
    return machine_tz()


def machine_tz() -> tzinfo:
    """The machine's named time zone, with its daylight-saving rules.

    `datetime.now().astimezone()` would freeze today's UTC offset, putting a date in the other
    season an hour off; so read `TZ`, else `/etc/localtime`, and only then fall back to it.
    """
    name = (os.environ.get("TZ") or "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a POSIX rule string such as "CET-1CEST": left to the C library below
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local


def resolve_now(env: Mapping[str, str], tz: tzinfo) -> datetime:
    """`SRS_NOW` (ISO 8601; a naive value is read in `tz`), else the real clock.

    Either must lie from `EARLIEST` to `LATEST`: before 1970 an Anki export would date notes in
    2096 (Anki's times are unsigned), and near the year 9999 a day's arithmetic overflows.
    """
    raw = env.get("SRS_NOW") or ""
    if not raw:
        now = datetime.now(tz)
        if not _in_range(now):
            raise ConfigError(
                f"the system clock reads {now.isoformat()}, outside {_RANGE}; set the clock "
                "(or SRS_NOW)"
            )
        return now
    try:
        value = datetime.fromisoformat(raw)
        value = value.replace(tzinfo=tz) if value.tzinfo is None else value
        value.astimezone(UTC)  # an offset that cannot be applied so close to the edge fails here
    except (ValueError, OverflowError):
        raise ConfigError(
            f"SRS_NOW={raw!r} is not an ISO datetime (e.g. 2026-11-22T09:00)"
        ) from None
    if not _in_range(value):
        raise ConfigError(f"SRS_NOW={raw!r} is outside the dates srs can use ({_RANGE})")
    return value


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # far from 9999-12-31: intervals and stats add days
_RANGE = "1970-01-01 to 8999-12-31"


def _in_range(moment: datetime) -> bool:
    return EARLIEST <= moment < LATEST


def scheduling_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """`SRS_SCHEDULER`, `SRS_DESIRED_RETENTION` and `SRS_FSRS_FUZZ`, checked, by setting name."""
    from srs.core.scheduling.choice import ENV_VARS, normalise

    found: dict[str, str] = {}
    for key, name in ENV_VARS.items():
        raw = env.get(name) or ""
        if raw:
            found[key] = normalise(key, raw, where=f"{name}={raw!r}")
    return found


def resolve(
    db: Path | None = None,
    new_per_day: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build `Settings` from command-line values, falling back to the environment."""
    env = os.environ if env is None else env
    tz = resolve_tz(env)
    db_path: Path | None
    if db is not None:
        db_path = _file_path(str(db), "--db")
        url = sqlite_url(db_path)
    elif env.get("SRS_DATABASE_URL"):
        url = env["SRS_DATABASE_URL"]
        db_path = None
        if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
            # the file, without a query string such as `?mode=ro` (the store reads that)
            db_path = Path(url[len("sqlite:///") :].partition("?")[0])
    elif env.get("SRS_DB"):
        db_path = _file_path(env["SRS_DB"], "SRS_DB")
        url = sqlite_url(db_path)
    else:
        db_path = default_db_path()
        url = sqlite_url(db_path)
    if new_per_day is None:
        new_per_day = _int_env(env, "SRS_NEW_PER_DAY", DEFAULT_NEW_PER_DAY, 0, MAX_NEW_PER_DAY)
    elif not 0 <= new_per_day <= MAX_NEW_PER_DAY:
        raise ConfigError(f"--new-per-day must be from 0 to {MAX_NEW_PER_DAY}, got {new_per_day}")
    return Settings(
        db_url=url,
        db_path=db_path,
        now=resolve_now(env, tz),
        tz=tz,
        rollover_hour=_int_env(env, "SRS_ROLLOVER_HOUR", DEFAULT_ROLLOVER_HOUR, 0, 23),
        new_per_day=new_per_day,
        learner=_learner(env),
        fixed_now=bool(env.get("SRS_NOW")),
        leech_lapses=_int_env(env, "SRS_LEECH_LAPSES", DEFAULT_LEECH_LAPSES, 1, 1_000),
        leech_suspend=bool(_int_env(env, "SRS_LEECH_SUSPEND", 0, 0, 1)),
        scheduling=scheduling_overrides(env),
        server_timeout=_timeout_env(env),
    )


def _timeout_env(env: Mapping[str, str]) -> float:
    """`SRS_SERVER_TIMEOUT`: seconds, from 0.5 to 600 (8 by default)."""
    raw = env.get("SRS_SERVER_TIMEOUT") or ""
    if not raw:
        return 8.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.5 <= value <= 600:
        raise ConfigError(f"SRS_SERVER_TIMEOUT={raw!r} must be a number of seconds from 0.5 to 600")
    return value


_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")  # a scheme; never a drive letter like C:/


def _file_path(raw: str, where: str) -> Path:
    """A collection file's path; a database URL here is refused rather than made into folders
    named after it (`postgresql:/...`)."""
    if _URL_LIKE.match(raw):  # `postgresql://...` (a Path option keeps one slash of the two)
        raise ConfigError(f"{where} takes a file path; for a database URL set SRS_DATABASE_URL")
    return Path(raw).expanduser()


def _learner(env: Mapping[str, str]) -> str | None:
    """`SRS_LEARNER`, refused up front when it would not fit the store's learner column."""
    name = env.get("SRS_LEARNER") or None
    if name is not None and len(name) > MAX_LEARNER_LENGTH:
        raise ConfigError(
            f"SRS_LEARNER is {len(name)} characters long; at most {MAX_LEARNER_LENGTH}"
        )
    return name


def bundled_decks_dir() -> Path:
    """The decks shipped with srs: inside the installed package, or `decks/` of a checkout."""
    packaged = Path(str(resources.files("srs"))) / "decks"
    if packaged.is_dir():
        return packaged
    # An editable install runs from src/srs, where the wheel's force-include does not apply.
    return Path(__file__).resolve().parents[2] / "decks"


def paper_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where a PDF's text is cached by its digest: `SRS_CACHE_DIR`, else the user's cache folder
    (`.../srs/papers`)."""
    env = os.environ if env is None else env
    raw = env.get("SRS_CACHE_DIR") or ""
    if raw:
        return _file_path(raw, "SRS_CACHE_DIR") / "papers"
    from platformdirs import user_cache_path

    return user_cache_path("srs", appauthor=False) / "papers"


def figure_opener(env: Mapping[str, str] | None = None) -> str | None:
    """`SRS_OPEN`: the command that opens a figure (its path appended, or put at `{file}`)."""
    env = os.environ if env is None else env
    return env.get("SRS_OPEN") or None


_SIXEL_PROGRAMS = frozenset({"iTerm.app", "WezTerm"})
_SIXEL_TERMS = frozenset({"foot", "foot-extra", "mlterm", "xterm-sixel"})


def inline_images(env: Mapping[str, str] | None = None) -> str | None:
    """How the review may draw figures inline, as the terminal declares it in the environment
    (never by querying the terminal): "kitty" (`KITTY_WINDOW_ID`, or `TERM=xterm-kitty`),
    "sixel" (`TERM_PROGRAM` iTerm.app or WezTerm; `TERM` foot or mlterm), or None (a figure
    shows as its line only). `SRS_IMAGES` decides first: `off`, `kitty` or `sixel`."""
    env = os.environ if env is None else env
    chosen = env.get("SRS_IMAGES", "").strip().lower()
    if chosen in ("kitty", "sixel"):
        return chosen
    if chosen in ("off", "0", "no", "none"):
        return None
    term = env.get("TERM", "")
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return "kitty"
    if env.get("TERM_PROGRAM", "") in _SIXEL_PROGRAMS or term in _SIXEL_TERMS:
        return "sixel"
    return None


def check_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the deck checker keeps each card's checks (`srs.checkcache`): `SRS_CACHE_DIR`,
    else the user's cache folder (`.../srs/checks`)."""
    return paper_cache_dir(env).parent / "checks"


def pdf_viewer(env: Mapping[str, str] | None = None) -> str | None:
    """`SRS_PDF_VIEWER`: the command that opens a PDF at a page (`{file}`, `{page}`), if set."""
    env = os.environ if env is None else env
    return env.get("SRS_PDF_VIEWER") or None
