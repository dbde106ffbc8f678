"""Recorder leases (invariant S9): one node records a camera at a time.

Every change is a single conditional statement, atomic on SQLite and PostgreSQL alike:
a node takes a lease that is free, expired or already its own, renews only its own, and
a node that finds its lease taken stops recording that camera.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, bindparam, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psvis.recording.models import RecorderLease


def acquire(session: Session, *, camera_id: int, node: str, seconds: int, now: dt.datetime) -> bool:
    """Take or renew the lease; True when this node holds it afterwards. Commits."""
    until = now + dt.timedelta(seconds=seconds)
    result = session.execute(
        update(RecorderLease)
        .where(
            RecorderLease.camera_id == camera_id,
            or_(RecorderLease.node == node, RecorderLease.lease_until < now),
        )
        .values(node=node, lease_until=until, generation=RecorderLease.generation + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 1:
        session.commit()
        return True
    try:
        session.add(
            RecorderLease(camera_id=camera_id, node=node, lease_until=until, acquired_at=now)
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


_LEASE_TABLE: Table = RecorderLease.__table__  # type: ignore[assignment]
#: The renewal, built once: it runs every ``lease_seconds / 2`` for every camera.
_RENEW = (
    update(_LEASE_TABLE)
    .where(
        _LEASE_TABLE.c.camera_id == bindparam("b_camera_id"),
        _LEASE_TABLE.c.node == bindparam("b_node"),
    )
    .values(lease_until=bindparam("b_until"))
)


def renew(session: Session, *, camera_id: int, node: str, seconds: int, now: dt.datetime) -> bool:
    """Extend this node's lease; False when another node has taken it. Commits."""
    result = session.connection().execute(
        _RENEW,
        {
            "b_camera_id": camera_id,
            "b_node": node,
            "b_until": now + dt.timedelta(seconds=seconds),
        },
    )
    session.commit()
    return result.rowcount == 1


def release(session: Session, *, camera_id: int, node: str, now: dt.datetime) -> None:
    """Give the lease up at once (clean stop), so another node may take over."""
    session.execute(
        update(RecorderLease)
        .where(RecorderLease.camera_id == camera_id, RecorderLease.node == node)
        .values(lease_until=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
