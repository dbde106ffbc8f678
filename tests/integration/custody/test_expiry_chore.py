"""The custody expiry chore runs inside the server: an approved request whose validity
ends is written down as expired (state, ledger entry, its open sessions closed) without
anyone reading it — reads already treat it as expired (``state_at``)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.api.app import create_app
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.periodic import Periodic
from psvis.core.timeutil import utcnow
from psvis.custody.enums import RequestState
from psvis.custody.models import ExecutionSession, RetrievalRequest
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from tests.support.custody import approve, open_session, request, second_officer
from tests.support.factories import Registry


def _expired_acts(db: Session) -> list[int]:
    rows = db.scalars(select(LedgerEntry.entry).where(LedgerEntry.type == "custody"))
    return [
        body["request"] for body in map(entries.decode, rows) if body["act"] == "request.expired"
    ]


def test_the_server_writes_down_expired_requests(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site(jurisdiction="360102")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
    db.commit()
    now = utcnow()
    request_id = request(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=now - dt.timedelta(hours=2),
        end=now - dt.timedelta(hours=1),
        valid_from=now - dt.timedelta(minutes=1),
        valid_until=now + dt.timedelta(seconds=4),
    )
    approve(registry, request_id=request_id, data_dir=settings.data_dir)
    officer_b, secret = second_officer(registry)
    session_id = open_session(
        registry, officer=officer, request_id=request_id, officer_b=officer_b, secret=secret
    )
    fast = settings.model_copy(update={"housekeeping_seconds": 1})
    with TestClient(create_app(fast)):
        deadline = time.monotonic() + 20
        state: RequestState | None = RequestState.APPROVED
        while time.monotonic() < deadline:
            db.expire_all()
            state = db.scalar(
                select(RetrievalRequest.state).where(RetrievalRequest.id == request_id)
            )
            if state is RequestState.EXPIRED:
                break
            time.sleep(0.25)
    assert state is RequestState.EXPIRED
    closed = db.scalar(select(ExecutionSession.closed_at).where(ExecutionSession.id == session_id))
    assert closed is not None
    assert _expired_acts(db) == [request_id]


def test_a_failing_chore_is_retried_not_raised(settings: Settings, db: Session) -> None:
    from psvis.core.db import make_engine, make_session_factory

    engine = make_engine(settings.resolved_database_url())
    sessions = make_session_factory(engine)
    calls: list[int] = []

    def flaky(_session: Session) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first tick fails")

    chore = Periodic(name="flaky", interval=0.05, sessions=sessions, chore=flaky)
    chore.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    chore.stop()
    engine.dispose()  # no connection left for the garbage collector to find open
    assert len(calls) >= 3  # the failure did not end the thread
    with pytest.raises(ValueError, match="positive"):
        Periodic(name="bad", interval=0, sessions=sessions, chore=flaky)
