"""The footage API over real sealed segments, on SQLite and PostgreSQL: playlists, segment
bytes and ranges, clips without re-encoding, snapshots, timelines, and hostile input."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.recording.enums import OutageCause
from psvis.recording.models import Segment
from psvis.recording.storage import Root
from tests.support.custody import grant
from tests.support.factories import Registry
from tests.support.http import bearer
from tests.support.media import nal_units, outage, record, slice_units, storage_root

#: A past China-time morning: the whole scene lies inside one China day.
T0 = dt.datetime(2025, 3, 1, 10, 0, 0, tzinfo=CHINA_TZ).astimezone(dt.UTC)
DAY = "2025-03-01"
API = "/api/v1"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def iso(value: dt.datetime) -> str:
    return value.astimezone(CHINA_TZ).isoformat()


@dataclass
class Scene:
    root: Root
    camera_id: int
    foreign_camera_id: int
    segments: list[Segment]
    foreign_segments: list[Segment]
    #: The officer's token and an execution session of an approved request over camera A
    #: [-60 s, 60 s) for view and copy (Art. 18-19: recorded footage needs one).
    officer: dict[str, str]


@pytest.fixture
def scene(client: TestClient, registry: Registry, db: Session, settings: Settings) -> Scene:
    """Camera A (district 360102): run 1 [0, 6) s at 320×240, an outage [6, 20), run 2
    [20, 24) at 352×288, an unexplained gap [24, 40), run 3 [40, 44) at 320×240, then an
    open operator stop. Camera B in district 360103 has one run. The officer plays it back
    through an approved request's execution session; both systems are networked for the
    police of their district (Art. 14), so live view needs no request."""
    _u, _s, _sys, camera = registry.covered_site(jurisdiction="360102", networked=True)
    _u2, _s2, _sys2, foreign = registry.covered_site(jurisdiction="360103", networked=True)
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102", username="officer")
    db.commit()
    run = grant(
        registry,
        officer=officer,
        cameras=[camera.id],
        start=at(-60),
        end=at(60),
        data_dir=settings.data_dir,
    )
    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=at(0), seconds=6)
    outage(db, camera.id, start=at(6), end=at(20), cause=OutageCause.CAMERA_UNREACHABLE)
    segments += record(db, root, camera.id, start=at(20), seconds=4, size=(352, 288))
    segments += record(db, root, camera.id, start=at(40), seconds=4)
    outage(db, camera.id, start=at(44), end=None, cause=OutageCause.OPERATOR_STOP)
    foreign_segments = record(db, root, foreign.id, start=at(0), seconds=4)
    return Scene(
        root=root,
        camera_id=camera.id,
        foreign_camera_id=foreign.id,
        segments=segments,
        foreign_segments=foreign_segments,
        officer={**bearer(client, "officer"), **run.header},
    )


def playlist_entries(text: str) -> list[tuple[float, str, bool]]:
    """(duration, uri, discontinuity before) of each entry of an m3u8 playlist."""
    entries: list[tuple[float, str, bool]] = []
    duration, discontinuity = 0.0, False
    for line in text.splitlines():
        if line == "#EXT-X-DISCONTINUITY":
            discontinuity = True
        elif line.startswith("#EXTINF:"):
            duration = float(line.removeprefix("#EXTINF:").rstrip(","))
        elif line and not line.startswith("#"):
            entries.append((duration, line, discontinuity))
            discontinuity = False
    return entries


def test_vod_playlist_entries_durations_and_discontinuities(
    client: TestClient, scene: Scene
) -> None:
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/playback.m3u8",
        params={"start": iso(at(-60)), "end": iso(at(60))},
        headers=scene.officer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    text = response.text
    assert text.startswith("#EXTM3U\n")
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    assert "#EXT-X-TARGETDURATION:2\n" in text
    assert f"#EXT-X-MEDIA-SEQUENCE:{scene.segments[0].seq}\n" in text
    entries = playlist_entries(text)
    assert [uri for _, uri, _ in entries] == [
        f"{API}/segments/{s.id}/media" for s in scene.segments
    ]
    assert [d for d, _, _ in entries] == [2.0] * 7
    # A discontinuity where a run starts after a hole (and the resolution changes).
    assert [disc for _, _, disc in entries] == [False, False, False, True, False, True, False]
    stamps = re.findall(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)", text)
    assert dt.datetime.fromisoformat(stamps[3]) == at(20)

    # A sub-range lists only the overlapping segments (half-open intervals).
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/playback.m3u8",
        params={"start": iso(at(2)), "end": iso(at(4))},
        headers=scene.officer,
    )
    assert [uri for _, uri, _ in playlist_entries(response.text)] == [
        f"{API}/segments/{scene.segments[1].id}/media"
    ]
    # Only the hole: nothing to play.
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/playback.m3u8",
        params={"start": iso(at(7)), "end": iso(at(19))},
        headers=scene.officer,
    )
    assert response.status_code == 404


def test_segment_media_bytes_and_ranges(client: TestClient, scene: Scene) -> None:
    segment = scene.segments[0]
    data = (scene.root.path / segment.rel_path).read_bytes()
    url = f"{API}/segments/{segment.id}/media"
    response = client.get(url, headers=scene.officer)
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp2t"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == data
    assert len(data) == segment.size_bytes

    partial = client.get(url, headers={**scene.officer, "Range": "bytes=188-375"})
    assert partial.status_code == 206
    assert partial.content == data[188:376]
    assert partial.headers["content-range"] == f"bytes 188-375/{len(data)}"
    tail = client.get(url, headers={**scene.officer, "Range": "bytes=-100"})
    assert tail.status_code == 206
    assert tail.content == data[-100:]
    beyond = client.get(url, headers={**scene.officer, "Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def _first_keyframe(container: av.container.InputContainer) -> bytes:
    stream = container.streams.video[0]
    for packet in container.demux(stream):
        if packet.is_keyframe and packet.size:
            return bytes(packet)
    raise AssertionError("no keyframe")


def _keyframe_at(path: Path, offset_s: float) -> bytes:
    """The source keyframe at or before ``offset_s`` into a TS segment."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        origin: int | None = None
        chosen = b""
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            origin = packet.pts if origin is None else origin
            if float((packet.pts - origin) * stream.time_base) > offset_s + 1e-6:
                break
            if packet.is_keyframe:
                chosen = bytes(packet)
    return chosen


