"""Art. 17(1)(2)(5) decisions at their boundaries: a duty log's period, a training's last
day (inclusive), a report's own camera and half-open range (≤ 24 h, passed), one
acknowledgement."""

from __future__ import annotations

import datetime as dt

import pytest

from psvis.enforcement import duty_rules as r
from psvis.enforcement.duty_rules import DocumentKind

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kind", "start", "end", "rule"),
    [
        (DocumentKind.DUTY_LOG, dt.date(2026, 3, 1), TODAY, "duty_document_ok"),
        (DocumentKind.DUTY_LOG, TODAY, TODAY, "duty_document_ok"),
        (DocumentKind.DUTY_LOG, None, TODAY, "duty_log_period_required"),
        (DocumentKind.DUTY_LOG, dt.date(2026, 3, 5), dt.date(2026, 3, 4), "duty_log_period_order"),
        (DocumentKind.DUTY_LOG, TODAY, dt.date(2026, 3, 11), "duty_log_period_future"),
        (DocumentKind.DUTY_RULES, None, None, "duty_document_ok"),
        (DocumentKind.OM_RULES, TODAY, TODAY, "duty_rules_no_period"),
    ],
)
def test_duty_log_period(
    kind: DocumentKind, start: dt.date | None, end: dt.date | None, rule: str
) -> None:
    decision = r.duty_log_period(kind, start, end, today=TODAY)
    assert (decision.rule, decision.ok) == (rule, rule == "duty_document_ok")
    assert decision.article == "Art. 17(1)"


def test_training_counts_through_its_last_day() -> None:
    assert r.training_current(TODAY, today=TODAY).ok
    expired = r.training_current(TODAY - dt.timedelta(days=1), today=TODAY)
    assert (expired.ok, expired.rule, expired.article) == (False, "training_expired", "Art. 17(2)")
    assert r.training_record(TODAY, TODAY + dt.timedelta(days=1), today=TODAY).ok
    assert (
        r.training_record(
            TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=9), today=TODAY
        ).rule
        == "training_in_future"
    )
    assert r.training_record(TODAY, TODAY, today=TODAY).rule == "training_expiry_order"


def test_report_range_and_camera() -> None:
    hour = dt.timedelta(hours=1)
    ok = r.report_allowed(camera_is_own=True, start=NOW - hour, end=NOW, now=NOW)
    assert (ok.ok, ok.article) == (True, "Art. 17(5)")
    day = r.report_allowed(camera_is_own=True, start=NOW - 24 * hour, end=NOW, now=NOW)
    assert day.ok  # exactly 24 hours is allowed
    cases = [
        (False, NOW - hour, NOW, "report_camera_not_own"),
        (True, NOW, NOW, "report_range_empty"),
        (True, NOW, NOW - hour, "report_range_empty"),
        (True, NOW - hour, NOW + dt.timedelta(seconds=1), "report_range_future"),
        (True, NOW - 24 * hour - dt.timedelta(seconds=1), NOW, "report_range_too_long"),
    ]
    for own, start, end, rule in cases:
        decision = r.report_allowed(camera_is_own=own, start=start, end=end, now=NOW)
        assert (decision.ok, decision.rule) == (False, rule)


def test_acknowledged_once() -> None:
    assert r.acknowledge_allowed(acknowledged=False).ok
    again = r.acknowledge_allowed(acknowledged=True)
    assert (again.ok, again.rule) == (False, "report_already_acknowledged")
