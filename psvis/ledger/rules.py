"""Art. 20(3) for the archive, as pure functions of facts the audit gathers.

Art. 20(3) forbids deleting, altering, hiding or destroying original records; Art. 26(3)
punishes it. Art. 17(4) allows deleting footage only after at least 30 days. The audit
(``audit.py``) reads the ledger, the index and the disk; these functions decide.

No database, no clock. Each returns a :class:`~psvis.compliance.rules.Decision`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from psvis.compliance.constants import MIN_RETENTION_DAYS
from psvis.compliance.rules import Decision

ARTICLE = "Art. 20(3)"
ARTICLE_ZH = "第二十条第（三）项"
PENALTY_ARTICLE = "Art. 26(3)"


class Kind(StrEnum):
    """What an audit finding says happened to the archive."""

    #: A sealed, unexpired segment's file is gone.
    MISSING = "missing"
    #: A file differs from its sealed entry (size, or SHA-256 with --deep).
    ALTERED = "altered"
    #: A sealed file moved to another place in the storage.
    HIDDEN = "hidden"
    #: A file in the storage that no entry accounts for.
    INJECTED = "injected"
    #: A hole in a camera's sequence or timeline that no outage entry explains.
    UNEXPLAINED_GAP = "unexplained_gap"
    #: Expired before its retention window ended, under a hold, or on a false basis.
    PREMATURE_EXPIRY = "premature_expiry"
    #: An index row disagrees with its entry (altered, deleted, or without an entry).
    INDEX_MISMATCH = "index_mismatch"
    #: The stored log disagrees with a signed checkpoint (rewritten or rolled back).
    HISTORY_REWRITTEN = "history_rewritten"


KIND_ZH = {
    Kind.MISSING: "原始录像缺失（删除）",
    Kind.ALTERED: "原始录像被篡改",
    Kind.HIDDEN: "原始录像被隐匿（移动）",
    Kind.INJECTED: "存储中出现来历不明的文件",
    Kind.UNEXPLAINED_GAP: "录像中断无记录原因",
    Kind.PREMATURE_EXPIRY: "录像未满保存期限被删除",
    Kind.INDEX_MISMATCH: "索引与账本不一致",
    Kind.HISTORY_REWRITTEN: "账本历史被改写",
}


def rule_for(kind: Kind) -> str:
    """The compliance rule id an audit finding of ``kind`` is filed under."""
    return f"art20_3_{kind}"


def finding_decision(kind: Kind, *, reason: str, evidence: dict[str, Any]) -> Decision:
    """An audit finding as a failing decision under Art. 20(3) (penalty Art. 26(3))."""
    return Decision(
        ok=False,
        rule=rule_for(kind),
        article=ARTICLE,
        article_zh=ARTICLE_ZH,
        reason=reason[:500],
        penalty_article=PENALTY_ARTICLE,
        evidence=evidence,
    )


def expiry_lawful(
    *,
    sealed_end: dt.datetime,
    basis_end: dt.datetime,
    basis_days: int,
    claimed_at: dt.datetime,
    latest_at: dt.datetime | None,
    holds: Sequence[tuple[dt.datetime, dt.datetime, dt.datetime | None]],
    sealed_start: dt.datetime,
) -> Decision:
    """Was a segment's expiry lawful (Art. 17(4), 20(3))?

    ``claimed_at`` is the time the expiry entry states; ``latest_at`` the earliest
    signed time known to follow it (the first checkpoint, or witness cosignature, that
    includes the entry) — the expiry happened no later than that, whatever clock the
    sweeper was given. The window is ``max(30, basis_days)`` days after the segment's
    end (the basis may not name fewer than 30 days, nor another end time); no hold
    ``(start, end, released_at)`` overlapping the segment may have been unreleased then.
    """
    days = max(MIN_RETENTION_DAYS, basis_days)
    until = sealed_end + dt.timedelta(days=days)
    happened_by = min(claimed_at, latest_at) if latest_at is not None else claimed_at
    evidence: dict[str, Any] = {
        "segment_end": sealed_end.isoformat(),
        "retention_days": days,
        "window_ends": until.isoformat(),
        "expiry_claimed_at": claimed_at.isoformat(),
        "expiry_signed_by": latest_at.isoformat() if latest_at else None,
        "basis": {"end": basis_end.isoformat(), "retention_days": basis_days},
    }
    problems = []
    if basis_end != sealed_end:
        problems.append("the expiry names another end time than the sealed segment")
    if basis_days < MIN_RETENTION_DAYS:
        problems.append(
            f"the expiry's basis is {basis_days} days, the law requires {MIN_RETENTION_DAYS}"
        )
    if happened_by < until:
        problems.append(
            f"expired by {happened_by.isoformat()}, before its {days}-day window ended at "
            f"{until.isoformat()}"
        )
    if latest_at is not None and claimed_at > latest_at + dt.timedelta(minutes=5):
        problems.append("the expiry claims a time after the checkpoint that includes it")
    for start, end, released in holds:
        overlapping = start < sealed_end and sealed_start < end
        if overlapping and (released is None or released > happened_by):
            problems.append(f"under legal hold [{start.isoformat()}, {end.isoformat()})")
            break
    if problems:
        return finding_decision(
            Kind.PREMATURE_EXPIRY, reason="; ".join(problems), evidence=evidence
        )
    return Decision(
        ok=True,
        rule=rule_for(Kind.PREMATURE_EXPIRY),
        article=ARTICLE,
        article_zh=ARTICLE_ZH,
        reason=f"expired after its {days}-day window, under no hold",
        penalty_article=PENALTY_ARTICLE,
        evidence=evidence,
    )
