"""Real footage for tests: small H.264 MPEG-TS segments made with the static ffmpeg the
way the recorder makes them (``-f segment -reset_timestamps 1``), placed in the storage
layout and sealed through :func:`psvis.recording.sealing.seal_file` — the only way a file
enters the index.

    root = storage_root(db, settings.data_dir)
    segments = record(db, root, camera.id, start=T0, seconds=6, segment_seconds=2)
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from psvis.recording.enums import OutageCause
from psvis.recording.ffmpeg import ffmpeg_exe, spawn, stop
from psvis.recording.models import Outage, Segment
from psvis.recording.sealing import seal_file
from psvis.recording.storage import SEGMENT_NAME_PATTERN, Root, check_root, create_root

#: Frames per second and GOP (one keyframe per second) of the generated video.
FPS = 10
GOP = 10
ENCODE_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Encoded:
    path: Path
    #: Media start and end of the segment within its run, seconds (segment list CSV).
    start_s: float
    end_s: float


def storage_root(session: Session, data_dir: Path, *, name: str | None = None) -> Root:
    """A fresh storage root under ``data_dir/recordings`` (committed)."""
    label = name or f"media-{uuid.uuid4().hex[:8]}"
    row = create_root(session, name=label, path=data_dir / "recordings" / label, reserve_bytes=0)
    session.commit()
    return check_root(row)


def encode_run(
    directory: Path,
    *,
    seconds: float,
    segment_seconds: float,
    size: tuple[int, int] = (320, 240),
    fps: int = FPS,
    gop: int = GOP,
) -> list[Encoded]:
    """One ffmpeg run: a moving test picture, H.264 baseline with a fixed GOP, cut into
    MPEG-TS segments exactly like the recorder cuts them."""
    directory.mkdir(parents=True, exist_ok=True)
    width, height = size
    argv = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={fps}",
        "-t",
        f"{seconds:g}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-profile:v",
        "baseline",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-sc_threshold",
        "0",
        "-f",
        "segment",
        "-segment_time",
        f"{segment_seconds:g}",
        "-segment_format",
        "mpegts",
        "-reset_timestamps",
        "1",
        "-segment_list",
        "pipe:1",
        "-segment_list_type",
        "csv",
        str(directory / "part-%04d.ts"),
    ]
    process = spawn(argv)
    try:
        stdout, stderr = process.communicate(timeout=ENCODE_TIMEOUT_S)
    finally:
        stop(process)
    if process.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {stderr.decode('utf-8', 'replace')[-500:]}")
    encoded = []
    for line in stdout.decode().splitlines():
        name, start, end = line.strip().split(",")
        encoded.append(Encoded(directory / name, float(start), float(end)))
    return encoded


def record(
    session: Session,
    root: Root,
    camera_id: int,
    *,
    start: dt.datetime,
    seconds: float = 6,
    segment_seconds: float = 2,
    size: tuple[int, int] = (320, 240),
) -> list[Segment]:
    """Record ``seconds`` of video for the camera starting at wall time ``start``: the
    segments are placed in ``<root>/<camera>/<UTC date>/<time>Z.ts`` and sealed (the
    session is committed)."""
    scratch = Path(tempfile.mkdtemp(prefix="psvis-media-"))
    try:
        run = encode_run(scratch, seconds=seconds, segment_seconds=segment_seconds, size=size)
        sealed = []
        for part in run:
            begin = start + dt.timedelta(seconds=part.start_s)
            day_dir = root.day_dir(camera_id, begin.astimezone(dt.UTC).date())
            day_dir.mkdir(parents=True, exist_ok=True)
            target = day_dir / begin.astimezone(dt.UTC).strftime(SEGMENT_NAME_PATTERN)
            if target.exists():
                raise FileExistsError(f"{target} exists: segments must start in other seconds")
            shutil.move(part.path, target)
            sealed.append(
                seal_file(session, root=root, camera_id=camera_id, path=target, start_at=begin)
            )
        session.commit()
        return sealed
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def outage(
    session: Session,
    camera_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime | None,
    cause: OutageCause = OutageCause.CAMERA_UNREACHABLE,
    detail: str = "",
) -> Outage:
    row = Outage(camera_id=camera_id, start_at=start, end_at=end, cause=cause, detail=detail)
    session.add(row)
    session.commit()
    return row


def nal_units(data: bytes, *, length_prefixed: bool) -> list[bytes]:
    """The NAL units of an H.264 access unit: Annex B (start codes, as in MPEG-TS) or
    length-prefixed (4-byte sizes, as in MP4)."""
    units: list[bytes] = []
    if length_prefixed:
        at = 0
        while at + 4 <= len(data):
            size = int.from_bytes(data[at : at + 4], "big")
            units.append(data[at + 4 : at + 4 + size])
            at += 4 + size
        return units
    at = 0
    starts: list[int] = []
    while True:
        found = data.find(b"\x00\x00\x01", at)
        if found < 0:
            break
        starts.append(found + 3)
        at = found + 3
    for index, begin in enumerate(starts):
        end = starts[index + 1] - 3 if index + 1 < len(starts) else len(data)
        unit = data[begin:end]
        units.append(unit.rstrip(b"\x00") if index + 1 < len(starts) else unit)
    return units


def slice_units(units: list[bytes]) -> list[bytes]:
    """Coded slices only (NAL types 1 and 5): what an encoder produces for the picture."""
    return [u for u in units if u and (u[0] & 0x1F) in (1, 5)]
