"""Art. 17(4) for recordings: retention, expiry boundaries, holds, capacity forecast."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.compliance.rules import Decision
from psvis.recording import rules

T0 = dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC)
END = T0 + dt.timedelta(minutes=1)
DAY = 86_400
S = dt.timedelta(seconds=1)


def expire(
    *,
    now: dt.datetime,
    retention_days: int = 30,
    holds: list[tuple[dt.datetime, dt.datetime]] | None = None,
) -> Decision:
    return rules.may_expire(
        start_at=T0, end_at=END, retention_days=retention_days, now=now, holds=holds or []
    )


# --- retention_days_for -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("camera", "system", "expected", "basis"),
    [
        (None, 30, 30, "system"),
        (None, 31, 31, "system"),
        (None, 60, 60, "system"),
        (45, 30, 45, "camera"),
        (30, 60, 30, "camera"),
        (None, 29, 30, "minimum"),
        (29, 60, 30, "minimum"),
        (31, 29, 31, "camera"),
    ],
)
def test_retention_days_for(camera: int | None, system: int, expected: int, basis: str) -> None:
    assert rules.retention_days_for(camera_days=camera, system_days=system) == expected
    assert rules.retention_basis(camera_days=camera, system_days=system) == basis


# --- may_expire: the instant ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "age", "ok"),
    [
        (30, dt.timedelta(days=30) - S, False),
        (30, dt.timedelta(days=30), True),
        (30, dt.timedelta(days=30) + S, True),
        (30, dt.timedelta(days=29, hours=23, minutes=59, seconds=59), False),
        (31, dt.timedelta(days=31) - S, False),
        (31, dt.timedelta(days=31), True),
        (45, dt.timedelta(days=44), False),
        (45, dt.timedelta(days=45), True),
        # A retention below the statutory minimum is never applied: 30 days still hold.
        (29, dt.timedelta(days=29), False),
        (29, dt.timedelta(days=30) - S, False),
        (29, dt.timedelta(days=30), True),
        (0, dt.timedelta(days=1), False),
    ],
)
def test_expiry_boundary(days: int, age: dt.timedelta, ok: bool) -> None:
    decision = expire(now=END + age, retention_days=days)
    assert decision.ok is ok
    assert decision.rule == "art17_4_retention_window"
    assert decision.article == "Art. 17(4)"
    assert decision.article_zh == "第十七条第（四）项"
    assert decision.evidence["retention_days"] == max(30, days)


def test_refusal_says_until_when() -> None:
    decision = expire(now=END + dt.timedelta(days=30) - S)
    assert not decision.ok
    until = (END + dt.timedelta(days=30)).isoformat()
    assert until in decision.reason
    assert "30" in decision.reason
    assert decision.evidence["expires_at"] == until


def test_window_measured_from_end_not_start() -> None:
    # A long segment: its end, not its start, starts the window.
    decision = rules.may_expire(
        start_at=T0,
        end_at=T0 + dt.timedelta(hours=1),
        retention_days=30,
        now=T0 + dt.timedelta(days=30, minutes=59),
        holds=[],
    )
    assert not decision.ok


# --- may_expire: legal holds (half-open) ---------------------------------------------------

PAST = END + dt.timedelta(days=90)


@pytest.mark.parametrize(
    ("hold", "held"),
    [
        ((T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1)), True),  # covers it
        ((T0 + dt.timedelta(seconds=10), T0 + dt.timedelta(seconds=20)), True),  # inside
        ((T0 - dt.timedelta(hours=1), T0 + S), True),  # ends one second in
        ((END - S, END + dt.timedelta(hours=1)), True),  # starts one second before end
        ((T0 - dt.timedelta(hours=1), T0), False),  # ends exactly at the segment start
        ((END, END + dt.timedelta(hours=1)), False),  # starts exactly at the segment end
        ((END + S, END + dt.timedelta(hours=1)), False),  # after
        ((T0 - dt.timedelta(days=2), T0 - dt.timedelta(days=1)), False),  # before
    ],
)
def test_hold_overlap_is_half_open(hold: tuple[dt.datetime, dt.datetime], held: bool) -> None:
    decision = expire(now=PAST, holds=[hold])
    assert decision.ok is not held
    if held:
        assert "legal hold" in decision.reason
        assert decision.evidence["holds"] == [[hold[0].isoformat(), hold[1].isoformat()]]


def test_one_overlapping_hold_among_many_holds_it() -> None:
    holds = [
        (T0 - dt.timedelta(days=3), T0 - dt.timedelta(days=2)),
        (END, END + dt.timedelta(days=1)),
        (T0 + dt.timedelta(seconds=30), T0 + dt.timedelta(seconds=31)),
    ]
    decision = expire(now=PAST, holds=holds)
    assert not decision.ok
    assert len(decision.evidence["holds"]) == 1


def test_in_retention_refusal_comes_before_holds() -> None:
    decision = expire(now=END + dt.timedelta(days=1), holds=[(T0, END)])
    assert not decision.ok
    assert "retention window" in decision.reason


# --- capacity ------------------------------------------------------------------------------

RATE = 1000.0  # bytes per second: 86.4 MB a day
PER_DAY = int(RATE * DAY)


def capacity(
    *,
    free: int,
    reserve: int = 0,
    rates: dict[int, float] | None = None,
    retention: dict[int, int] | None = None,
    stored: dict[int, int] | None = None,
    horizon: float = 7,
) -> Decision:
    return rules.capacity_sufficient(
        free_bytes=free,
        reserve_bytes=reserve,
        bytes_per_second_by_camera={1: RATE} if rates is None else rates,
        retention_days_by_camera={1: 30} if retention is None else retention,
        stored_bytes_by_camera=stored or {},
        horizon_days=horizon,
    )


def test_capacity_window_fits() -> None:
    decision = capacity(free=30 * PER_DAY)
    assert decision.ok
    assert decision.evidence["days_until_window_lost"] is None
    assert decision.rule == "art17_4_capacity_forecast"
    assert decision.article == "Art. 17(4)"


def test_capacity_one_byte_short_but_far_away_is_not_yet_a_finding() -> None:
    decision = capacity(free=30 * PER_DAY - 1)
    assert decision.ok
    assert decision.evidence["days_until_window_lost"] == pytest.approx(30, abs=0.001)


@pytest.mark.parametrize(
    ("free", "ok"),
    [
        (7 * PER_DAY - 1, False),
        (7 * PER_DAY, False),  # lost exactly at the horizon: raise it now
        (7 * PER_DAY + 1, True),
        (8 * PER_DAY, True),
        (0, False),
    ],
)
def test_capacity_horizon_boundary(free: int, ok: bool) -> None:
    decision = capacity(free=free)
    assert decision.ok is ok
    if not ok:
        assert decision.penalty_article == "Art. 25(4)"


def test_capacity_reserve_is_not_usable() -> None:
    assert capacity(free=8 * PER_DAY, reserve=0).ok
    decision = capacity(free=8 * PER_DAY, reserve=PER_DAY + 1)
    assert not decision.ok
    assert decision.evidence["available_bytes"] == 7 * PER_DAY - 1
    assert decision.evidence["days_until_window_lost"] == pytest.approx(7, abs=0.001)


def test_capacity_below_reserve_is_a_finding_even_with_full_windows() -> None:
    decision = capacity(free=10, reserve=100, stored={1: 30 * PER_DAY})
    assert not decision.ok
    assert "reserve" in decision.reason
    assert decision.evidence["days_until_window_lost"] == 0
    # At exactly the reserve with every window full, the sweeper keeps pace.
    assert capacity(free=100, reserve=100, stored={1: 30 * PER_DAY}).ok


def test_capacity_counts_what_is_already_stored() -> None:
    # 25 of 30 days stored: 5 days still to add; 4 days of room is lost in 4 days.
    decision = capacity(free=4 * PER_DAY, stored={1: 25 * PER_DAY})
    assert not decision.ok
    assert decision.evidence["bytes_still_needed"] == 5 * PER_DAY
    assert decision.evidence["days_until_window_lost"] == pytest.approx(4, abs=0.001)
    assert capacity(free=5 * PER_DAY, stored={1: 25 * PER_DAY}).ok


def test_capacity_uses_each_cameras_retention() -> None:
    rates = {1: RATE, 2: RATE}
    # Camera 2 keeps 60 days: 90 camera-days in all, 10 days of room for 2 cameras → 5 days.
    decision = capacity(free=10 * PER_DAY, rates=rates, retention={1: 30, 2: 60})
    assert not decision.ok
    assert decision.evidence["window_bytes"] == 90 * PER_DAY
    assert decision.evidence["days_until_window_lost"] == pytest.approx(5, abs=0.001)
    assert decision.evidence["cameras"] == 2


def test_capacity_piecewise_growth_stops_when_a_window_is_full() -> None:
    # Camera 1 needs 2 more days, camera 2 needs 30: both grow until day 2, then only
    # camera 2. Room: 2+2 days by day 2, then 6 more days of camera 2 → lost on day 8.
    decision = capacity(
        free=10 * PER_DAY,
        rates={1: RATE, 2: RATE},
        retention={1: 30, 2: 30},
        stored={1: 28 * PER_DAY},
        horizon=8,
    )
    assert not decision.ok
    assert decision.evidence["days_until_window_lost"] == pytest.approx(8, abs=0.001)
    assert capacity(
        free=10 * PER_DAY,
        rates={1: RATE, 2: RATE},
        retention={1: 30, 2: 30},
        stored={1: 28 * PER_DAY},
        horizon=7.99,
    ).ok


def test_capacity_retention_below_minimum_counts_as_30_days() -> None:
    decision = capacity(free=29 * PER_DAY, retention={1: 7}, horizon=29)
    assert not decision.ok


def test_capacity_idle_cameras_need_nothing() -> None:
    assert capacity(free=0, reserve=0, rates={1: 0.0}).ok
    assert capacity(free=0, reserve=0, rates={}).ok
