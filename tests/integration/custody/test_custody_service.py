"""Custody services below the API: expiry sweeps, closing a request with its sessions,
the console binding, and the registration's copied facts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.custody import binding, service
from psvis.custody.enums import RequestState
from psvis.custody.models import ExecutionSession, Registration, RetrievalRequest
from psvis.ledger import entries
from psvis.ledger.models import LedgerEntry
from tests.support import custody
from tests.support.factories import Registry

T0 = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)


def acts(db: Session) -> list[str]:
    rows = db.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.type == str(entries.EntryType.CUSTODY))
        .order_by(LedgerEntry.id)
    )
    return [str(entries.decode(bytes(r))["act"]) for r in rows]


def test_expiry_sweep_marks_requests_and_closes_their_sessions(
    registry: Registry, db: Session, settings: Settings
) -> None:
    unit, _s, _y, camera = registry.covered_site()
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", work_id="1001")
    db.commit()
    run = custody.grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=T0,
        end=T0 + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
    )
    assert service.expire_due(db) == 0  # still valid
    now = utcnow()
    db.execute(
        update(RetrievalRequest)
        .where(RetrievalRequest.id == run.request_id)
        .values(valid_from=now - dt.timedelta(days=2), valid_until=now - dt.timedelta(days=1))
    )
    db.commit()
    assert service.expire_due(db, now=now) == 1
    db.commit()
    request = db.get(RetrievalRequest, run.request_id)
    assert request is not None
    assert request.state is RequestState.EXPIRED
    row = db.get(ExecutionSession, run.session_id)
    assert row is not None
    assert row.closed_at == now
    (registration,) = db.scalars(select(Registration)).all()
    assert registration.closed_at == now
    assert registration.unit_id == unit.id
    assert acts(db)[-2:] == ["request.expired", "session.closed"]
    assert service.expire_due(db, now=now) == 0  # idempotent


def test_closing_a_request_closes_its_session_and_the_binding_ends(
    registry: Registry, db: Session, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site()
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", work_id="1001")
    db.commit()
    token = auth_service.issue_token(db, user=officer, kind="session", hours=1)
    db.commit()
    _user, token_row = auth_service.resolve_token(db, token=token.token, kind="session")
    run = custody.grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=T0,
        end=T0 + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
        console_token_id=token_row.id,
    )
    assert binding.bound_session(db, token_id=token_row.id) == run.session_id
    service.close_request(
        db, principal=auth_service.principal_for(db, user=officer), request_id=run.request_id
    )
    db.commit()
    assert binding.bound_session(db, token_id=token_row.id) is None
    assert acts(db)[-2:] == ["request.closed", "session.closed"]


def test_registration_copies_the_facts_per_unit(
    registry: Registry, db: Session, settings: Settings
) -> None:
    unit_a, _s, system_a, camera_a = registry.covered_site(jurisdiction="360102")
    second = registry.camera(system=system_a)
    unit_b, _s2, _y2, camera_b = registry.covered_site(jurisdiction="360102")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", work_id="1001")
    db.commit()
    run = custody.grant(
        registry,
        officer=officer,
        cameras=[camera_a.id, second.id, camera_b.id],
        start=T0,
        end=T0 + dt.timedelta(hours=1),
        data_dir=settings.data_dir,
    )
    rows = {r.unit_id: r for r in db.scalars(select(Registration))}
    assert set(rows) == {unit_a.id, unit_b.id}
    first = rows[unit_a.id]
    assert {s["camera_id"] for s in first.scopes} == {camera_a.id, second.id}
    assert first.request_number == run.number
    assert first.officer_a_work_id == "1001"
    assert first.officer_b_work_id.startswith("J")
    assert first.unit_name == unit_a.name
    assert (first.range_start, first.range_end) == (T0, T0 + dt.timedelta(hours=1))
    assert first.actions == ["copy", "view"]
    # Renaming a camera later does not rewrite the book.
    camera_a.name = "改名"
    db.commit()
    db.expire_all()
    again = db.get(Registration, first.id)
    assert again is not None
    assert "改名" not in {s["name"] for s in again.scopes}
