"""Custody for tests: a real retrieval request, a city chief's approval with a scan, and a
two-officer execution session, through the real services (no raw inserts).

    run = grant(registry, officer=user, cameras=[camera.id], start=t0, end=t1,
                data_dir=settings.data_dir)
    client.get(url, headers={**bearer(client, "officer"), **run.header})
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from psvis.auth import service as auth_service
from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.core.timeutil import utcnow
from psvis.custody import service
from psvis.custody.enums import CustodyAction
from psvis.custody.gate import HEADER
from psvis.custody.schemas import RequestCreate, ScopeIn
from tests.support.factories import PASSWORD, Registry

#: A minimal file that begins like a PDF (the scan check reads the first bytes).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_serial = itertools.count(1)


@dataclass(frozen=True)
class Run:
    """An approved request and its open execution session."""

    request_id: int
    session_id: int
    number: str
    officer_b: str

    @property
    def header(self) -> dict[str, str]:
        return {HEADER: str(self.session_id)}


def with_work_id(registry: Registry, user: User) -> User:
    """Art. 19(2): officers show work IDs; give the user one if the test did not."""
    if not user.work_id:
        user.work_id = f"J{user.id:06d}"
        registry.session.flush()
    return user


def enrolled(registry: Registry, user: User) -> str:
    """Enrol the user's TOTP directly; returns the secret (tests compute codes)."""
    secret = totp.new_secret()
    user.totp_secret_encrypted = registry.box.encrypt(secret)
    registry.session.flush()
    return secret


def request(
    registry: Registry,
    *,
    officer: User,
    cameras: Sequence[int],
    start: dt.datetime,
    end: dt.datetime,
    actions: Sequence[CustodyAction] = (CustodyAction.VIEW, CustodyAction.COPY),
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> int:
    """A filed (not yet decided) request by ``officer``; returns its id."""
    now = utcnow()
    filed = service.create_request(
        registry.session,
        principal=auth_service.principal_for(
            registry.session, user=with_work_id(registry, officer)
        ),
        data=RequestCreate(
            department_name="东湖分局刑侦大队",
            case_number=f"A3601-{next(_serial):05d}",
            purpose="调查案件",
            actions=list(actions),
            valid_from=valid_from or now - dt.timedelta(minutes=1),
            valid_until=valid_until or now + dt.timedelta(days=1),
            scopes=[ScopeIn(camera_id=c, start=start, end=end) for c in cameras],
        ),
    )
    registry.session.commit()
    return filed.id


def city_chief(registry: Registry) -> User:
    return with_work_id(registry, registry.user(role=Role.CHIEF, jurisdiction="360100"))


def approve(
    registry: Registry, *, request_id: int, data_dir: Path, chief: User | None = None
) -> None:
    boss = chief or city_chief(registry)
    service.approve(
        registry.session,
        principal=auth_service.principal_for(registry.session, user=boss),
        request_id=request_id,
        document_number=f"公(刑)批字[2026]{next(_serial)}号",
        scan=PDF,
        data_dir=data_dir,
    )
    registry.session.commit()


def second_officer(registry: Registry) -> tuple[User, str]:
    """A city officer with a work ID and TOTP: covers every camera."""
    user = with_work_id(registry, registry.user(role=Role.OFFICER, jurisdiction="360100"))
    return user, enrolled(registry, user)


def open_session(
    registry: Registry,
    *,
    officer: User,
    request_id: int,
    officer_b: User,
    secret: str,
    console_token_id: int | None = None,
) -> int:
    now = utcnow()
    row = service.open_session(
        registry.session,
        principal=auth_service.principal_for(
            registry.session, user=with_work_id(registry, officer)
        ),
        request_id=request_id,
        officer_b_username=officer_b.username,
        officer_b_password=PASSWORD,
        officer_b_totp=totp.code_at(secret, at=now),
        box=registry.box,
        lockout_threshold=5,
        lockout_minutes=15,
        console_token_id=console_token_id,
        now=now,
    )
    registry.session.commit()
    return row.id


def grant(
    registry: Registry,
    *,
    officer: User,
    cameras: Sequence[int],
    start: dt.datetime,
    end: dt.datetime,
    data_dir: Path,
    actions: Sequence[CustodyAction] = (CustodyAction.VIEW, CustodyAction.COPY),
    console_token_id: int | None = None,
) -> Run:
    """Request → a city chief's approval → an open session with a city officer as the
    second officer (TOTP enrolled). ``officer`` is the requester and first officer."""
    request_id = request(
        registry, officer=officer, cameras=cameras, start=start, end=end, actions=actions
    )
    approve(registry, request_id=request_id, data_dir=data_dir)
    officer_b, secret = second_officer(registry)
    session_id = open_session(
        registry,
        officer=officer,
        request_id=request_id,
        officer_b=officer_b,
        secret=secret,
        console_token_id=console_token_id,
    )
    number = service.get_request(
        registry.session, principal=registry.operator, request_id=request_id
    ).number
    return Run(
        request_id=request_id, session_id=session_id, number=number, officer_b=officer_b.username
    )
