"""Every enforcement act becomes an ``enforcement`` ledger entry in the transaction of its
rows (Art. 27: what officials do in supervision is on the tamper-evident record).

Entries carry ids, numbers, dates, amounts and hashes: a case's text facts enter as the
SHA-256 of their canonical JSON, a document as the SHA-256 of its PDF, so a later edit
of either no longer matches the log.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from typing import Any, Final

from sqlalchemy.orm import Session

from psvis.ledger import entries
from psvis.ledger import service as ledger


class Act(enum.StrEnum):
    CASE_OPENED = "case.opened"
    ORDER_ISSUED = "order.issued"
    RECHECK_RECORDED = "recheck.recorded"
    PENALTY_DECIDED = "penalty.decided"
    DOCUMENT_ISSUED = "document.issued"
    CASE_CLOSED = "case.closed"
    #: Art. 21: an inspection recorded, a photo attached, a case opened on its failures.
    INSPECTION_RECORDED = "inspection.recorded"
    INSPECTION_PHOTO = "inspection.photo"
    INSPECTION_FOLLOWUP = "inspection.followup"
    #: Art. 21: the schedule stored a monthly report (both files' SHA-256).
    REPORT_STORED = "report.stored"
    #: Art. 7: a planned camera point added, with its duplicate-coverage result.
    POINT_PLANNED = "planning.point"
    #: Art. 17: a unit's document on file, a training, a suspicious-information report,
    #: the police's acknowledgement of it.
    DUTY_DOCUMENT = "duty.document"
    TRAINING_RECORDED = "duty.training"
    REPORT_FILED = "duty.report"
    REPORT_ACKNOWLEDGED = "duty.report_acknowledged"
    #: Art. 22: a unit commended, with the record it came from.
    COMMENDED = "commendation"


ALL_ACTS: Final = frozenset(Act)


def log(db: Session, act: Act, /, *, at: dt.datetime, **facts: Any) -> None:
    """Queue the entry of ``act`` in the caller's transaction."""
    ledger.record(db, entries.enforcement(act=str(act), at=at, **facts))


def digest(facts: dict[str, Any]) -> str:
    """SHA-256 of ``facts`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