def test_clip_is_a_copy_not_a_re_encode(client: TestClient, scene: Scene) -> None:
    start, end = at(1.5), at(5)
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/clip.mp4",
        params={"start": iso(start), "end": iso(end)},
        headers=scene.officer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "video/mp4"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content[4:8] == b"ftyp"
    # +faststart: the index (moov) comes before the media data (mdat).
    assert response.content.find(b"moov") < response.content.find(b"mdat")
    with av.open(io.BytesIO(response.content), mode="r") as clip:
        stream = clip.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)
        assert clip.duration is not None
        seconds = clip.duration / 1_000_000
        # Copy mode cuts at keyframes: the range [1.5 s, 5 s) is 3.5 s; the clip starts at
        # the keyframe at or before 1.5 s (GOP 1 s), i.e. at 1.0 s: half a GOP early.
        assert abs(seconds - 4.0) < 0.15, seconds
        clip_key = _first_keyframe(clip)
    source_key = _keyframe_at(scene.root.path / scene.segments[0].rel_path, 1.5)
    assert source_key
    # The same coded slices, byte for byte: converted from Annex B to MP4 framing only.
    assert slice_units(nal_units(clip_key, length_prefixed=True)) == slice_units(
        nal_units(source_key, length_prefixed=False)
    )
    assert slice_units(nal_units(clip_key, length_prefixed=True))

    # Every frame decodes: 4 s at 10 fps.
    with av.open(io.BytesIO(response.content), mode="r") as clip:
        frames = len(list(clip.decode(video=0)))
    assert frames == 40


def test_clip_refusals(client: TestClient, scene: Scene) -> None:
    url = f"{API}/cameras/{scene.camera_id}/clip.mp4"
    # Spans a resolution change: one MP4 track cannot hold both without re-encoding.
    response = client.get(
        url, params={"start": iso(at(0)), "end": iso(at(30))}, headers=scene.officer
    )
    assert response.status_code == 409
    assert "separately" in response.json()["error"]["message"]
    # No recording in the range.
    response = client.get(
        url, params={"start": iso(at(8)), "end": iso(at(18))}, headers=scene.officer
    )
    assert response.status_code == 404
    # More than an hour.
    response = client.get(
        url, params={"start": iso(at(0)), "end": iso(at(3601))}, headers=scene.officer
    )
    assert response.status_code == 422
    assert "at most 1 h" in response.json()["error"]["message"]


