"""Playback building blocks against the database (SQLite and PostgreSQL): the day
timeline's edges, playlists, the live window, the footage gate and its policy."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.api.deps import SESSION_COOKIE
from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import POLICY, Action, Reach, Resource, Role
from psvis.console.i18n import CATALOG
from psvis.core.config import Settings
from psvis.core.errors import Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.recording import access, clips, playback
from psvis.recording.enums import OutageCause, RecorderState, SegmentState
from psvis.recording.models import RecorderStatus, Segment
from psvis.recording.timeline import day_bounds, day_timeline
from tests.integration.console.helpers import signed_in
from tests.support.custody import grant
from tests.support.factories import Registry
from tests.support.media import outage, record, storage_root

_seq = itertools.count(1)


def china(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    """A China-time instant, as aware UTC."""
    local = dt.datetime(year, month, day, hour, minute, second, us, tzinfo=CHINA_TZ)
    return local.astimezone(dt.UTC)


def row(
    session: Session,
    camera_id: int,
    storage_id: int,
    start: dt.datetime,
    seconds: float,
    *,
    state: SegmentState = SegmentState.SEALED,
    codec: str = "h264",
    size: tuple[int, int] = (320, 240),
) -> Segment:
    """An index row without a file: enough for timelines and playlists."""
    n = next(_seq)
    segment = Segment(
        camera_id=camera_id,
        seq=n,
        storage_id=storage_id,
        rel_path=f"{camera_id}/x/{n}.ts",
        start_at=start,
        end_at=start + dt.timedelta(seconds=seconds),
        media_duration_ms=int(seconds * 1000),
        size_bytes=1000,
        sha256="0" * 64,
        keyframes=1,
        codec=codec,
        width=size[0],
        height=size[1],
        state=state,
        expired_at=utcnow() if state is SegmentState.EXPIRED else None,
    )
    session.add(segment)
    session.flush()
    return segment


@pytest.fixture
def camera_id(registry: Registry) -> int:
    _u, _s, _sys, camera = registry.covered_site()
    registry.session.commit()
    return camera.id


@pytest.fixture
def storage_id(db: Session, settings: Settings) -> int:
    return storage_root(db, settings.data_dir).id


# --- timeline -----------------------------------------------------------------------------


def test_china_day_bounds() -> None:
    start, end = day_bounds(dt.date(2025, 3, 1))
    assert start == dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2025, 3, 1, 16, tzinfo=dt.UTC)
    utc_start, _ = day_bounds(dt.date(2025, 3, 1), dt.UTC)
    assert utc_start == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def test_timeline_clips_merges_and_finds_gaps(db: Session, camera_id: int, storage_id: int) -> None:
    # Straddles China midnight (the long segment is found by the index seek).
    row(db, camera_id, storage_id, china(2025, 2, 28, 23, 50), 20 * 60)
    # 1.5 s hole: within tolerance, merged. Then a 3 s hole: a gap.
    row(db, camera_id, storage_id, china(2025, 3, 1, 0, 10, 1), 60)
    row(db, camera_id, storage_id, china(2025, 3, 1, 0, 11, 2, 500_000), 60)
    row(db, camera_id, storage_id, china(2025, 3, 1, 0, 12, 5, 500_000), 60)
    # Expired by retention: not recorded, not a gap.
    row(db, camera_id, storage_id, china(2025, 3, 1, 1, 0), 60, state=SegmentState.EXPIRED)
    db.commit()
    outage(
        db,
        camera_id,
        start=china(2025, 3, 1, 1, 1),
        end=china(2025, 3, 1, 23, 0),
        cause=OutageCause.STORAGE_FULL,
        detail="disk full",
    )
    day = day_timeline(db, camera_id=camera_id, day=dt.date(2025, 3, 1))
    # Clipped at midnight; holes of 1 s and 1.5 s merged; the 3 s hole is not.
    assert [(s.start, s.end) for s in day.recorded] == [
        (china(2025, 3, 1), china(2025, 3, 1, 0, 12, 2, 500_000)),
        (china(2025, 3, 1, 0, 12, 5, 500_000), china(2025, 3, 1, 0, 13, 5, 500_000)),
    ]
    assert [(s.start, s.end) for s in day.expired] == [
        (china(2025, 3, 1, 1, 0), china(2025, 3, 1, 1, 1))
    ]
    assert [(o.cause, o.detail, o.open) for o in day.outages] == [
        (OutageCause.STORAGE_FULL, "disk full", False)
    ]
    assert [(g.start, g.end) for g in day.gaps] == [
        (china(2025, 3, 1, 0, 12, 2, 500_000), china(2025, 3, 1, 0, 12, 5, 500_000)),
        (china(2025, 3, 1, 0, 13, 5, 500_000), china(2025, 3, 1, 1, 0)),
        (china(2025, 3, 1, 23, 0), china(2025, 3, 2)),
    ]
    assert day.period_start == china(2025, 2, 28, 23, 50)
    # The UTC day of the same date is another window.
    utc_day = day_timeline(db, camera_id=camera_id, day=dt.date(2025, 3, 1), tz=dt.UTC)
    assert utc_day.start == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert utc_day.recorded == []


def test_today_open_outage_pending_tail_and_future(
    db: Session, registry: Registry, camera_id: int, storage_id: int
) -> None:
    now = utcnow().replace(microsecond=0)
    today = now.astimezone(CHINA_TZ).date()
    day_start, _ = day_bounds(today)
    if now - day_start < dt.timedelta(minutes=10):
        now = day_start + dt.timedelta(minutes=10)  # keep the scene inside the day
    row(db, camera_id, storage_id, now - dt.timedelta(seconds=300), 60)
    row(db, camera_id, storage_id, now - dt.timedelta(seconds=240), 60)
    row(db, camera_id, storage_id, now - dt.timedelta(seconds=100), 60)
    db.commit()
    outage(db, camera_id, start=now - dt.timedelta(seconds=180), end=None)
    day = day_timeline(db, camera_id=camera_id, day=today, now=now)
    assert day.until == now
    # The open outage runs to now: no gap behind it; the last segment is recorded too.
    assert day.outages[0].open
    assert day.outages[0].end == now
    assert day.gaps == []

    # Without the outage: a tail shorter than the watchdog is the segment being written.
    other = registry.covered_site()[3].id
    row(db, other, storage_id, now - dt.timedelta(seconds=100), 60)
    db.commit()
    quiet = day_timeline(db, camera_id=other, day=today, now=now)
    assert quiet.pending is not None
    assert quiet.pending.end == now
    assert quiet.gaps == []
    stalled = day_timeline(db, camera_id=other, day=today, now=now + dt.timedelta(seconds=200))
    assert stalled.pending is None
    assert stalled.gaps[-1].end == now + dt.timedelta(seconds=200)
    # Tomorrow has not happened.
    tomorrow = day_timeline(db, camera_id=other, day=today + dt.timedelta(days=1), now=now)
    assert tomorrow.recorded == tomorrow.gaps == []


# --- playlists ----------------------------------------------------------------------------


def test_vod_playlist_tags(db: Session, camera_id: int, storage_id: int) -> None:
    t0 = china(2025, 3, 1, 10)
    a = row(db, camera_id, storage_id, t0, 2.001)
    b = row(db, camera_id, storage_id, a.end_at, 2.0)
    c = row(db, camera_id, storage_id, b.end_at, 2.0, codec="hevc")
    d = row(db, camera_id, storage_id, c.end_at + dt.timedelta(milliseconds=400), 2.0, codec="hevc")
    e = row(db, camera_id, storage_id, d.end_at + dt.timedelta(seconds=1), 2.0, codec="hevc")
    text = playback.vod_playlist([a, b, c, d, e], lambda s: f"/s/{s.id}")
    lines = text.splitlines()
    assert "#EXT-X-TARGETDURATION:3" in lines  # ceil(2.001 s)
    assert lines.count("#EXT-X-DISCONTINUITY") == 2  # codec change (c), 1 s hole (e)
    assert lines[lines.index(f"/s/{c.id}") - 3] == "#EXT-X-DISCONTINUITY"
    assert lines[lines.index(f"/s/{e.id}") - 3] == "#EXT-X-DISCONTINUITY"
    assert "#EXT-X-PROGRAM-DATE-TIME:2025-03-01T02:00:00.000Z" in lines
    assert "#EXTINF:2.000," in lines
    assert lines[-1] == "#EXT-X-ENDLIST"
    live = playback.live_playlist([d, e], lambda s: f"/s/{s.id}")
    assert f"#EXT-X-MEDIA-SEQUENCE:{d.seq}" in live.splitlines()
    assert "ENDLIST" not in live
    assert "PLAYLIST-TYPE" not in live


def test_playable_segments_and_live_window(db: Session, camera_id: int, storage_id: int) -> None:
    now = utcnow().replace(microsecond=0)
    old = row(db, camera_id, storage_id, now - dt.timedelta(hours=3), 60)
    gone = row(db, camera_id, storage_id, old.end_at, 60, state=SegmentState.EXPIRED)
    recent = [row(db, camera_id, storage_id, now - dt.timedelta(seconds=s), 10) for s in (40, 30)]
    db.commit()
    found = playback.playable_segments(
        db, camera_id=camera_id, start=old.start_at, end=now + dt.timedelta(seconds=1)
    )
    assert [s.id for s in found] == [old.id, *(s.id for s in recent)]
    assert gone.id not in [s.id for s in found]
    window = playback.live_window(db, camera_id=camera_id, horizon=dt.timedelta(minutes=5), now=now)
    assert [s.id for s in window] == [s.id for s in recent]
    assert playback.live_window(db, camera_id=camera_id, horizon=dt.timedelta(seconds=5)) == []
    assert playback.segment_at(db, camera_id=camera_id, at=recent[0].end_at) == recent[1]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-01T10:00:00+08:00", dt.datetime(2025, 3, 1, 2, tzinfo=dt.UTC)),
        ("2025-03-01T02:00:00Z", dt.datetime(2025, 3, 1, 2, tzinfo=dt.UTC)),
        ("2025-03-01T02:00:00.250+00:00", dt.datetime(2025, 3, 1, 2, 0, 0, 250_000, dt.UTC)),
    ],
)
def test_parse_time(raw: str, expected: dt.datetime) -> None:
    assert playback.parse_time("t", raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "2025-03-01T10:00:00", "2025-03-01", "now", "x" * 100, "2025-13-01T00:00Z"]
)
def test_parse_time_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput):
        playback.parse_time("t", raw)


# --- clips --------------------------------------------------------------------------------


def test_concat_list_trims_only_the_ends(
    db: Session, camera_id: int, settings: Settings, tmp_path: Path
) -> None:
    root = storage_root(db, settings.data_dir)
    t0 = china(2025, 3, 1, 10)
    segments = record(db, root, camera_id, start=t0, seconds=6)
    parts = [(s, root.absolute(s.rel_path)) for s in segments]
    # Whole segments: no trimming.
    script = clips.concat_list(parts, start=t0, end=segments[-1].end_at)
    assert "inpoint" not in script
    assert "outpoint" not in script
    assert script.count("\nfile '") == 3
    # Inside: the inpoint is the keyframe at or before 2.5 s into segment 0 (GOP 1 s),
    # on the file's own timeline; the outpoint 0.5 s into the last segment.
    scan = clips.scan_keyframes(parts[0][1])
    script = clips.concat_list(
        parts,
        start=t0 + dt.timedelta(seconds=1.5),
        end=t0 + dt.timedelta(seconds=4.5),
    )
    assert f"inpoint {scan.origin_s + 1.0:.6f}" in script
    last = clips.scan_keyframes(parts[2][1])
    assert f"outpoint {last.origin_s + 0.5:.6f}" in script


# --- the gate and its policy --------------------------------------------------------------


def test_footage_policy_table() -> None:
    live = POLICY[(Resource.FOOTAGE, Action.LIVE)]
    assert live[Role.UNIT_OPERATOR] is Reach.OWN_UNITS
    assert live[Role.MAINTAINER] is Reach.MAINTAINED
    for action in (Action.LIVE, Action.PLAYBACK, Action.EXPORT):
        entry = POLICY[(Resource.FOOTAGE, action)]
        assert Role.AUDITOR not in entry
        assert Role.OTHER_DEPT not in entry
        for role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.OFFICER, Role.CHIEF):
            assert entry[role] is Reach.JURISDICTION
    assert live[Role.UNIT_ADMIN] is Reach.OWN_UNITS
    # Recorded footage: police only, and then only through an approved request's session
    # (Art. 18-19; tests/integration/custody has the matrix). Unit staff never.
    for action in (Action.PLAYBACK, Action.EXPORT):
        entry = POLICY[(Resource.FOOTAGE, action)]
        for role in (Role.UNIT_ADMIN, Role.UNIT_OPERATOR, Role.MAINTAINER):
            assert role not in entry


def test_authorize_footage(db: Session, registry: Registry) -> None:
    unit, _site, _system, camera = registry.covered_site(jurisdiction="360102")
    _u, _s, _y, foreign = registry.covered_site(jurisdiction="360103")
    duty = registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,))
    auditor = registry.user(role=Role.AUDITOR, jurisdiction="360102")
    db.commit()
    now = utcnow()
    minute = dt.timedelta(minutes=1)
    horizon = access.live_horizon(60)
    principal = auth_service.principal_for(db, user=duty)
    got = access.authorize_footage(
        db, principal, camera.id, Action.LIVE, now - minute, now, live_horizon=horizon
    )
    assert got.camera.id == camera.id
    assert got.custody_session is None  # a duty operator watches without a request
    with pytest.raises(Forbidden, match="no longer live"):
        access.authorize_footage(
            db,
            principal,
            camera.id,
            Action.LIVE,
            now - 60 * minute,
            now - 59 * minute,
            live_horizon=horizon,
        )
    with pytest.raises(Forbidden):
        access.authorize_footage(db, principal, camera.id, Action.PLAYBACK, now - minute, now)
    with pytest.raises(NotFound):
        access.authorize_footage(db, principal, foreign.id, Action.LIVE, now - minute, now)
    with pytest.raises(InvalidInput):
        access.authorize_footage(db, principal, camera.id, Action.READ, now - minute, now)
    assert access.may_footage(db, principal, camera.id, Action.LIVE)
    assert not access.may_footage(db, principal, camera.id, Action.EXPORT)
    audit = auth_service.principal_for(db, user=auditor)
    with pytest.raises(Forbidden):
        access.authorize_footage(db, audit, camera.id, Action.PLAYBACK, now - minute, now)


# --- console pages ------------------------------------------------------------------------


def test_every_outage_cause_and_recorder_state_is_labelled() -> None:
    for cause in OutageCause:
        assert f"outage.{cause.value}" in CATALOG
    for state in RecorderState:
        assert f"rstate.{state.value}" in CATALOG


def test_video_page_timeline_playback_and_permissions(
    client: TestClient, registry: Registry, db: Session, settings: Settings
) -> None:
    unit, _site, _system, camera = registry.covered_site(jurisdiction="360102")
    _u, _s, _y, foreign = registry.covered_site(jurisdiction="360103")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    registry.user(role=Role.AUDITOR, jurisdiction="360102", username="auditor")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="duty")
    db.commit()
    root = storage_root(db, settings.data_dir)
    t0 = china(2025, 3, 1, 10)
    record(db, root, camera.id, start=t0, seconds=4)
    outage(db, camera.id, start=t0 + dt.timedelta(seconds=4), end=t0 + dt.timedelta(minutes=30))
    db.add(
        RecorderStatus(
            camera_id=camera.id,
            node="node-a",
            state=RecorderState.RECONNECTING,
            restarts=3,
            last_segment_at=utcnow() - dt.timedelta(minutes=10),
            bitrate_bps=800_000,
            last_error="Connection refused",
        )
    )
    db.commit()

    signed_in(client, "officer")
    page = client.get(f"/cameras/{camera.id}/video", params={"day": "2025-03-01"})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'id="timeline-svg"' in html
    assert html.count('class="bar bar-recorded"') == 1
    assert html.count('class="bar bar-outage"') == 1
    assert html.count('class="bar bar-gap"') == 1  # after the outage: unexplained
    assert "摄像机无法连接" in html  # the cause, labelled
    # The bank's system is not networked (Art. 14): live use by police is direct use and
    # needs a request approving it (Art. 18) — the page says so instead of a player.
    assert 'id="live-direct"' in html
    assert 'id="live-video"' not in html
    registry.networked(_system)
    db.commit()
    networked = client.get(f"/cameras/{camera.id}/video", params={"day": "2025-03-01"}).text
    assert 'id="live-direct"' not in networked
    assert f'data-hls="/api/v1/cameras/{camera.id}/live.m3u8"' in networked  # live view
    assert "重连中" in html  # recorder state
    assert '<script src="/static/video.js"></script>' in html
    assert "<script>" not in html  # CSP: no inline script
    # The recorded bar links to its playback.
    assert f"/cameras/{camera.id}/video?day=2025-03-01&amp;start=10%3A00%3A00" in html
    # Recorded footage needs an open two-officer session bound to this sign-in (Art.
    # 18-19): without one the page says so instead of offering a player.
    assert 'id="playback-no-session"' in html
    assert 'id="playback-video"' not in html
    cookie = client.cookies[SESSION_COOKIE]
    _user, token = auth_service.resolve_token(db, token=cookie, kind="session")
    officer = db.scalar(select(User).where(User.username == "officer"))
    assert officer is not None
    grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=china(2025, 3, 1, 8),
        end=china(2025, 3, 1, 10, 30),
        data_dir=settings.data_dir,
        console_token_id=token.id,
    )
    chosen = client.get(
        f"/cameras/{camera.id}/video",
        params={"day": "2025-03-01", "start": "10:00:00", "end": "10:00:04"},
    ).text
    assert 'id="playback-video"' in chosen
    assert "/playback.m3u8?start=2025-03-01T10%3A00%3A00%2B08%3A00" in chosen
    assert 'id="clip-link"' in chosen
    long = client.get(
        f"/cameras/{camera.id}/video",
        params={"day": "2025-03-01", "start": "08:00", "end": "10:00"},
    ).text
    assert 'id="clip-too-long"' in long
    assert 'id="clip-link"' not in long
    bad = client.get(
        f"/cameras/{camera.id}/video",
        params={"day": "2025-03-01", "start": "10:00", "end": "09:00"},
    ).text
    assert 'id="range-error"' in bad
    assert 'id="playback-video"' not in bad
    assert client.get(f"/cameras/{foreign.id}/video").status_code == 404
    assert client.get(f"/cameras/{camera.id}/video", params={"day": "../x"}).status_code == 422
    assert client.get("/cameras/99999999999/video").status_code in (400, 422)
    recorders = client.get("/recorders")
    assert recorders.status_code == 200
    assert "Connection refused" in recorders.text
    assert f'href="/cameras/{camera.id}/video"' in recorders.text
    assert f'href="/cameras/{camera.id}/video"' in client.get(f"/cameras/{camera.id}").text

    # The auditor reads the camera but watches no footage; the duty operator only live.
    client.cookies.clear()
    signed_in(client, "auditor")
    html = client.get(f"/cameras/{camera.id}/video").text
    assert "data-hls" not in html
    assert 'id="playback-denied"' in html
    client.cookies.clear()
    signed_in(client, "duty")
    html = client.get(f"/cameras/{camera.id}/video").text
    assert 'id="live-video"' in html
    assert 'id="playback-denied"' in html


def test_static_video_files(client: TestClient) -> None:
    script = client.get("/static/vendor/hls.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) > 100_000
    assert client.get("/static/video.js").status_code == 200
    assert client.get("/static/video.css").status_code == 200
    for name in ("hls.js.LICENSE", "..%2fvideo.js", "hls.min.js.map", "..%2f..%2fconsole.css"):
        assert client.get(f"/static/vendor/{name}").status_code == 404, name
