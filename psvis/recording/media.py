"""Facts about a recorded file, read with PyAV by demuxing only (no decoding)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import av

from psvis.core.errors import PsvisError

CHUNK = 1 << 20


class UnplayableFile(PsvisError):
    """No video stream, no keyframe or no duration: cannot be sealed (→ quarantine)."""


@dataclass(frozen=True, slots=True)
class MediaFacts:
    duration_ms: int
    keyframes: int
    codec: str
    width: int
    height: int
    #: Presentation time of the first video packet, seconds (media timeline).
    first_pts_s: float


def probe(path: Path) -> MediaFacts:
    """Demux every video packet: PTS span, keyframe count, codec and size."""
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnplayableFile(f"{path.name}: cannot be opened ({exc.__class__.__name__})") from exc
    with container:
        if not container.streams.video:
            raise UnplayableFile(f"{path.name}: no video stream")
        stream = container.streams.video[0]
        base = stream.time_base
        if base is None:
            raise UnplayableFile(f"{path.name}: video stream without time base")
        first: int | None = None
        last_end: int | None = None
        keyframes = 0
        try:
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                if packet.is_keyframe:
                    keyframes += 1
                first = packet.pts if first is None else min(first, packet.pts)
                end = packet.pts + (packet.duration or 0)
                last_end = end if last_end is None else max(last_end, end)
        except av.error.FFmpegError:
            pass  # a truncated tail: the packets before it count (crash recovery)
        ctx = stream.codec_context
        codec, width, height = ctx.name or "", ctx.width or 0, ctx.height or 0
    if first is None or last_end is None or keyframes == 0:
        raise UnplayableFile(f"{path.name}: no keyframe")
    duration_ms = int((last_end - first) * base * 1000)
    if duration_ms <= 0:
        raise UnplayableFile(f"{path.name}: no duration")
    return MediaFacts(
        duration_ms=duration_ms,
        keyframes=keyframes,
        codec=codec,
        width=width,
        height=height,
        first_pts_s=float(first * base),
    )


def sync_and_hash(path: Path) -> tuple[int, str]:
    """fsync the file, then read it back: (size in bytes, SHA-256 hex)."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return size, digest.hexdigest()


TS_PACKET = 188


def count_ts_keyframes(path: Path) -> int:
    """Keyframes in an MPEG-TS file of one video stream, from the transport layer alone:
    packets that start a PES and carry the random-access indicator (set by the muxer on
    keyframes). Raises :class:`UnplayableFile` if the file is not aligned TS packets.

    This is what the recorder uses for every segment of a run after the first (which
    PyAV probes): opening a file with PyAV decodes frames to find stream parameters and
    costs more CPU than everything else the recorder does per segment."""
    data = path.read_bytes()
    packets = len(data) // TS_PACKET
    if packets == 0 or data[0::TS_PACKET][:packets].count(0x47) != packets:
        raise UnplayableFile(f"{path.name}: not an MPEG-TS file (sync bytes)")
    # Bit tests over whole columns at once: byte 1 bit 6 (payload unit start), byte 3
    # bit 5 (adaptation field present), byte 5 bit 6 (random access), as big integers.
    mask = int.from_bytes(b"\x40" * packets, "big")
    start = int.from_bytes(data[1::TS_PACKET][:packets], "big") & mask
    adaptation = (int.from_bytes(data[3::TS_PACKET][:packets], "big") << 1) & mask
    random_access = int.from_bytes(data[5::TS_PACKET][:packets], "big") & mask
    return (start & adaptation & random_access).bit_count()


def stream_params(path: Path) -> tuple[str, int, int]:
    """Codec name, width and height of the first video stream (PyAV, no packet loop)."""
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise UnplayableFile(f"{path.name}: no video stream")
            ctx = container.streams.video[0].codec_context
            return ctx.name or "", ctx.width or 0, ctx.height or 0
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnplayableFile(f"{path.name}: cannot be opened ({exc.__class__.__name__})") from exc
