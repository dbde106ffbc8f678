"""API schemas of findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psvis.core.schemas import ReadModel


class FindingRead(ReadModel):
    id: int
    article: str
    article_zh: str
    penalty_article: str
    rule: str
    subject_type: str
    subject_id: int
    jurisdiction_code: str
    unit_id: int | None
    reason: str
    evidence: dict[str, Any]
    status: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None


class CheckSummaryRead(ReadModel):
    opened: int
    reopened: int
    still_open: int
    resolved: int
    open_total: int
