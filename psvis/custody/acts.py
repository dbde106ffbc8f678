"""Every custody act becomes a ``custody`` ledger entry in the transaction of its rows
(Art. 20(3), 27): a request, an approval or rejection, a hold placed or released, a
session opened or closed, each view, copy and export.

Entries carry ids, times, work IDs and hashes — never footage, and no free text but a
release reason: a request's text facts (case number, purpose, legal basis, scope) enter
as the SHA-256 of their canonical JSON, so editing them in the database later no longer
matches the log.
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
    REQUEST_CREATED = "request.created"
    REQUEST_APPROVED = "request.approved"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_EXPIRED = "request.expired"
    REQUEST_CLOSED = "request.closed"
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    SESSION_OPENED = "session.opened"
    SESSION_CLOSED = "session.closed"
    ACCESS = "access"
    TOTP_ENROLLED = "totp.enrolled"
    #: An evidence package or viewing copy made in an execution session (Art. 19, 20(2)).
    EXPORT = "export"
    #: An export fetched again through its download route.
    EXPORT_DOWNLOADED = "export.downloaded"
    #: ``psvis export --camera`` by the installation's operator at the server console:
    #: outside any request, but never unlogged.
    OPERATOR_EXPORT = "operator_export"
    #: A government system networked for police use, or the networking revoked (Art. 14).
    SHARING_GRANTED = "sharing.granted"
    SHARING_REVOKED = "sharing.revoked"


ALL_ACTS: Final = frozenset(Act)


def log(db: Session, act: Act, /, *, at: dt.datetime, **facts: Any) -> None:
    """Queue the entry of ``act`` in the caller's transaction (``db`` is positional so a
    fact may be called ``session``)."""
    ledger.record(db, entries.custody(act=str(act), at=at, **facts))


def digest(facts: dict[str, Any]) -> str:
    """SHA-256 of ``facts`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
