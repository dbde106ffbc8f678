"""Art. 17(4) for the recordings themselves, as pure functions of facts.

* :func:`retention_days_for` — a camera's retention: ``max(30, camera or system)`` days.
* :func:`may_expire` — the only gate in front of the sweeper's ``unlink`` (invariant S7):
  a segment may be deleted only once ``end_at + retention`` has arrived and while it
  overlaps no unreleased legal hold.
* :func:`capacity_sufficient` — the storage forecast: a finding days before a root can no
  longer hold its cameras' retention windows (nothing in retention is ever deleted to make
  room, S7/S10, so running out of space means recording stops).

No database, no clock: ``now`` is passed in. Intervals are half-open ``[start, end)``
(docs/design/time.md). Each function returns a :class:`~psvis.compliance.rules.Decision`
naming Art. 17(4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from psvis.compliance.constants import MIN_RETENTION_DAYS
from psvis.compliance.rules import Decision

ARTICLE = "Art. 17(4)"
ARTICLE_ZH = "第十七条第（四）项"
PENALTY_ARTICLE = "Art. 25(4)"

#: Rule of :func:`may_expire` (a refusal rule: the sweeper does not delete when not ok).
RETENTION_WINDOW_RULE = "art17_4_retention_window"
#: Rule of :func:`capacity_sufficient` (a finding rule, subject type ``storage``).
CAPACITY_RULE = "art17_4_capacity_forecast"
#: How far ahead the capacity forecast warns, by default.
DEFAULT_HORIZON_DAYS = 7

SECONDS_PER_DAY = 86_400


def _decision(
    ok: bool, *, rule: str, reason: str, evidence: dict[str, Any] | None = None
) -> Decision:
    return Decision(
        ok=ok,
        rule=rule,
        article=ARTICLE,
        article_zh=ARTICLE_ZH,
        reason=reason,
        penalty_article=PENALTY_ARTICLE,
        evidence=evidence or {},
    )


# --- retention -----------------------------------------------------------------------------


def retention_days_for(*, camera_days: int | None, system_days: int) -> int:
    """A camera's retention in days: its own override, else its system's, never below 30."""
    return max(MIN_RETENTION_DAYS, camera_days or system_days)


def retention_basis(*, camera_days: int | None, system_days: int) -> str:
    """Where :func:`retention_days_for` took its number from: ``camera``, ``system`` or
    ``minimum`` (the statutory 30 days, when both are lower — which the schema forbids)."""
    chosen = camera_days or system_days
    if chosen < MIN_RETENTION_DAYS:
        return "minimum"
    return "camera" if camera_days else "system"


def expires_at(*, end_at: dt.datetime, retention_days: int) -> dt.datetime:
    """The first instant a segment ending at ``end_at`` may be deleted."""
    return end_at + dt.timedelta(days=max(MIN_RETENTION_DAYS, retention_days))


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    """Whether half-open ``[a_start, a_end)`` and ``[b_start, b_end)`` share an instant."""
    return a_start < b_end and b_start < a_end


def may_expire(
    *,
    start_at: dt.datetime,
    end_at: dt.datetime,
    retention_days: int,
    now: dt.datetime,
    holds: Sequence[tuple[dt.datetime, dt.datetime]],
) -> Decision:
    """Art. 17(4), invariant S7: may the segment ``[start_at, end_at)`` be deleted now?

    Only when ``end_at + retention`` (never less than 30 days) is at or before ``now``
    and the segment overlaps none of ``holds`` (the camera's *unreleased* legal holds,
    half-open; a hold ending exactly at ``start_at`` does not hold it)."""
    days = max(MIN_RETENTION_DAYS, retention_days)
    until = expires_at(end_at=end_at, retention_days=days)
    evidence: dict[str, Any] = {
        "start_at": start_at.isoformat(),
        "end_at": end_at.isoformat(),
        "retention_days": days,
        "expires_at": until.isoformat(),
        "now": now.isoformat(),
    }
    if until > now:
        return _decision(
            False,
            rule=RETENTION_WINDOW_RULE,
            reason=(
                f"in its {days}-day retention window until {until.isoformat()}; footage is "
                f"kept at least {MIN_RETENTION_DAYS} days"
            ),
            evidence=evidence,
        )
    holding = [(s, e) for s, e in holds if overlaps(start_at, end_at, s, e)]
    if holding:
        evidence["holds"] = [[s.isoformat(), e.isoformat()] for s, e in holding]
        first_start, first_end = holding[0]
        return _decision(
            False,
            rule=RETENTION_WINDOW_RULE,
            reason=(
                f"under legal hold [{first_start.isoformat()}, {first_end.isoformat()}) "
                f"({len(holding)} unreleased hold(s) overlap the segment)"
            ),
            evidence=evidence,
        )
    return _decision(
        True,
        rule=RETENTION_WINDOW_RULE,
        reason=f"{days}-day retention window passed at {until.isoformat()}; no legal hold",
        evidence=evidence,
    )


# --- capacity ------------------------------------------------------------------------------


def _growth_and_deficit(
    bytes_per_second_by_camera: Mapping[int, float],
    retention_days_by_camera: Mapping[int, int],
    stored_bytes_by_camera: Mapping[int, int],
) -> list[tuple[float, float]]:
    """Per recording camera: (bytes added per day, bytes still to add until its window
    is full). Once full, the sweeper frees as much as is recorded: no further growth."""
    out = []
    for camera_id, rate in bytes_per_second_by_camera.items():
        if rate <= 0:
            continue
        days = max(MIN_RETENTION_DAYS, retention_days_by_camera.get(camera_id, 0))
        per_day = rate * SECONDS_PER_DAY
        deficit = max(0.0, per_day * days - stored_bytes_by_camera.get(camera_id, 0))
        if deficit > 0:
            out.append((per_day, deficit))
    return out


def days_until_window_lost(
    *,
    available_bytes: float,
    bytes_per_second_by_camera: Mapping[int, float],
    retention_days_by_camera: Mapping[int, int],
    stored_bytes_by_camera: Mapping[int, int],
) -> float | None:
    """Days from now until the space above the reserve is used up while the cameras'
    windows fill, or None if every window fits. Each camera grows linearly until its
    window is full, then stays flat; the total is piecewise linear and is walked
    breakpoint by breakpoint."""
    cameras = _growth_and_deficit(
        bytes_per_second_by_camera, retention_days_by_camera, stored_bytes_by_camera
    )
    if sum(d for _, d in cameras) <= available_bytes:
        return None
    if available_bytes <= 0:
        return 0.0
    growth = sum(g for g, _ in cameras)
    used = 0.0
    t = 0.0
    for per_day, deficit in sorted(cameras, key=lambda c: c[1] / c[0]):
        full_at = deficit / per_day
        used_then = used + growth * (full_at - t)
        if used_then >= available_bytes:
            return t + (available_bytes - used) / growth
        used, t = used_then, full_at
        growth -= per_day
    return t  # unreachable: the total deficit exceeds what is available


def capacity_sufficient(
    *,
    free_bytes: int,
    reserve_bytes: int,
    bytes_per_second_by_camera: Mapping[int, float],
    retention_days_by_camera: Mapping[int, int],
    stored_bytes_by_camera: Mapping[int, int],
    horizon_days: float = DEFAULT_HORIZON_DAYS,
) -> Decision:
    """Art. 17(4) forecast for one storage root: can it hold every camera's retention
    window for at least ``horizon_days`` more days?

    Each camera needs ``bytes/s × 86,400 × retention`` bytes; what it has stored counts
    towards that. New footage may use only the space above ``reserve_bytes``. Not ok when
    that space is used up within the horizon (exactly at the horizon included): the
    finding comes days before recording would stop for lack of room."""
    available = free_bytes - reserve_bytes
    cameras = _growth_and_deficit(
        bytes_per_second_by_camera, retention_days_by_camera, stored_bytes_by_camera
    )
    shortfall = sum(d for _, d in cameras)
    added_within_horizon = sum(min(g * horizon_days, d) for g, d in cameras)
    lost_in = days_until_window_lost(
        available_bytes=available,
        bytes_per_second_by_camera=bytes_per_second_by_camera,
        retention_days_by_camera=retention_days_by_camera,
        stored_bytes_by_camera=stored_bytes_by_camera,
    )
    window_bytes = sum(
        rate * SECONDS_PER_DAY * max(MIN_RETENTION_DAYS, retention_days_by_camera.get(cid, 0))
        for cid, rate in bytes_per_second_by_camera.items()
        if rate > 0
    )
    evidence: dict[str, Any] = {
        "free_bytes": free_bytes,
        "reserve_bytes": reserve_bytes,
        "available_bytes": available,
        "bytes_per_day": round(
            sum(r for r in bytes_per_second_by_camera.values() if r > 0) * SECONDS_PER_DAY
        ),
        "window_bytes": round(window_bytes),
        "stored_bytes": sum(stored_bytes_by_camera.values()),
        "bytes_still_needed": round(shortfall),
        "cameras": sum(1 for r in bytes_per_second_by_camera.values() if r > 0),
        "horizon_days": horizon_days,
        "days_until_window_lost": None if lost_in is None else round(lost_in, 3),
    }
    ok = not (shortfall > available and added_within_horizon >= available)
    if ok:
        return _decision(
            True,
            rule=CAPACITY_RULE,
            reason="the retention windows fit"
            if lost_in is None
            else f"the retention windows can be held for {lost_in:.1f} more days",
            evidence=evidence,
        )
    if available <= 0:
        reason = (
            f"free space ({free_bytes} bytes) is at or below the reserve ({reserve_bytes} "
            "bytes): recording stops and the retention window cannot be held"
        )
    else:
        reason = (
            f"at the measured rate the {available} bytes above the reserve run out in "
            f"{lost_in:.1f} days; the retention windows need {round(shortfall)} more bytes"
        )
    return _decision(False, rule=CAPACITY_RULE, reason=reason, evidence=evidence)
