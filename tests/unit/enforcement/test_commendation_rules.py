"""Art. 22: a commendation goes to the unit its source record belongs to, not in the future."""

from __future__ import annotations

import datetime as dt

from psvis.enforcement.commendation_rules import may_commend

TODAY = dt.date(2026, 3, 10)


def test_the_source_must_be_the_units() -> None:
    assert may_commend(source_units={3, 4}, unit_id=4, awarded_on=TODAY, today=TODAY).ok
    other = may_commend(source_units={3}, unit_id=4, awarded_on=TODAY, today=TODAY)
    assert (other.ok, other.rule, other.article) == (
        False,
        "commendation_unit_not_source",
        "Art. 22",
    )
    assert other.evidence["source_units"] == [3]
    none = may_commend(source_units=set(), unit_id=4, awarded_on=TODAY, today=TODAY)
    assert none.rule == "commendation_unit_not_source"  # a case with no unit commends nobody


def test_not_in_the_future() -> None:
    tomorrow = may_commend(
        source_units={4}, unit_id=4, awarded_on=TODAY + dt.timedelta(days=1), today=TODAY
    )
    assert (tomorrow.ok, tomorrow.rule) == (False, "commendation_in_future")
    assert may_commend(
        source_units={4}, unit_id=4, awarded_on=TODAY - dt.timedelta(days=30), today=TODAY
    ).ok
