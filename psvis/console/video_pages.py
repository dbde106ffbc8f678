"""Video in the console: a camera's live view, day timeline, playback, clips, snapshots;
and the recorder status list.

The pages are server-rendered; the only script is ``static/video.js`` (CSP allows no
inline script), which attaches the vendored hls.js to each ``<video data-hls>`` — the
browser fetches playlists and segments from the footage API with the session cookie,
through the same gate as any API client. Times are shown in China time (UTC+8); the
timeline is drawn here as SVG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx
from psvis.console.custody_video import CustodyAccess, custody_access, new_request_link
from psvis.console.i18n import translate
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager
from psvis.console.route import ConsoleRoute
from psvis.core.errors import InvalidInput
from psvis.core.timeutil import CHINA_TZ, today_china, utcnow
from psvis.custody import binding, gate
from psvis.custody.enums import CustodyAction
from psvis.custody.models import ExecutionSession, RetrievalRequest
from psvis.recording import access, clips, playback
from psvis.recording.enums import OutageCause, RecorderState
from psvis.recording.models import RecorderStatus
from psvis.recording.timeline import DayTimeline, day_timeline
from psvis.registry import cameras

router = APIRouter(route_class=ConsoleRoute)

API = "/api/v1"
#: SVG width of a day (user units); one unit is 86.4 s.
WIDTH = 1000.0
#: Narrowest drawn interval, so a short gap stays visible.
MIN_WIDTH = 1.0
#: Seconds between snapshot refreshes when the browser cannot play H.264.
SNAPSHOT_REFRESH_S = 5

CAUSE_COLOURS = {
    OutageCause.CAMERA_UNREACHABLE: "#e69f00",
    OutageCause.STREAM_ERROR: "#d55e00",
    OutageCause.RECORDER_CRASH: "#cc79a7",
    OutageCause.STORAGE_ERROR: "#8e44ad",
    OutageCause.STORAGE_FULL: "#5b2c83",
    OutageCause.OPERATOR_STOP: "#7f8c8d",
}


@dataclass(frozen=True, slots=True)
class Bar:
    """One drawn interval of the timeline."""

    kind: str  # recorded | expired | outage | gap | pending
    x: float
    width: float
    colour: str
    title: str
    href: str | None = None


def local(value: dt.datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def clock(value: dt.datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime("%H:%M:%S")


def duration_text(seconds: float, lang: str) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if lang == "en":
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
    return f"{hours} 小时 {minutes:02d} 分" if hours else f"{minutes} 分 {secs:02d} 秒"


def age_text(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return translate("age.seconds", lang, n=int(seconds))
    if seconds < 7200:
        return translate("age.minutes", lang, n=int(seconds // 60))
    if seconds < 172800:
        return translate("age.hours", lang, n=int(seconds // 3600))
    return translate("age.days", lang, n=int(seconds // 86400))


def cause_label(cause: OutageCause, lang: str) -> str:
    return translate(f"outage.{cause.value}", lang)


def state_label(state: RecorderState, lang: str) -> str:
    return translate(f"rstate.{state.value}", lang)


def parse_day(raw: str) -> dt.date:
    if not raw:
        return today_china()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"day {raw[:20]!r} is not a date (YYYY-MM-DD)") from exc
    if day < playback.EARLIEST.date() or day > today_china() + dt.timedelta(days=1):
        raise InvalidInput(f"day {day.isoformat()} is outside the recordable period")
    return day


def parse_clock(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def bars(result: DayTimeline, *, lang: str, page: str) -> list[Bar]:
    """The timeline's intervals as SVG bars (x in day units of ``WIDTH``)."""
    span = (result.end - result.start).total_seconds()

    def place(start: dt.datetime, end: dt.datetime) -> tuple[float, float]:
        x = (start - result.start).total_seconds() / span * WIDTH
        width = max(MIN_WIDTH, (end - start).total_seconds() / span * WIDTH)
        return round(x, 2), round(width, 2)

    def title(name: str, start: dt.datetime, end: dt.datetime) -> str:
        length = duration_text((end - start).total_seconds(), lang)
        return f"{name} {clock(start)}–{clock(end)} ({length})"

    day = result.day.isoformat()
    drawn: list[Bar] = []
    for span_ in result.expired:
        x, w = place(span_.start, span_.end)
        name = translate("video.expired", lang)
        drawn.append(Bar("expired", x, w, "#b0b7bf", title(name, span_.start, span_.end)))
    if (pending := result.pending) is not None:
        x, w = place(pending.start, pending.end)
        name = translate("video.pending", lang)
        drawn.append(Bar("pending", x, w, "#8fd19e", title(name, pending.start, pending.end)))
    for outage in result.outages:
        x, w = place(outage.start, outage.end)
        name = f"{translate('video.outage', lang)}: {cause_label(outage.cause, lang)}"
        drawn.append(
            Bar("outage", x, w, CAUSE_COLOURS[outage.cause], title(name, outage.start, outage.end))
        )
    for gap in result.gaps:
        x, w = place(gap.start, gap.end)
        name = translate("video.gap", lang)
        drawn.append(Bar("gap", x, w, "#b3261e", title(name, gap.start, gap.end)))
    # Recorded spans last: on top, so each stays clickable (gaps and outages are drawn
    # taller and still show above and below).
    for span_ in result.recorded:
        x, w = place(span_.start, span_.end)
        end = min(span_.end, span_.start + playback.MAX_PLAYBACK_SPAN)
        end_text = "23:59:59" if end >= result.end else clock(end)  # the form's last second
        href = f"{page}?" + urlencode({"day": day, "start": clock(span_.start), "end": end_text})
        name = translate("video.recorded", lang)
        drawn.append(
            Bar(
                "recorded", x, w, "#1e7b34", title(name, span_.start, span_.end), f"{href}#playback"
            )
        )
    return drawn


