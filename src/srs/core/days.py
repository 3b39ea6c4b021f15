"""The learner's study day: the local date in an explicit time zone, shifted by a rollover hour."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo


def study_day(now: datetime, tz: tzinfo, rollover_hour: int = 4) -> date:
    """The learner's day for the instant `now`: the local date in `tz`, shifted by `rollover_hour`.

    A review at 01:30 with the default rollover of 4 a.m. still counts for the previous day.
    Naive datetimes are refused, because their day is ambiguous.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive datetime {now.isoformat()}")
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be from 0 to 23, got {rollover_hour}")
    return (now.astimezone(tz) - timedelta(hours=rollover_hour)).date()
