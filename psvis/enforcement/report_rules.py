"""The monthly supervision report's calendar, as pure functions (no database, no clock).

The police supervise the systems day to day (Art. 21); the monthly report is the
bureau's summary of that supervision per jurisdiction. Its month is a China civil month
(the calendar of the bureau's documents) turned into a half-open UTC window
``[first day 00:00 CST, first day of next month 00:00 CST)``. A month can be reported
once it has begun (the current month "to date", ending at ``now``); months before the
regulation came into force (Art. 28, 2016-10-01) have nothing to report under it.

    window = month_window(dt.date(2026, 3, 1))   # [2026-02-28T16:00Z, 2026-03-31T16:00Z)
    due = previous_month(dt.date(2026, 4, 1))    # 2026-03-01: what the schedule makes on the 1st
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from psvis.compliance.rules import Decision
from psvis.core.timeutil import CHINA_TZ

#: Art. 28: the regulation is in force from 2016-10-01; its first reportable month.
FIRST_MONTH: Final = dt.date(2016, 10, 1)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only (\d takes any script)


def parse_month(text: str) -> dt.date:
    """``"2026-03"`` → the month's first day; ValueError for anything else."""
    match = _MONTH.fullmatch(text)
    if match is None:
        raise ValueError(f"month must be YYYY-MM, not {text[:20]!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"no such month: {text}")
    return dt.date(year, month, 1)


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(today: dt.date) -> dt.date:
    """The month before the one ``today`` is in (the schedule reports it on the 1st)."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_window(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The China civil month as a half-open UTC interval ``[start, end)``."""
    start = dt.datetime.combine(month.replace(day=1), dt.time(), CHINA_TZ)
    end = dt.datetime.combine(next_month(month), dt.time(), CHINA_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def may_report(month: dt.date, *, today: dt.date) -> Decision:
    """Whether ``month`` (its first day) can be reported on ``today`` (China date)."""
    if month.day != 1:
        raise ValueError("a month is named by its first day")
    if month > today:
        return Decision(
            ok=False,
            rule="report_month_in_future",
            article="Art. 21",
            article_zh="第二十一条",
            reason=f"{month_label(month)} has not begun: nothing has been supervised yet",
        )
    if month < FIRST_MONTH:
        return Decision(
            ok=False,
            rule="report_before_in_force",
            article="Art. 28",
            article_zh="第二十八条",
            reason=f"the regulation is in force from 2016-10-01; {month_label(month)} is before",
        )
    return Decision(
        ok=True, rule="report_month", article="Art. 21", article_zh="第二十一条", reason=""
    )


def is_complete(month: dt.date, *, today: dt.date) -> bool:
    """A month is complete (its report final) once ``today`` is past it."""
    return next_month(month) <= today