def ticks() -> list[tuple[float, str]]:
    return [(round(h / 24 * WIDTH, 2), f"{h:02d}") for h in range(0, 25, 3)]


@dataclass(frozen=True, slots=True)
class PlaybackChoice:
    """The range picked on the page, and what the viewer may do with it."""

    start_text: str
    end_text: str
    error: str = ""
    playlist: str = ""
    clip: str = ""
    clip_too_long: bool = False
    snapshot: str = ""
    #: The chosen range and the snapshot's instant (for the custody gate's answer).
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    snapshot_at: dt.datetime | None = None


def playback_choice(
    *, camera_id: int, day: dt.date, start_raw: str, end_raw: str, lang: str, export: bool
) -> PlaybackChoice:
    start_t, end_t = parse_clock(start_raw), parse_clock(end_raw)
    if not start_raw and not end_raw:
        return PlaybackChoice("", "")
    if start_t is None or end_t is None:
        return PlaybackChoice(start_raw[:8], end_raw[:8], translate("video.range_bad", lang))
    start = dt.datetime.combine(day, start_t, tzinfo=CHINA_TZ)
    end = dt.datetime.combine(day, end_t, tzinfo=CHINA_TZ)
    if end <= start:
        return PlaybackChoice(start_raw, end_raw, translate("video.range_bad", lang))
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    too_long = end - start > clips.MAX_CLIP_SPAN
    # A frame one second in: the snapshot route checks [at - 1 s, at), which for the
    # range's first second would lie before an approved range that starts there.
    shot = start + dt.timedelta(seconds=1) if end - start > dt.timedelta(seconds=1) else start
    return PlaybackChoice(
        start_text=start_t.isoformat(),
        end_text=end_t.isoformat(),
        playlist=f"{API}/cameras/{camera_id}/playback.m3u8?{query}",
        clip=f"{API}/cameras/{camera_id}/clip.mp4?{query}" if export and not too_long else "",
        clip_too_long=export and too_long,
        snapshot=f"{API}/cameras/{camera_id}/snapshot.jpg?" + urlencode({"at": shot.isoformat()}),
        start=start,
        end=end,
        snapshot_at=shot,
    )


def _direct_access_bound(session: Session, custody_session: int, camera_id: int) -> bool:
    """Whether the bound session's request approves direct use of this camera."""
    request = session.scalar(
        select(RetrievalRequest)
        .join(ExecutionSession, ExecutionSession.request_id == RetrievalRequest.id)
        .where(ExecutionSession.id == custody_session)
    )
    if request is None or CustodyAction.DIRECT_ACCESS.value not in request.actions:
        return False
    return bool(gate.approved_intervals(session, session_id=custody_session, camera_id=camera_id))


