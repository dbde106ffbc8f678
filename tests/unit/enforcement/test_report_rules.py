"""The monthly report's calendar at its boundaries: China civil months as half-open UTC
windows, the month the schedule reports, which months may be reported (Art. 21, 28)."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.enforcement import report_rules as rr


def test_month_window_is_the_china_month_half_open() -> None:
    start, end = rr.month_window(dt.date(2026, 3, 1))
    assert start == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)  # 03-01 00:00 CST
    assert end == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)  # 04-01 00:00 CST
    # December → January of the next year; consecutive windows meet without a gap.
    dec = rr.month_window(dt.date(2025, 12, 1))
    jan = rr.month_window(dt.date(2026, 1, 1))
    assert dec[1] == jan[0] == dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 3, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 2, 1)),
        (dt.date(2026, 1, 1), dt.date(2025, 12, 1)),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 1)),
    ],
)
def test_previous_month(today: dt.date, expected: dt.date) -> None:
    assert rr.previous_month(today) == expected


@pytest.mark.parametrize(
    "text", ["2026-3", "2026-13", "2026-00", "26-03", "2026-03-01", "", "２０２６-03", "2026-03\n"]
)
def test_parse_month_refuses_anything_but_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="month"):
        rr.parse_month(text)


def test_parse_month_and_label_round_trip() -> None:
    for text in ("2016-10", "2026-01", "2026-12"):
        assert rr.month_label(rr.parse_month(text)) == text


def test_may_report_at_the_boundaries() -> None:
    today = dt.date(2026, 3, 1)
    assert rr.may_report(dt.date(2026, 3, 1), today=today).ok  # the current month, to date
    future = rr.may_report(dt.date(2026, 4, 1), today=dt.date(2026, 3, 31))
    assert (future.ok, future.rule, future.article) == (False, "report_month_in_future", "Art. 21")
    assert rr.may_report(dt.date(2016, 10, 1), today=today).ok  # in force 2016-10-01
    before = rr.may_report(dt.date(2016, 9, 1), today=today)
    assert (before.ok, before.rule, before.article) == (False, "report_before_in_force", "Art. 28")
    with pytest.raises(ValueError, match="first day"):
        rr.may_report(dt.date(2026, 3, 2), today=today)


def test_is_complete_once_the_month_is_over() -> None:
    march = dt.date(2026, 3, 1)
    assert not rr.is_complete(march, today=dt.date(2026, 3, 31))
    assert rr.is_complete(march, today=dt.date(2026, 4, 1))
