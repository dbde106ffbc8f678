"""Facts about a recorded file, read with PyAV by demuxing only (no decoding)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from io import FileIO
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
    digest = sync_hash_count(path)
    return digest.size, digest.sha256


TS_PACKET = 188
#: Read size of the one pass over a sealed file: whole TS packets, about 1 MiB.
TS_CHUNK = TS_PACKET * (CHUNK // TS_PACKET)


@dataclass(frozen=True, slots=True)
class FileDigest:
    size: int
    sha256: str
    #: Keyframes counted on the MPEG-TS transport layer; None if the file is not TS.
    ts_keyframes: int | None


def sync_hash_count(path: Path) -> FileDigest:
    """fsync the file, then read it back once: size, SHA-256 and TS keyframe count.

    One read serves both, into one reused buffer, because reading a segment again (or
    into fresh memory per chunk) costs the recorder as much as counting its keyframes
    (bench/recording.py). Chunks are whole TS packets; only the last may end torn."""
    digest = hashlib.sha256()
    size = 0
    keyframes: int | None = 0
    buffer = bytearray(TS_CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        os.fsync(handle.fileno())
        while filled := _fill(handle, view):
            digest.update(view[:filled])
            size += filled
            if keyframes is not None:
                found = _ts_keyframes(buffer, filled // TS_PACKET)
                keyframes = None if found is None else keyframes + found
            if filled < len(buffer):
                break
    if size < TS_PACKET:
        keyframes = None
    return FileDigest(size=size, sha256=digest.hexdigest(), ts_keyframes=keyframes)


def _fill(handle: FileIO, view: memoryview) -> int:
    """Read until ``view`` is full or the file ends; returns the bytes read."""
    filled = 0
    while filled < len(view):
        got = handle.readinto(view[filled:])
        if not got:
            break
        filled += got
    return filled


def _ts_keyframes(data: bytes | bytearray, packets: int) -> int | None:
    """Keyframes in the first ``packets`` TS packets of ``data``; None if misaligned.

    Packets that start a PES and carry the random-access indicator (set by the muxer on
    keyframes), as bit tests over whole columns at once: byte 1 bit 6 (payload unit
    start), byte 3 bit 5 (adaptation field present), byte 5 bit 6 (random access)."""
    if packets == 0:
        return 0
    if data[0::TS_PACKET][:packets].count(0x47) != packets:
        return None
    mask = int.from_bytes(b"\x40" * packets, "big")
    start = int.from_bytes(data[1::TS_PACKET][:packets], "big") & mask
    adaptation = (int.from_bytes(data[3::TS_PACKET][:packets], "big") << 1) & mask
    random_access = int.from_bytes(data[5::TS_PACKET][:packets], "big") & mask
    return (start & adaptation & random_access).bit_count()


def count_ts_keyframes(path: Path) -> int:
    """Keyframes in an MPEG-TS file of one video stream, from the transport layer alone.
    Raises :class:`UnplayableFile` if the file is not aligned TS packets.

    This is what the recorder uses for every segment (through :func:`sync_hash_count`)
    instead of a PyAV probe: opening a file with PyAV decodes frames to find stream
    parameters and costs more CPU than everything else the recorder does per segment."""
    data = path.read_bytes()
    found = _ts_keyframes(data, len(data) // TS_PACKET)
    if found is None or len(data) < TS_PACKET:
        raise UnplayableFile(f"{path.name}: not an MPEG-TS file (sync bytes)")
    return found


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
