"""Exports without re-encoding: an MP4 clip of a range, a JPEG snapshot of an instant.

**Clip.** ffmpeg's concat demuxer reads the covering TS segments in order and copies
the video packets (``-c copy``) into one MP4 with ``-movflags +faststart``. Nothing is
decoded or encoded, so the evidence keeps the camera's own bitstream (the integrity
issue can show each packet came from a sealed segment). Trimming in copy mode can only
cut at keyframes: the clip starts at the last keyframe at or before ``start`` — **up to
one GOP early** — and ends at ``end`` (``outpoint`` drops later packets). The cut is
placed exactly on that keyframe: the first segment is demuxed with PyAV to find it, and
it is given to the concat demuxer as the file's ``inpoint`` (MPEG-TS seeking alone
lands on whatever packet is nearest, which ffmpeg would then drop up to the *next*
keyframe). Holes between segments (outages) are not filled: the clip is the recorded
footage in order. The recorder stores video only (``-map 0:v:0``), so clips have no audio.
A range whose segments change codec or resolution is refused (one MP4 track has one
decoder configuration): export the parts separately.

**Snapshot.** The keyframe at or before the instant is decoded with PyAV (one packet)
and encoded as a JPEG with PyAV's MJPEG encoder.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from psvis.core.errors import Conflict, PsvisError
from psvis.recording.ffmpeg import ffmpeg_exe, spawn, stop
from psvis.recording.media import UnplayableFile
from psvis.recording.models import Segment

log = logging.getLogger("psvis.recording.clips")

#: Longest range one clip covers.
MAX_CLIP_SPAN = dt.timedelta(hours=1)
#: ffmpeg gets this long to copy an hour of video.
CLIP_TIMEOUT_S = 300.0
JPEG_QUALITY = ("2", "5")  # mjpeg qmin/qmax: high quality


class ClipFailed(PsvisError):
    status_code = 500
    code = "clip_failed"


@dataclass(frozen=True, slots=True)
class KeyframeScan:
    """A segment file's timeline: first timestamp and keyframe times, seconds."""

    origin_s: float
    keyframes_s: tuple[float, ...]

    def keyframe_at_or_before(self, offset_s: float) -> float:
        """Absolute file time of the last keyframe at or before ``origin + offset``."""
        target = self.origin_s + offset_s
        best = self.keyframes_s[0]
        for key in self.keyframes_s:
            if key > target + 1e-6:
                break
            best = key
        return best


def scan_keyframes(path: Path) -> KeyframeScan:
    """Demux (no decoding) the video packets of ``path``: first timestamp, keyframes."""
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as exc:
        raise UnplayableFile(f"{path.name}: cannot be opened") from exc
    with container:
        stream = container.streams.video[0]
        base = stream.time_base
        if base is None:
            raise UnplayableFile(f"{path.name}: video stream without time base")
        origin: int | None = None
        keys: list[float] = []
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            origin = packet.pts if origin is None else min(origin, packet.pts)
            if packet.is_keyframe:
                keys.append(float(packet.pts * base))
    if origin is None or not keys:
        raise UnplayableFile(f"{path.name}: no keyframe")
    return KeyframeScan(origin_s=float(origin * base), keyframes_s=tuple(sorted(keys)))


def _floor_us(seconds: float) -> str:
    return f"{math.floor(seconds * 1_000_000) / 1_000_000:.6f}"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def concat_list(
    parts: Sequence[tuple[Segment, Path]], *, start: dt.datetime, end: dt.datetime
) -> str:
    """The ffconcat script for ``parts`` (in order), trimmed to ``[start, end)``."""
    lines = ["ffconcat version 1.0"]
    last = len(parts) - 1
    for index, (segment, path) in enumerate(parts):
        lines.append(f"file {_quote(path)}")
        head = (start - segment.start_at).total_seconds()
        tail = (end - segment.start_at).total_seconds()
        scan: KeyframeScan | None = None
        if index == 0 and head > 0:
            scan = scan_keyframes(path)
            key = scan.keyframe_at_or_before(head)
            if key > scan.origin_s:
                lines.append(f"inpoint {_floor_us(key)}")
        if index == last and tail < segment.media_duration_ms / 1000:
            scan = scan or scan_keyframes(path)
            lines.append(f"outpoint {_floor_us(scan.origin_s + tail)}")
    return "\n".join(lines) + "\n"


def check_uniform(segments: Sequence[Segment]) -> None:
    kinds = {(s.codec, s.width, s.height) for s in segments}
    if len(kinds) > 1:
        shown = ", ".join(f"{c} {w}×{h}" for c, w, h in sorted(kinds))
        raise Conflict(
            f"the range changes encoding ({shown}); one MP4 holds one encoding without "
            "re-encoding: export the parts separately"
        )


def write_clip(
    parts: Sequence[tuple[Segment, Path]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    out: Path,
    timeout: float = CLIP_TIMEOUT_S,
) -> None:
    """Copy ``parts`` trimmed to ``[start, end)`` into the MP4 ``out`` (no re-encoding)."""
    check_uniform([segment for segment, _ in parts])
    script = out.with_suffix(".ffconcat")
    script.write_text(concat_list(parts, start=start, end=end), "utf-8")
    argv = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(script),
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        "-y",
        str(out),
    ]
    process = spawn(argv)
    try:
        _stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stop(process)
        raise ClipFailed(f"the clip took longer than {timeout:.0f} s; try a shorter range") from exc
    finally:
        script.unlink(missing_ok=True)
    if process.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        log.error("clip ffmpeg exit %s: %s", process.returncode, " | ".join(tail))
        raise ClipFailed("ffmpeg could not write the clip; see the server log")


# --- snapshots ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    jpeg: bytes
    #: Offset of the decoded keyframe from the segment's first timestamp, seconds.
    offset_s: float
    width: int
    height: int


def snapshot(path: Path, offset_s: float | None = None) -> Snapshot:
    """JPEG of the keyframe at or before ``offset_s`` into the file (None: the last)."""
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as exc:
        raise UnplayableFile(f"{path.name}: cannot be opened") from exc
    with container:
        stream = container.streams.video[0]
        base = stream.time_base
        if base is None:
            raise UnplayableFile(f"{path.name}: video stream without time base")
        origin: int | None = None
        chosen: av.Packet[av.VideoStream] | None = None
        chosen_s = 0.0
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            origin = packet.pts if origin is None else origin
            at = float((packet.pts - origin) * base)
            if offset_s is not None and at > offset_s + 1e-6:
                break
            if packet.is_keyframe:
                chosen, chosen_s = packet, at
        if chosen is None:
            raise UnplayableFile(f"{path.name}: no keyframe at or before the instant")
        decoder = stream.codec_context
        frames = [*decoder.decode(chosen), *decoder.decode(None)]
    if not frames:
        raise UnplayableFile(f"{path.name}: the keyframe does not decode")
    frame = frames[0]
    return Snapshot(
        jpeg=encode_jpeg(frame), offset_s=chosen_s, width=frame.width, height=frame.height
    )


def encode_jpeg(frame: av.VideoFrame) -> bytes:
    encoder = av.CodecContext.create("mjpeg", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width = frame.width
    encoder.height = frame.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.options = {"qmin": JPEG_QUALITY[0], "qmax": JPEG_QUALITY[1]}
    image = frame.reformat(format="yuvj420p")
    packets = [*encoder.encode(image), *encoder.encode(None)]
    return b"".join(bytes(p) for p in packets)