def test_snapshot_is_a_jpeg_of_the_keyframe_before(client: TestClient, scene: Scene) -> None:
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/snapshot.jpg",
        params={"at": iso(at(21.5))},
        headers=scene.officer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    assert response.content[-2:] == b"\xff\xd9"
    assert dt.datetime.fromisoformat(response.headers["x-frame-time"]) == at(21)
    with av.open(io.BytesIO(response.content), mode="r") as image:
        frame = next(image.decode(video=0))
        assert (frame.width, frame.height) == (352, 288)
    # Default: the newest recording (its last keyframe).
    newest = client.get(f"{API}/cameras/{scene.camera_id}/snapshot.jpg", headers=scene.officer)
    assert newest.status_code == 200
    assert dt.datetime.fromisoformat(newest.headers["x-frame-time"]) == at(43)
    # In a hole: nothing to show.
    hole = client.get(
        f"{API}/cameras/{scene.camera_id}/snapshot.jpg",
        params={"at": iso(at(30))},
        headers=scene.officer,
    )
    assert hole.status_code == 404


def test_timeline_recorded_outages_and_gaps(client: TestClient, scene: Scene) -> None:
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/timeline", params={"day": DAY}, headers=scene.officer
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["utc_offset"] == "+08:00"
    day_start = dt.datetime(2025, 3, 1, tzinfo=CHINA_TZ)
    assert dt.datetime.fromisoformat(body["start"]) == day_start
    assert dt.datetime.fromisoformat(body["end"]) == day_start + dt.timedelta(days=1)

    def spans(items: list[dict[str, object]]) -> list[tuple[dt.datetime, dt.datetime]]:
        return [
            (dt.datetime.fromisoformat(str(i["start"])), dt.datetime.fromisoformat(str(i["end"])))
            for i in items
        ]

    assert spans(body["recorded"]) == [(at(0), at(6)), (at(20), at(24)), (at(40), at(44))]
    assert spans(body["outages"]) == [(at(6), at(20)), (at(44), day_start + dt.timedelta(days=1))]
    assert [o["cause"] for o in body["outages"]] == ["camera_unreachable", "operator_stop"]
    assert [o["open"] for o in body["outages"]] == [False, True]
    assert spans(body["gaps"]) == [(at(24), at(40))]
    assert body["gap_seconds"] == 16
    assert body["recorded_seconds"] == 14
    assert body["pending"] is None
    assert dt.datetime.fromisoformat(body["period_start"]) == at(0)

    # The day before: before the recording period, so no gaps either.
    before = client.get(
        f"{API}/cameras/{scene.camera_id}/timeline",
        params={"day": "2025-02-28"},
        headers=scene.officer,
    ).json()
    assert before["recorded"] == before["gaps"] == before["outages"] == []


def test_recorder_status_is_scoped(
    client: TestClient, scene: Scene, db: Session, registry: Registry
) -> None:
    from psvis.recording.enums import RecorderState
    from psvis.recording.models import RecorderStatus

    for camera_id in (scene.camera_id, scene.foreign_camera_id):
        db.add(
            RecorderStatus(
                camera_id=camera_id,
                node="n1",
                state=RecorderState.RECORDING,
                restarts=2,
                last_segment_at=utcnow() - dt.timedelta(seconds=30),
                bitrate_bps=512_000,
                last_error="",
            )
        )
    db.commit()
    response = client.get(f"{API}/recorders", headers=scene.officer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["camera_id"] == scene.camera_id
    assert item["state"] == "recording"
    assert item["restarts"] == 2
    assert 29 <= item["last_segment_age_s"] < 120
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="city")
    db.commit()
    city = client.get(f"{API}/recorders", headers=bearer(client, "city")).json()
    assert city["total"] == 2


# --- live -----------------------------------------------------------------------------


