"""The custody matrix, generated from the policy table: every role × action (view, copy,
export) × own / other jurisdiction × request state (none, approved, approved for another
action, expired, rejected), over the real footage routes.

The expected answer is computed from the policy table and the law alone (Art. 18-19):
a recorded byte goes out exactly when the caller's role may handle footage of the
camera *and* the caller is one of the two officers of an open session whose request is
approved, still valid, and covers that camera, interval and action. Otherwise 403 — or
404 where the camera lies outside the caller's read reach.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth import totp
from psvis.auth.models import User
from psvis.auth.policy import POLICY, Action, Resource, Role
from psvis.core.config import Settings
from psvis.core.errors import Refused
from psvis.core.timeutil import utcnow
from psvis.custody import rules, service
from psvis.custody.enums import AccessKind, CustodyAction
from psvis.custody.gate import HEADER
from psvis.custody.models import AccessRecord, RetrievalRequest
from tests.integration.api.test_authorization_matrix import (
    SUBJECTS,
    Subject,
    World,
    build_world,
    reaches,
)
from tests.support import custody
from tests.support.factories import PASSWORD, Registry
from tests.support.http import bearer

#: The matrix's actions: (footage gate action, the request action that approves it).
ACTIONS: dict[str, tuple[Action, CustodyAction]] = {
    "view": (Action.PLAYBACK, CustodyAction.VIEW),
    "copy": (Action.EXPORT, CustodyAction.COPY),
    "export": (Action.EXPORT, CustodyAction.RETRIEVE),
}
#: A request approving everything *but* what the action needs.
OTHER_ACTIONS: dict[str, tuple[CustodyAction, ...]] = {
    "view": (CustodyAction.COPY, CustodyAction.RETRIEVE, CustodyAction.DIRECT_ACCESS),
    "copy": (CustodyAction.VIEW, CustodyAction.DIRECT_ACCESS),
    "export": (CustodyAction.VIEW, CustodyAction.DIRECT_ACCESS),
}
STATES = ("none", "approved", "other_action", "expired", "rejected")
WHERE = ("home", "away")


def username(subject: Subject) -> str:
    return subject.label.replace("@", "_")


def may_execute(subject: Subject, where: str) -> bool:
    """Art. 19: a police officer who may handle footage, whose jurisdiction (Art. 4)
    covers the camera, can be one of a session's two officers for it."""
    reach = POLICY[(Resource.FOOTAGE, Action.PLAYBACK)].get(subject.role)
    return subject.role in rules.EXECUTING_ROLES and reaches(
        subject, reach, Resource.FOOTAGE, where
    )


def expected(subject: Subject, action: str, where: str, state: str) -> str:
    gate_action, _approves = ACTIONS[action]
    entry = POLICY[(Resource.FOOTAGE, gate_action)]
    if subject.role not in entry:
        return "403"
    read = POLICY[(Resource.CAMERA, Action.READ)].get(subject.role)
    if not reaches(subject, read, Resource.CAMERA, where):
        return "404"
    if not reaches(subject, entry[subject.role], Resource.FOOTAGE, where):
        return "403"
    lawful = state == "approved" and may_execute(subject, where)
    return "ok" if lawful else "403"


@dataclass
class Sessions:
    """Execution sessions made on demand through the real services."""

    registry: Registry
    world: World
    settings: Settings
    stand_in: User  # a city officer, first officer of sessions the subject is not part of
    made: dict[tuple[str, str, tuple[str, ...], bool], int] = field(default_factory=dict)

    def user(self, subject: Subject) -> User:
        found = self.registry.session.scalar(select(User).where(User.username == username(subject)))
        assert found is not None
        return found

    def session_for(
        self,
        subject: Subject,
        where: str,
        actions: tuple[CustodyAction, ...],
        *,
        expired: bool = False,
    ) -> int:
        """A session over the camera approving ``actions``: the subject's own (as first
        officer) where the law lets them execute it, else the stand-in's."""
        first = self.user(subject) if may_execute(subject, where) else self.stand_in
        key = (first.username, where, tuple(sorted(actions)), expired)
        if key in self.made:
            return self.made[key]
        start, end = self.world.footage or (utcnow(), utcnow())
        request_id = custody.request(
            self.registry,
            officer=first,
            cameras=[self.world.camera[where].id],
            start=start - dt.timedelta(minutes=1),
            end=end + dt.timedelta(minutes=1),
            actions=actions,
        )
        custody.approve(self.registry, request_id=request_id, data_dir=self.settings.data_dir)
        officer_b, secret = custody.second_officer(self.registry)
        session_id = custody.open_session(
            self.registry, officer=first, request_id=request_id, officer_b=officer_b, secret=secret
        )
        if expired:  # the validity window has passed since the session opened
            now = utcnow()
            self.registry.session.execute(
                update(RetrievalRequest)
                .where(RetrievalRequest.id == request_id)
                .values(
                    valid_from=now - dt.timedelta(hours=2),
                    valid_until=now - dt.timedelta(seconds=1),
                )
            )
            self.registry.session.commit()
        self.made[key] = session_id
        return session_id

    def rejected(self, subject: Subject, where: str) -> None:
        """The subject's own request, rejected: no session opens on it."""
        if not may_execute(subject, where):
            return
        officer = self.user(subject)
        request_id = custody.request(
            self.registry,
            officer=officer,
            cameras=[self.world.camera[where].id],
            start=utcnow() - dt.timedelta(hours=1),
            end=utcnow(),
        )
        chief = custody.city_chief(self.registry)
        service.reject(
            self.registry.session,
            principal=auth_service.principal_for(self.registry.session, user=chief),
            request_id=request_id,
            reason="不符合条件",
        )
        self.registry.session.commit()
        officer_b, secret = custody.second_officer(self.registry)
        with pytest.raises(Refused, match="rejected"):
            service.open_session(
                self.registry.session,
                principal=auth_service.principal_for(self.registry.session, user=officer),
                request_id=request_id,
                officer_b_username=officer_b.username,
                officer_b_password=PASSWORD,
                officer_b_totp=totp.code_at(secret, at=utcnow()),
                box=self.registry.box,
                lockout_threshold=5,
                lockout_minutes=15,
            )
        self.registry.session.rollback()


