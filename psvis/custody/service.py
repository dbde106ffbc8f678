"""What other domains and the routes call: the custody services in one place.

Keyword-only; each takes the database session and the caller, and queues the ledger
entry of every act in the caller's transaction (the caller commits). Errors name their
article: :class:`~psvis.core.errors.Forbidden` for who may (Art. 18, 19),
:class:`~psvis.core.errors.Refused` for the conditions of a session (Art. 19),
:class:`~psvis.core.errors.InvalidInput`, ``NotFound``, ``Conflict`` as elsewhere.

    request = create_request(db, principal=officer, data=RequestCreate(...))
    approve(db, principal=chief, request_id=request.id, document_number="东公(刑)批字[2026]12号",
            scan=pdf_bytes, data_dir=settings.data_dir)
    run = open_session(db, principal=officer, request_id=request.id, officer_b_username="li",
                       officer_b_password=..., officer_b_totp="492039", box=box,
                       lockout_threshold=5, lockout_minutes=15)
    grant = authorize_access(db, principal=officer, session_id=run.id, camera_id=7,
                             action=Action.PLAYBACK, start=t0, end=t1)
    record_access(db, principal=officer, session_id=run.id, kind=AccessKind.VIEW,
                  segments=[(segment.id, segment.camera_id)])
    close_session(db, principal=officer, session_id=run.id)
"""

from __future__ import annotations

from psvis.custody.enrol import confirm_totp, enroll_totp
from psvis.custody.gate import Grant, approved_intervals, authorize_access, record_access
from psvis.custody.requests import (
    approval_of,
    approve,
    close_request,
    create_request,
    expire_due,
    get_request,
    list_requests,
    reject,
    release_hold,
    scopes_of,
    sessions_of,
    state_at,
    unreleased_holds,
)
from psvis.custody.sessions import (
    accesses_of,
    close_session,
    get_session,
    list_registrations,
    open_session,
)

__all__ = [
    "Grant",
    "accesses_of",
    "approval_of",
    "approve",
    "approved_intervals",
    "authorize_access",
    "close_request",
    "close_session",
    "confirm_totp",
    "create_request",
    "enroll_totp",
    "expire_due",
    "get_request",
    "get_session",
    "list_registrations",
    "list_requests",
    "open_session",
    "record_access",
    "reject",
    "release_hold",
    "scopes_of",
    "sessions_of",
    "state_at",
    "unreleased_holds",
]