def test_live_window_and_its_limits(
    client: TestClient, registry: Registry, db: Session, settings: Settings
) -> None:
    unit, _site, _system, camera = registry.covered_site(jurisdiction="360102")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="duty")
    db.commit()
    root = storage_root(db, settings.data_dir)
    old = record(db, root, camera.id, start=utcnow() - dt.timedelta(hours=2), seconds=2)
    fresh_start = (utcnow() - dt.timedelta(seconds=20)).replace(microsecond=0)
    fresh = record(db, root, camera.id, start=fresh_start, seconds=16, segment_seconds=2)
    duty = bearer(client, "duty")

    response = client.get(f"{API}/cameras/{camera.id}/live.m3u8", headers=duty)
    assert response.status_code == 200, response.text
    text = response.text
    assert "#EXT-X-PLAYLIST-TYPE" not in text  # a live (sliding) playlist
    assert "#EXT-X-ENDLIST" not in text
    window = fresh[-6:]
    assert f"#EXT-X-MEDIA-SEQUENCE:{window[0].seq}\n" in text
    uris = [uri for _, uri, _ in playlist_entries(text)]
    assert uris == [f"{API}/segments/{s.id}/live" for s in window]
    assert client.get(uris[-1], headers=duty).status_code == 200

    # A duty operator watches live, but recorded footage is playback: refused.
    assert client.get(f"{API}/segments/{old[0].id}/live", headers=duty).status_code == 403
    assert client.get(f"{API}/segments/{fresh[0].id}/media", headers=duty).status_code == 403
    playback = client.get(
        f"{API}/cameras/{camera.id}/playback.m3u8",
        params={"start": iso(fresh_start), "end": iso(fresh_start + dt.timedelta(seconds=10))},
        headers=duty,
    )
    assert playback.status_code == 403
    # The newest snapshot is live; an old one is recorded footage.
    assert client.get(f"{API}/cameras/{camera.id}/snapshot.jpg", headers=duty).status_code == 200
    old_shot = client.get(
        f"{API}/cameras/{camera.id}/snapshot.jpg",
        params={"at": iso(old[0].start_at + dt.timedelta(seconds=1))},
        headers=duty,
    )
    assert old_shot.status_code == 403


def test_live_without_recent_segments_is_404(client: TestClient, scene: Scene) -> None:
    response = client.get(f"{API}/cameras/{scene.camera_id}/live.m3u8", headers=scene.officer)
    assert response.status_code == 404
    assert "no live video" in response.json()["error"]["message"]


# --- hostile input --------------------------------------------------------------------


TRAVERSALS = ["..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc"]


@pytest.mark.parametrize("evil", TRAVERSALS)
def test_path_traversal_in_path_and_query_is_refused(
    client: TestClient, scene: Scene, evil: str
) -> None:
    cid = scene.camera_id
    good = {"start": iso(at(0)), "end": iso(at(4))}
    for url in (
        f"{API}/cameras/{evil}/playback.m3u8?start={quote(good['start'])}&end={quote(good['end'])}",
        f"{API}/cameras/{evil}/live.m3u8",
        f"{API}/cameras/{evil}/clip.mp4",
        f"{API}/cameras/{evil}/snapshot.jpg",
        f"{API}/cameras/{evil}/timeline",
        f"{API}/segments/{evil}/media",
        f"{API}/segments/{evil}/live",
        f"{API}/cameras/{cid}/playback.m3u8?start={evil}&end={quote(good['end'])}",
        f"{API}/cameras/{cid}/playback.m3u8?start={quote(good['start'])}&end={evil}",
        f"{API}/cameras/{cid}/clip.mp4?start={evil}&end={quote(good['end'])}",
        f"{API}/cameras/{cid}/snapshot.jpg?at={evil}",
        f"{API}/cameras/{cid}/timeline?day={evil}",
    ):
        response = client.get(url, headers=scene.officer)
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert b"root:" not in response.content
        assert response.headers["content-type"].startswith("application/json"), url


def test_foreign_camera_and_guessed_segment_are_not_found(client: TestClient, scene: Scene) -> None:
    fid = scene.foreign_camera_id
    params = {"start": iso(at(0)), "end": iso(at(4))}
    for url, query in (
        (f"{API}/cameras/{fid}/playback.m3u8", params),
        (f"{API}/cameras/{fid}/clip.mp4", params),
        (f"{API}/cameras/{fid}/live.m3u8", {}),
        (f"{API}/cameras/{fid}/snapshot.jpg", {}),
        (f"{API}/cameras/{fid}/timeline", {"day": DAY}),
    ):
        response = client.get(url, params=query, headers=scene.officer)
        assert response.status_code == 404, (url, response.text)
    # A guessed id of another district's segment reads exactly like a missing one.
    foreign = scene.foreign_segments[0].id
    missing = 2_000_000_000
    for kind in ("media", "live"):
        got = client.get(f"{API}/segments/{foreign}/{kind}", headers=scene.officer)
        none = client.get(f"{API}/segments/{missing}/{kind}", headers=scene.officer)
        assert got.status_code == none.status_code == 404
        assert got.json()["error"]["message"].replace(str(foreign), "N") == none.json()["error"][
            "message"
        ].replace(str(missing), "N")


