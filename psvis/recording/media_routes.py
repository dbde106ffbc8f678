"""Footage API: HLS playlists and segments, clips, snapshots, day timelines, recorder status.

Every route that returns or describes video passes through
:func:`psvis.recording.access.authorize_footage` with the camera, the action and the
exact interval asked for. Recorded footage (playback, clips, old snapshots) also needs
an open execution session of an approved retrieval request (Art. 18-19), named by the
``X-Custody-Session`` header or bound to the console sign-in
(:mod:`psvis.custody.binding`); what is delivered is logged (:mod:`psvis.custody.gate`).
Times are ISO 8601 with a UTC offset; a naive time, an inverted or oversized range, or a
time outside the recordable period is a 422.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import InvalidInput, NotFound
from psvis.core.schemas import Page
from psvis.core.timeutil import CHINA_TZ, today_china, utcnow
from psvis.custody.binding import CustodyRef
from psvis.custody.enums import AccessKind
from psvis.recording import access, clips, playback, timeline
from psvis.recording.enums import OutageCause, RecorderState
from psvis.recording.models import Segment
from psvis.registry import cameras

router = APIRouter(tags=["footage"])

TimeParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=64,
        description="ISO 8601 time with a UTC offset, e.g. 2026-01-05T10:00:00+08:00",
    ),
]
#: Clip files older than this are removed by the next clip request (a client that went
#: away before the response finished leaves one behind).
STALE_CLIP_S = 3600


def _m3u8(body: str) -> Response:
    return Response(body, media_type=playback.MEDIA_TYPE_M3U8)


M3U8_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {playback.MEDIA_TYPE_M3U8: {}}}}


def _horizon(state: State) -> dt.timedelta:
    return access.live_horizon(state.settings.segment_seconds)


# --- playlists ----------------------------------------------------------------------------


@router.get(
    "/cameras/{camera_id}/playback.m3u8",
    response_class=Response,
    responses=M3U8_RESPONSE,
    **permission(Resource.FOOTAGE, Action.PLAYBACK),
)
def playback_playlist(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    custody: CustodyRef,
    camera_id: ObjectId,
    start: TimeParam,
    end: TimeParam,
) -> Response:
    """VOD playlist of the recorded segments overlapping ``[start, end)`` (≤ 24 h) that lie
    wholly inside the execution session's approved range."""
    begin, finish = playback.parse_time("start", start), playback.parse_time("end", end)
    playback.check_range(begin, finish, max_span=playback.MAX_PLAYBACK_SPAN)
    access.authorize_footage(
        session, principal, camera_id, Action.PLAYBACK, begin, finish, custody_session=custody
    )
    segments = playback.playable_segments(session, camera_id=camera_id, start=begin, end=finish)
    segments = access.within_grant(session, custody, camera_id, segments)
    if not segments:
        raise NotFound(f"camera {camera_id} has no recording between {start} and {end}")

    def url_for(segment: Segment) -> str:
        return str(request.app.url_path_for("segment_media", segment_id=str(segment.id)))

    return _m3u8(playback.vod_playlist(segments, url_for))


@router.get(
    "/cameras/{camera_id}/live.m3u8",
    response_class=Response,
    responses=M3U8_RESPONSE,
    **permission(Resource.FOOTAGE, Action.LIVE),
)
def live_playlist(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    custody: CustodyRef,
    camera_id: ObjectId,
) -> Response:
    """Sliding live window: the newest segments (near-live, one segment of latency).
    Police live use of a system not networked under Art. 14 is direct use: it needs an
    execution session approving ``direct_access``, and the window then starts no earlier
    than the approved range."""
    now, horizon = utcnow(), _horizon(state)
    begin = access.live_begin(session, principal, camera_id, custody, now=now, horizon=horizon)
    granted = access.authorize_footage(
        session,
        principal,
        camera_id,
        Action.LIVE,
        begin,
        now,
        live_horizon=horizon,
        now=now,
        custody_session=custody,
    )
    segments = playback.live_window(session, camera_id=camera_id, horizon=horizon, now=now)
    if granted.custody_session is not None:
        segments = access.within_grant(session, granted.custody_session, camera_id, segments)
    if not segments:
        raise NotFound(
            f"camera {camera_id} has no live video: no segment ended in the last "
            f"{int(horizon.total_seconds())} s"
        )

    def url_for(segment: Segment) -> str:
        return str(request.app.url_path_for("segment_live", segment_id=str(segment.id)))

    return _m3u8(playback.live_playlist(segments, url_for))


