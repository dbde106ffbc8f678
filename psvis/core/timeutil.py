"""Time helpers. Stored datetimes are timezone-aware UTC; dates are civil dates in China."""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def today_china() -> dt.date:
    """Today's civil date in China (UTC+8), the calendar the regulation's deadlines use."""
    return dt.datetime.now(CHINA_TZ).date()


def as_utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC for a datetime read back from a backend that drops the zone (SQLite)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