@pytest.mark.parametrize(
    ("start", "end", "fragment"),
    [
        (at(10), at(5), "end must be after start"),
        (at(5), at(5), "end must be after start"),
        (at(0) - dt.timedelta(days=3650), at(0), "at most 24 h"),
        (at(0), at(0) + dt.timedelta(days=3650), "outside the recordable period"),
        (at(0), at(0) + dt.timedelta(hours=24, seconds=1), "at most 24 h"),
        (
            dt.datetime(3000, 1, 1, tzinfo=dt.UTC),
            dt.datetime(3000, 1, 1, 1, tzinfo=dt.UTC),
            "outside the recordable period",
        ),
        (
            dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
            dt.datetime(1970, 1, 1, 1, tzinfo=dt.UTC),
            "outside the recordable period",
        ),
    ],
)
def test_absurd_ranges_are_422(
    client: TestClient, scene: Scene, start: dt.datetime, end: dt.datetime, fragment: str
) -> None:
    response = client.get(
        f"{API}/cameras/{scene.camera_id}/playback.m3u8",
        params={"start": start.isoformat(), "end": end.isoformat()},
        headers=scene.officer,
    )
    assert response.status_code == 422, response.text
    assert fragment in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2025-03-01T10:00:00", "no UTC offset"),
        ("2025-03-01 10:00", "no UTC offset"),
        ("yesterday", "not an ISO 8601 time"),
        ("1741000000", "not an ISO 8601 time"),
        ("9999-12-31T23:59:59-23:59", "out of range"),
        ("0001-01-01T00:00:00+23:59", "out of range"),
    ],
)
def test_malformed_and_naive_times_are_422(
    client: TestClient, scene: Scene, value: str, fragment: str
) -> None:
    for url, params in (
        (f"{API}/cameras/{scene.camera_id}/playback.m3u8", {"start": value, "end": iso(at(4))}),
        (f"{API}/cameras/{scene.camera_id}/clip.mp4", {"start": iso(at(0)), "end": value}),
        (f"{API}/cameras/{scene.camera_id}/snapshot.jpg", {"at": value}),
    ):
        response = client.get(url, params=params, headers=scene.officer)
        assert response.status_code == 422, (url, response.text)
        assert fragment in response.json()["error"]["message"], response.text


def test_huge_ids_and_bad_days_are_422(client: TestClient, scene: Scene) -> None:
    for url in (
        f"{API}/cameras/99999999999999999999/playback.m3u8",
        f"{API}/cameras/2147483648/live.m3u8",
        f"{API}/cameras/0/snapshot.jpg",
        f"{API}/cameras/-1/timeline",
        f"{API}/segments/2147483648/media",
        f"{API}/segments/99999999999999999999999/live",
    ):
        assert client.get(url, headers=scene.officer).status_code == 422, url
    for day in ("1999-12-31", "2999-01-01", "2025-02-30", "20250301"):
        response = client.get(
            f"{API}/cameras/{scene.camera_id}/timeline",
            params={"day": day},
            headers=scene.officer,
        )
        assert response.status_code == 422, (day, response.text)


def test_a_tampered_path_is_refused_not_served(
    client: TestClient, scene: Scene, db: Session
) -> None:
    segment = scene.segments[0]
    for evil in ("../../../../../../etc/passwd", "../outside.ts", "/etc/passwd"):
        db.execute(update(Segment).where(Segment.id == segment.id).values(rel_path=evil))
        db.commit()
        response = client.get(f"{API}/segments/{segment.id}/media", headers=scene.officer)
        assert response.status_code == 503, (evil, response.text)
        body = response.json()["error"]
        assert body["code"] == "footage_unavailable"
        assert "leaves the storage root" in body["message"]
        assert "passwd" not in response.text
        assert "outside" not in response.text
        assert b"root:" not in response.content
    # A file that vanished (S2 broken) is refused too, without naming a path.
    db.execute(update(Segment).where(Segment.id == segment.id).values(rel_path="1/x/missing.ts"))
    db.commit()
    response = client.get(f"{API}/segments/{segment.id}/media", headers=scene.officer)
    assert response.status_code == 503
    assert "missing" in response.json()["error"]["message"]
    assert "1/x" not in response.text
