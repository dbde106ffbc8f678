"""`psvis audit` knows the custody register: requests, decisions, execution sessions,
registrations and export files against the ledger entries written with them (Art.
19(4), 20(2)). Each tamper below is caught as ``index_mismatch`` naming its table, and
nothing else is reported."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.custody.exports import EXPORT_DIR
from psvis.custody.models import Approval, ExecutionSession, Registration, RetrievalRequest
from psvis.ledger import service as ledger
from psvis.ledger.audit import run_audit
from psvis.ledger.keys import SigningKey
from tests.support.custody import grant, request
from tests.support.factories import Registry


def _sign(db: Session, settings: Settings) -> None:
    key = SigningKey.load_or_create(settings.data_dir)
    ledger.ensure_log(db, node_name="test-node", key=key)
    checkpoint = ledger.sign_checkpoint(db, key=key, data_dir=settings.data_dir, now=utcnow())
    db.commit()
    if checkpoint is not None:
        ledger.append_to_log(settings.data_dir, checkpoint)


def _found(db: Session, settings: Settings) -> list[tuple[str, str, object]]:
    db.expire_all()
    report = run_audit(db, roots={}, data_dir=settings.data_dir)
    return sorted(
        (f.kind, str(f.evidence.get("table")), f.evidence.get("record")) for f in report.findings
    )


def test_custody_register_against_the_ledger(
    db: Session, registry: Registry, settings: Settings
) -> None:
    _u, _s, _y, camera = registry.covered_site(jurisdiction="360102")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
    db.commit()
    now = utcnow()
    run = grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=now - dt.timedelta(hours=1),
        end=now,
        data_dir=settings.data_dir,
    )
    _sign(db, settings)
    assert _found(db, settings) == []

    # Another chief's name on the approval afterwards.
    other_chief = registry.user(role=Role.CHIEF, jurisdiction="360100")
    db.commit()
    db.execute(
        update(Approval)
        .where(Approval.request_id == run.request_id)
        .values(chief_id=other_chief.id)
    )
    db.commit()
    assert _found(db, settings) == [("index_mismatch", "custody_approval", run.request_id)]

    # Swap the second officer of the session.
    stranger = registry.user(role=Role.OFFICER, jurisdiction="360102")
    db.commit()
    db.execute(
        update(ExecutionSession)
        .where(ExecutionSession.id == run.session_id)
        .values(officer_b_id=stranger.id)
    )
    db.commit()
    found = _found(db, settings)
    assert ("index_mismatch", "custody_session", run.session_id) in found

    # A registration deleted: the book no longer shows the visit.
    registration = db.scalars(
        select(Registration).where(Registration.session_id == run.session_id)
    ).first()
    assert registration is not None
    reg_id = registration.id
    db.delete(registration)
    db.commit()
    assert ("index_mismatch", "custody_registration", reg_id) in _found(db, settings)

    # A request row written behind the services' back (no ledger entry): a new request
    # whose entry is then removed from the queue before it is integrated.
    from psvis.ledger.models import LedgerEntry

    sneaky = request(
        registry, officer=officer, cameras=[camera.id], start=now - dt.timedelta(hours=1), end=now
    )
    queued = db.scalars(select(LedgerEntry).where(LedgerEntry.leaf_index.is_(None))).all()
    for row in queued:
        db.delete(row)
    db.commit()
    assert ("index_mismatch", "custody_request", sneaky) in _found(db, settings)

    # The requester changed on a logged request.
    db.execute(
        update(RetrievalRequest)
        .where(RetrievalRequest.id == run.request_id)
        .values(requester_id=stranger.id)
    )
    db.commit()
    assert ("index_mismatch", "custody_request", run.request_id) in _found(db, settings)

    # An export file that no export entry names.
    planted = settings.data_dir / EXPORT_DIR / str(run.session_id) / ("0" * 64 + ".zip")
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(b"PK not really")
    found = _found(db, settings)
    assert (
        "index_mismatch",
        "custody_exports",
        str(planted.relative_to(settings.data_dir)),
    ) in found
    # Exactly the tampers, nothing else.
    assert {table for _k, table, _r in found} == {
        "custody_approval",
        "custody_session",
        "custody_registration",
        "custody_request",
        "custody_exports",
    }
