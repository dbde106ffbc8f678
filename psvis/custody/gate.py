"""The custody half of the footage gate: is this media request inside an open execution
session's approved scope, and the log of what was delivered.

:func:`authorize_access` is called by ``psvis.recording.access.authorize_footage`` for
every request of *recorded* footage (playback, export) after the role-level checks. It
costs one indexed query (session ⋈ request ⟕ that camera's scope rows), whatever the
number of active grants (bench/custody.py).

How a media request names its session: the ``X-Custody-Session: <id>`` header (API
clients), or — for the console, whose ``<video>`` elements fetch playlists and segments
with nothing but the cookie — the session bound to the console sign-in when it was
opened (``ExecutionSession.console_token_id``; see :mod:`psvis.custody.binding`).

Logging happens where bytes leave, in the media routes, once per segment: a segment
fetched for viewing is logged on its first fetch in the session (Range requests and
seeking fetch it again: not a new view); every clip is a new copy and logs each of its
segments. A playlist delivers no footage and logs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from psvis.auth.policy import Action
from psvis.auth.principal import Principal
from psvis.compliance.rules import Decision
from psvis.core.errors import Forbidden
from psvis.core.timeutil import utcnow
from psvis.custody import acts, rules
from psvis.custody.acts import Act
from psvis.custody.enums import AccessKind, RequestState
from psvis.custody.models import AccessRecord, ExecutionSession, RequestScope, RetrievalRequest

HEADER = "X-Custody-Session"


@dataclass(frozen=True, slots=True)
class Grant:
    """An access the gate let through: which session and request it rests on."""

    session_id: int
    request_id: int
    camera_id: int
    #: The approved intervals of the camera, merged (half-open).
    intervals: tuple[tuple[dt.datetime, dt.datetime], ...]

    def covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        return rules.covered(start, end, self.intervals)


def _forbidden(decision: Decision, session_id: int | None) -> Forbidden:
    return Forbidden(
        f"{decision.reason} ({decision.article} / {decision.article_zh})",
        details={
            "article": decision.article,
            "article_zh": decision.article_zh,
            "rule": decision.rule,
            "custody_session": session_id,
        },
    )


def authorize_access(
    session: Session,
    *,
    principal: Principal,
    session_id: int | None,
    camera_id: int,
    action: Action,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
) -> Grant:
    """The grant for ``action`` on ``[start, end)`` of the camera through the named
    execution session, or :class:`Forbidden` naming Art. 18 or 19.

    A session that does not exist and one the caller is no officer of get the same
    answer, so session ids cannot be probed."""
    if session_id is None:
        raise Forbidden(
            "recorded footage is reached only through an open execution session of an "
            f"approved retrieval request; name it in the {HEADER} header "
            "(Art. 18-19 / 第十八条、第十九条)",
            details={"article": "Art. 18", "article_zh": "第十八条", "rule": "art18_request"},
        )
    rows = session.execute(
        select(
            ExecutionSession.officer_a_id,
            ExecutionSession.officer_b_id,
            ExecutionSession.closed_at,
            ExecutionSession.request_id,
            RetrievalRequest.state,
            RetrievalRequest.valid_from,
            RetrievalRequest.valid_until,
            RetrievalRequest.actions,
            RequestScope.start_at,
            RequestScope.end_at,
        )
        .join(RetrievalRequest, RetrievalRequest.id == ExecutionSession.request_id)
        .outerjoin(
            RequestScope,
            and_(
                RequestScope.request_id == ExecutionSession.request_id,
                RequestScope.camera_id == camera_id,
            ),
        )
        .where(ExecutionSession.id == session_id)
    ).all()
    first = rows[0] if rows else None
    is_officer = first is not None and principal.user_id in (first[0], first[1])
    if first is None or not is_officer:
        decision = rules.not_an_officer()
        raise _forbidden(decision, session_id)
    intervals = tuple(rules.merge((row[8], row[9]) for row in rows if row[8] is not None))
    decision = rules.access_allowed(
        is_officer=True,
        session_open=first[2] is None,
        state=RequestState(first[4]),
        valid_from=first[5],
        valid_until=first[6],
        now=now or utcnow(),
        approved_actions=first[7],
        action=action,
        camera_in_scope=bool(intervals),
        intervals=intervals,
        start=start,
        end=end,
    )
    if not decision.ok:
        raise _forbidden(decision, session_id)
    return Grant(
        session_id=session_id, request_id=first[3], camera_id=camera_id, intervals=intervals
    )


def approved_intervals(
    session: Session, *, session_id: int, camera_id: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The approved intervals of a camera in the session's request, merged (for listing
    only the segments that lie wholly inside them)."""
    found = session.execute(
        select(RequestScope.start_at, RequestScope.end_at)
        .join(ExecutionSession, ExecutionSession.request_id == RequestScope.request_id)
        .where(ExecutionSession.id == session_id, RequestScope.camera_id == camera_id)
    )
    return rules.merge(found)


def record_access(
    session: Session,
    *,
    principal: Principal,
    session_id: int,
    kind: AccessKind,
    segments: Iterable[tuple[int, int]],
    now: dt.datetime | None = None,
) -> int:
    """Log ``(segment id, camera id)`` pairs delivered through the session: access rows
    and one ``access`` ledger entry. A view of a segment already viewed in this session
    is not logged again; copies and exports always are. Returns the rows written."""
    moment = now or utcnow()
    row = session.get(ExecutionSession, session_id)
    if row is None:
        raise Forbidden(f"execution session {session_id} not found")
    pairs = list(dict.fromkeys(segments))
    if kind is AccessKind.VIEW and pairs:
        seen = set(
            session.scalars(
                select(AccessRecord.segment_id).where(
                    AccessRecord.session_id == session_id,
                    AccessRecord.action == AccessKind.VIEW,
                    AccessRecord.segment_id.in_([segment for segment, _c in pairs]),
                )
            )
        )
        pairs = [(segment, camera) for segment, camera in pairs if segment not in seen]
    if not pairs:
        return 0
    for segment_id, camera_id in pairs:
        session.add(
            AccessRecord(
                session_id=session_id,
                request_id=row.request_id,
                user_id=principal.user_id,
                camera_id=camera_id,
                segment_id=segment_id,
                action=kind,
                at=moment,
            )
        )
    session.flush()
    acts.log(
        session,
        Act.ACCESS,
        at=moment,
        session=session_id,
        request=row.request_id,
        user=principal.user_id,
        action=str(kind),
        cameras=sorted({camera for _s, camera in pairs}),
        segments=[segment for segment, _c in pairs],
    )
    return len(pairs)