def header_for(
    sessions: Sessions, subject: Subject, action: str, where: str, state: str
) -> dict[str, str]:
    if state == "none":
        return {}
    if state == "rejected":
        sessions.rejected(subject, where)
        return {}
    if state == "approved":
        actions: tuple[CustodyAction, ...] = (ACTIONS[action][1],)
    elif state == "other_action":
        actions = OTHER_ACTIONS[action]
    else:
        actions = tuple(CustodyAction)
    session_id = sessions.session_for(subject, where, actions, expired=state == "expired")
    return {HEADER: str(session_id)}


def fetch(
    client: TestClient, world: World, headers: dict[str, str], action: str, where: str
) -> int:
    if action == "view":
        url = f"/api/v1/segments/{world.segment_ids[where]}/media"
        return int(client.get(url, headers=headers).status_code)
    assert world.footage is not None
    start, end = world.footage
    return int(
        client.get(
            f"/api/v1/cameras/{world.camera[where].id}/clip.mp4",
            params={"start": start.isoformat(), "end": end.isoformat()},
            headers=headers,
        ).status_code
    )


def outcome(status: int) -> str:
    if status in (403, 404):
        return str(status)
    assert status == 200, status
    return "ok"


@pytest.mark.slow
def test_custody_matrix_every_role_action_jurisdiction_and_request_state(
    client: TestClient, registry: Registry, settings: Settings, db: Session
) -> None:
    world = build_world(registry, settings.data_dir)
    stand_in = custody.with_work_id(
        registry, registry.user(role=Role.OFFICER, jurisdiction="360100", username="stand_in")
    )
    registry.session.commit()
    sessions = Sessions(registry, world, settings, stand_in)
    tokens = {s.label: bearer(client, username(s)) for s in SUBJECTS}
    mismatches: list[str] = []
    tally: Counter[str] = Counter()
    for subject, action, where, state in itertools.product(SUBJECTS, ACTIONS, WHERE, STATES):
        headers = {**tokens[subject.label], **header_for(sessions, subject, action, where, state)}
        got = outcome(fetch(client, world, headers, action, where))
        want = expected(subject, action, where, state)
        tally[want] += 1
        if got != want:
            mismatches.append(
                f"{subject.label:20} {action:6} {where:4} {state:12}: want {want}, got {got}"
            )
    assert not mismatches, "\n".join(mismatches)
    # Every cell was asked, and the law let some through and refused the rest.
    assert sum(tally.values()) == len(SUBJECTS) * len(ACTIONS) * len(WHERE) * len(STATES)
    executing_cells = sum(may_execute(s, w) for s in SUBJECTS for w in WHERE)
    assert tally["ok"] == executing_cells * len(ACTIONS) == 7 * 3
    assert tally["404"] > 0
    assert tally["403"] > 0
    # Every allowed access was logged: one view per allowed view, each clip's segments.
    views = db.scalar(
        select(func.count()).select_from(AccessRecord).where(AccessRecord.action == AccessKind.VIEW)
    )
    copies = db.scalar(
        select(func.count(func.distinct(AccessRecord.session_id))).where(
            AccessRecord.action == AccessKind.COPY
        )
    )
    assert views == executing_cells
    assert copies == executing_cells * 2