@router.get("/cameras/{camera_id}/video")
def camera_video(
    ctx: ConsoleCtx,
    camera_id: ObjectId,
    day: Choice = "",
    start: Choice = "",
    end: Choice = "",
) -> HTMLResponse:
    camera = cameras.get_camera(ctx.session, principal=ctx.principal, camera_id=camera_id)
    the_day = parse_day(day)
    settings = ctx.request.app.state.psvis.settings
    segment_seconds = int(settings.segment_seconds)
    result = day_timeline(
        ctx.session,
        camera_id=camera.id,
        day=the_day,
        pending_slack=dt.timedelta(seconds=2 * segment_seconds + 10),
    )
    may = {
        action: access.may_footage(ctx.session, ctx.principal, camera.id, action)
        for action in (Action.LIVE, Action.PLAYBACK, Action.EXPORT)
    }
    # Police live use of a system not networked under Art. 14 is direct use (Art. 18):
    # the player works only through a bound session approving direct_access.
    direct = may[Action.LIVE] and access.needs_direct_access(ctx.session, ctx.principal, camera)
    if direct:
        token = binding.console_token_id(ctx.request, ctx.session)
        bound = binding.bound_session(ctx.session, token_id=token) if token else None
        may[Action.LIVE] = bound is not None and _direct_access_bound(ctx.session, bound, camera.id)
    page = f"/cameras/{camera.id}/video"
    choice = playback_choice(
        camera_id=camera.id,
        day=the_day,
        start_raw=start,
        end_raw=end,
        lang=ctx.lang,
        export=may[Action.EXPORT],
    )
    custody = (
        custody_access(
            ctx,
            camera_id=camera.id,
            day=the_day,
            chosen=(choice.start, choice.end) if choice.start and choice.end else None,
            snapshot_at=choice.snapshot_at,
        )
        if may[Action.PLAYBACK]
        else CustodyAccess()
    )
    status = ctx.session.get(RecorderStatus, camera.id)
    now = utcnow()
    return ctx.render(
        "video.html",
        camera=camera,
        day=the_day,
        prev_day=(the_day - dt.timedelta(days=1)).isoformat(),
        next_day=(the_day + dt.timedelta(days=1)).isoformat(),
        is_today=the_day >= today_china(),
        timeline=result,
        bars=bars(result, lang=ctx.lang, page=page),
        ticks=ticks(),
        width=WIDTH,
        outages=[
            {
                "cause": cause_label(o.cause, ctx.lang),
                "colour": CAUSE_COLOURS[o.cause],
                "start": local(o.start),
                "end": local(o.end),
                "open": o.open,
                "duration": duration_text(o.seconds, ctx.lang),
                "detail": o.detail,
            }
            for o in result.outages
        ],
        gaps=[
            {
                "start": local(g.start),
                "end": local(g.end),
                "duration": duration_text(g.seconds, ctx.lang),
            }
            for g in result.gaps
        ],
        legend=[
            ("#1e7b34", translate("video.recorded", ctx.lang)),
            ("#8fd19e", translate("video.pending", ctx.lang)),
            ("#b3261e", translate("video.gap", ctx.lang)),
            ("#b0b7bf", translate("video.expired", ctx.lang)),
            *((CAUSE_COLOURS[c], cause_label(c, ctx.lang)) for c in OutageCause),
        ],
        recorded_text=duration_text(result.recorded_seconds, ctx.lang),
        gap_text=duration_text(result.gap_seconds, ctx.lang),
        may_live=may[Action.LIVE],
        live_direct=direct and not may[Action.LIVE],
        may_playback=may[Action.PLAYBACK],
        may_export=may[Action.EXPORT],
        live_src=f"{API}/cameras/{camera.id}/live.m3u8",
        snapshot_src=f"{API}/cameras/{camera.id}/snapshot.jpg",
        segment_seconds=segment_seconds,
        refresh_s=SNAPSHOT_REFRESH_S,
        choice=choice,
        custody=custody,
        new_request=new_request_link(camera.id),
        may_request=ctx.principal.may(Resource.CUSTODY_REQUEST, Action.CREATE),
        status=status,
        status_state=state_label(status.state, ctx.lang) if status else "",
        status_age=age_text(
            (now - status.last_segment_at).total_seconds()
            if status and status.last_segment_at
            else None,
            ctx.lang,
        ),
    )


@router.get("/recorders")
def recorder_list(
    ctx: ConsoleCtx, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> HTMLResponse:
    ctx.require(Resource.CAMERA)
    rows, total = access.visible_recorders(
        ctx.session, principal=ctx.principal, limit=limit, offset=offset
    )
    now = utcnow()
    items = [
        {
            "camera_id": camera.id,
            "camera_name": camera.name,
            "gb_id": camera.gb_id,
            "state": status.state.value,
            "state_text": state_label(status.state, ctx.lang),
            "age": age_text(
                (now - status.last_segment_at).total_seconds() if status.last_segment_at else None,
                ctx.lang,
            ),
            "stale": status.last_segment_at is None
            or (now - status.last_segment_at).total_seconds() > 300,
            "bitrate_kbps": round(status.bitrate_bps / 1000),
            "restarts": status.restarts,
            "node": status.node,
            "last_error": status.last_error[:300],
            "updated": local(status.updated_at),
        }
        for status, camera in rows
    ]
    return ctx.render("recorders.html", rows=items, pager=Pager(limit, offset, total))
