"""Which execution session a media request goes through (a request dependency).

* API clients send ``X-Custody-Session: <id>`` with every footage request (playlist,
  segment, clip, snapshot).
* The console's ``<video>`` elements fetch with nothing but the session cookie, so an
  execution session opened from the console is *bound* to that sign-in
  (``ExecutionSession.console_token_id``): media requests carrying the cookie use the
  open session bound to it. Signing out (the token revoked or expired) ends the binding.

The header wins when both are present. A malformed header is a 422, never ignored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.api.deps import SESSION_COOKIE, DbSession
from psvis.auth import service as auth_service
from psvis.core.errors import InvalidInput, PsvisError
from psvis.custody.gate import HEADER
from psvis.custody.models import ExecutionSession

MAX_ID = 2_147_483_647


def parse_header(raw: str) -> int:
    value = raw.strip()
    if (
        not value.isascii()
        or not value.isdigit()
        or len(value) > 10
        or not 1 <= int(value) <= MAX_ID
    ):
        raise InvalidInput(f"{HEADER} must be an execution session id (a positive integer)")
    return int(value)


def bound_session(session: Session, *, token_id: int) -> int | None:
    """The open execution session bound to a console sign-in, if any."""
    return session.scalar(
        select(ExecutionSession.id)
        .where(ExecutionSession.console_token_id == token_id, ExecutionSession.closed_at.is_(None))
        .order_by(ExecutionSession.id.desc())
        .limit(1)
    )


def custody_session_ref(request: Request, session: DbSession) -> int | None:
    """The execution session a media request names (header, else console binding)."""
    raw = request.headers.get(HEADER)
    if raw is not None:
        return parse_header(raw)
    if request.headers.get("authorization"):
        return None  # API clients name their session explicitly
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        _user, row = auth_service.resolve_token(session, token=cookie, kind="session")
    except PsvisError:
        return None  # the principal dependency answers for a dead cookie
    return bound_session(session, token_id=row.id)


CustodyRef = Annotated[int | None, Depends(custody_session_ref)]


def console_token_id(request: Request, session: Session) -> int | None:
    """The AuthToken row id of the request's console sign-in (to bind a session to)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or request.headers.get("authorization"):
        return None
    try:
        _user, row = auth_service.resolve_token(session, token=cookie, kind="session")
    except PsvisError:
        return None
    return row.id