# --- segments -----------------------------------------------------------------------------


def _authorized_segment(
    session: DbSession,
    principal: Principal,
    segment_id: int,
    action: Action,
    horizon: dt.timedelta | None = None,
    custody: int | None = None,
) -> Segment:
    """The segment, if the gate lets the caller ``action`` its camera's footage; a
    segment of a camera out of reach is answered exactly like one that does not exist."""
    return _authorized_segment_grant(
        session, principal, segment_id, action, horizon=horizon, custody=custody
    )[0]


def _authorized_segment_grant(
    session: DbSession,
    principal: Principal,
    segment_id: int,
    action: Action,
    horizon: dt.timedelta | None = None,
    custody: int | None = None,
) -> tuple[Segment, int | None]:
    """:func:`_authorized_segment` and the execution session the access rests on."""
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise access.gate_not_found(segment_id)
    try:
        granted = access.authorize_footage(
            session,
            principal,
            segment.camera_id,
            action,
            segment.start_at,
            segment.end_at,
            live_horizon=horizon,
            custody_session=custody,
        )
    except NotFound as exc:
        raise access.gate_not_found(segment_id) from exc
    return segment, granted.custody_session


def _serve_segment(session: DbSession, segment: Segment) -> FileResponse:
    path = playback.segment_file(session, segment)
    return FileResponse(
        path,
        media_type=playback.MEDIA_TYPE_TS,
        headers={"Content-Disposition": f'inline; filename="segment-{segment.id}.ts"'},
    )


SEGMENT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {playback.MEDIA_TYPE_TS: {}}, "description": "The TS file (Range works)"},
    206: {"description": "Partial content (Range request)"},
}


@router.get(
    "/segments/{segment_id}/media",
    name="segment_media",
    response_class=FileResponse,
    responses=SEGMENT_RESPONSE,
    **permission(Resource.FOOTAGE, Action.PLAYBACK),
)
def segment_media(
    session: DbSession, principal: CurrentPrincipal, custody: CustodyRef, segment_id: ObjectId
) -> FileResponse:
    """One recorded segment's TS file, byte for byte; ``Range`` requests are honoured.
    The segment must lie wholly inside the session's approved range; its first fetch in
    the session is logged as a view."""
    segment = _authorized_segment(session, principal, segment_id, Action.PLAYBACK, custody=custody)
    response = _serve_segment(session, segment)
    access.log_recorded(session, principal, custody, AccessKind.VIEW, [segment])
    return response


@router.get(
    "/segments/{segment_id}/live",
    name="segment_live",
    response_class=FileResponse,
    responses=SEGMENT_RESPONSE,
    **permission(Resource.FOOTAGE, Action.LIVE),
)
def segment_live(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    custody: CustodyRef,
    segment_id: ObjectId,
) -> FileResponse:
    """A segment of the live window. Only segments that ended within the live horizon:
    older footage is playback (and the custody issue's approval). Direct use through a
    session (Art. 18) logs the segment as viewed."""
    segment, granted = _authorized_segment_grant(
        session, principal, segment_id, Action.LIVE, horizon=_horizon(state), custody=custody
    )
    response = _serve_segment(session, segment)
    if granted is not None:
        access.log_recorded(session, principal, granted, AccessKind.VIEW, [segment])
    return response


# --- clips and snapshots ------------------------------------------------------------------


def _clip_dir(state: State) -> Path:
    directory = state.settings.data_dir / "tmp" / "clips"
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_CLIP_S
    for leftover in directory.iterdir():
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue
    return directory


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y%m%dT%H%M%S")


@router.get(
    "/cameras/{camera_id}/clip.mp4",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}}},
    **permission(Resource.FOOTAGE, Action.EXPORT),
)
def clip(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    custody: CustodyRef,
    camera_id: ObjectId,
    start: TimeParam,
    end: TimeParam,
) -> FileResponse:
    """One MP4 of ``[start, end)`` (≤ 1 h), copied from the segments without re-encoding.
    Copy mode cuts at keyframes: the clip may start up to one GOP before ``start``. Every
    segment it is cut from is logged as copied."""
    begin, finish = playback.parse_time("start", start), playback.parse_time("end", end)
    playback.check_range(begin, finish, max_span=clips.MAX_CLIP_SPAN)
    access.authorize_footage(
        session, principal, camera_id, Action.EXPORT, begin, finish, custody_session=custody
    )
    segments = playback.playable_segments(session, camera_id=camera_id, start=begin, end=finish)
    if not segments:
        raise NotFound(f"camera {camera_id} has no recording between {start} and {end}")
    parts = [(segment, playback.segment_file(session, segment)) for segment in segments]
    directory = _clip_dir(state)
    handle, name = tempfile.mkstemp(prefix=f"clip-{camera_id}-", suffix=".mp4", dir=directory)
    os.close(handle)
    out = Path(name)
    try:
        clips.write_clip(parts, start=begin, end=finish, out=out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    access.log_recorded(session, principal, custody, AccessKind.COPY, segments)
    filename = f"camera-{camera_id}-{_stamp(begin)}-{_stamp(finish)}.mp4"
    return FileResponse(
        out,
        media_type="video/mp4",
        filename=filename,
        background=BackgroundTask(out.unlink, missing_ok=True),
    )


@router.get(
    "/cameras/{camera_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    **permission(Resource.FOOTAGE, Action.LIVE),
)
def snapshot(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    custody: CustodyRef,
    camera_id: ObjectId,
    at: Annotated[
        str | None,
        Query(
            max_length=64,
            description="ISO 8601 time with a UTC offset; default: the newest recording",
        ),
    ] = None,
) -> Response:
    """JPEG of the keyframe at or before ``at`` (default: the newest). A live instant
    needs ``live``; an older one is recorded footage and needs ``playback`` through an
    execution session (logged as a view of its segment)."""
    now, horizon = utcnow(), _horizon(state)
    cameras.get_camera(session, principal=principal, camera_id=camera_id)  # 404 first
    offset: float | None
    if at is None:
        segment = playback.newest_segment(session, camera_id=camera_id)
        instant = segment.end_at if segment is not None else now
        offset = None
    else:
        instant = playback.parse_time("at", at)
        segment = playback.segment_at(session, camera_id=camera_id, at=instant)
        offset = (instant - segment.start_at).total_seconds() if segment is not None else None
    action = Action.LIVE if instant >= now - horizon else Action.PLAYBACK
    granted = access.authorize_footage(
        session,
        principal,
        camera_id,
        action,
        instant - dt.timedelta(seconds=1),
        instant,
        live_horizon=horizon,
        now=now,
        custody_session=custody,
    )
    if segment is None:
        raise NotFound(f"camera {camera_id} has no recording at {at or 'any time'}")
    shot = clips.snapshot(playback.segment_file(session, segment), offset)
    if granted.custody_session is not None:  # a frame through a session: a view of its segment
        access.log_recorded(session, principal, granted.custody_session, AccessKind.VIEW, [segment])
    taken = segment.start_at + dt.timedelta(seconds=shot.offset_s)
    return Response(
        shot.jpeg,
        media_type="image/jpeg",
        headers={"X-Frame-Time": taken.isoformat(timespec="milliseconds")},
    )


# --- timeline and status ------------------------------------------------------------------


class SpanRead(BaseModel):
    start: dt.datetime
    end: dt.datetime
    seconds: float


class OutageSpanRead(SpanRead):
    cause: OutageCause
    detail: str
    open: bool = Field(description="Still going on: `end` is the time of the answer.")


class TimelineRead(BaseModel):
    camera_id: int
    day: dt.date = Field(description="Civil day in China time (UTC+8).")
    utc_offset: str = Field(description="Offset of the day's time zone, e.g. +08:00.")
    start: dt.datetime = Field(description="Start of the day, UTC.")
    end: dt.datetime = Field(description="End of the day (exclusive), UTC.")
    until: dt.datetime = Field(description="min(end, now): later time has not happened.")
    period_start: dt.datetime | None = Field(
        description="Start of the camera's recording period (first segment or outage)."
    )
    recorded: list[SpanRead] = Field(description="Playable recording, merged within 2 s.")
    expired: list[SpanRead] = Field(description="Recorded, then deleted after retention.")
    outages: list[OutageSpanRead]
    gaps: list[SpanRead] = Field(description="Neither recorded nor explained (invariant S6).")
    pending: SpanRead | None = Field(description="The segment being written now.")
    recorded_seconds: float
    gap_seconds: float


def _span(span: timeline.Span) -> SpanRead:
    return SpanRead(start=span.start, end=span.end, seconds=span.seconds)


def timeline_read(result: timeline.DayTimeline) -> TimelineRead:
    offset = result.start.astimezone(result.tz).strftime("%z")
    return TimelineRead(
        camera_id=result.camera_id,
        day=result.day,
        utc_offset=f"{offset[:3]}:{offset[3:]}",
        start=result.start,
        end=result.end,
        until=result.until,
        period_start=result.period_start,
        recorded=[_span(s) for s in result.recorded],
        expired=[_span(s) for s in result.expired],
        outages=[
            OutageSpanRead(
                start=o.start,
                end=o.end,
                seconds=o.seconds,
                cause=o.cause,
                detail=o.detail,
                open=o.open,
            )
            for o in result.outages
        ],
        gaps=[_span(s) for s in result.gaps],
        pending=_span(result.pending) if result.pending else None,
        recorded_seconds=result.recorded_seconds,
        gap_seconds=result.gap_seconds,
    )


def check_day(day: dt.date) -> dt.date:
    if day < playback.EARLIEST.date() or day > today_china() + dt.timedelta(days=1):
        raise InvalidInput(f"day {day.isoformat()} is outside the recordable period")
    return day


def pending_slack(segment_seconds: int) -> dt.timedelta:
    """The recorder's watchdog time (docs/design/recording.md)."""
    return dt.timedelta(seconds=2 * segment_seconds + 10)


@router.get(
    "/cameras/{camera_id}/timeline",
    response_model=TimelineRead,
    **permission(Resource.CAMERA, Action.READ),
)
def camera_timeline(
    session: DbSession,
    principal: CurrentPrincipal,
    state: State,
    camera_id: ObjectId,
    day: Annotated[
        dt.date | None, Query(description="YYYY-MM-DD, China time; default today")
    ] = None,
) -> TimelineRead:
    """A China-time day of the camera: recorded, outages by cause, unexplained gaps."""
    cameras.get_camera(session, principal=principal, camera_id=camera_id)
    result = timeline.day_timeline(
        session,
        camera_id=camera_id,
        day=check_day(day or today_china()),
        pending_slack=pending_slack(state.settings.segment_seconds),
    )
    return timeline_read(result)


class RecorderRead(BaseModel):
    camera_id: int
    camera_name: str
    gb_id: str
    node: str
    state: RecorderState
    restarts: int
    last_segment_at: dt.datetime | None
    last_segment_age_s: float | None = Field(description="Seconds since the newest segment.")
    bitrate_bps: int
    last_error: str
    updated_at: dt.datetime


@router.get(
    "/recorders",
    response_model=Page[RecorderRead],
    **permission(Resource.CAMERA, Action.READ),
)
def list_recorders(
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[RecorderRead]:
    """Recorder status of the cameras the caller may read."""
    rows, total = access.visible_recorders(session, principal=principal, limit=limit, offset=offset)
    now = utcnow()
    items = [
        RecorderRead(
            camera_id=camera.id,
            camera_name=camera.name,
            gb_id=camera.gb_id,
            node=status.node,
            state=status.state,
            restarts=status.restarts,
            last_segment_at=status.last_segment_at,
            last_segment_age_s=(
                (now - status.last_segment_at).total_seconds()
                if status.last_segment_at is not None
                else None
            ),
            bitrate_bps=status.bitrate_bps,
            last_error=status.last_error,
            updated_at=status.updated_at,
        )
        for status, camera in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)
