"""Keyframes of a recorded segment, decoded for diagnosis, and thumbnails.

Only keyframes are decoded (``skip_frame = "NONKEY"``: the decoder drops every other
frame before any work), and only as many as asked, from the start of the file, so the
cost does not grow with the segment's length. In-loop deblocking is skipped
(``skip_loop_filter``): it smooths block edges by a level or two, invisible once the
scaler has averaged the picture down to the analysis size, and saves ~12 % of the
decode. The scaler (area averaging) brings each keyframe to the analysis size in C;
only the small planes reach numpy.

**MPEG-TS fast path.** Opening a file with libavformat costs more than decoding the
keyframe (measured on a 60 s 1080p segment: ~19 ms for ``av.open``, whose stream probing
decodes the first frame once more, against ~4 ms for the keyframe itself). The recorder
writes MPEG-TS, a format simple enough to demultiplex here: 188-byte packets, the video
PID from the PAT and PMT, each PES (one access unit, as ffmpeg's muxer writes it) handed
to a bare decoder (``av.CodecContext``). Packet headers are parsed with numpy for a whole
chunk at once. Anything unexpected (no sync byte, no H.264/HEVC/MPEG video in the PMT,
nothing decoded) falls back to the libavformat path, so any container PyAV reads still
works, only slower.

    >>> frames = [k.frame for k in read_keyframes(path, limit=1)]
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np
from av.video.codeccontext import VideoCodecContext
from av.video.frame import VideoFrame
from numpy.typing import NDArray

from psvis.health.vqd.frames import ANALYSIS_WIDTH, Frame, analysis_size

__all__ = ["Keyframe", "KeyframeError", "encode_jpeg", "read_keyframes", "thumbnail_jpeg"]


class KeyframeError(RuntimeError):
    """The segment could not be opened or holds no video stream."""


@dataclass(frozen=True, slots=True)
class Keyframe:
    """A decoded keyframe: the analysis frame and its time in the segment (seconds)."""

    frame: Frame
    time_s: float | None


def _plane(frame: VideoFrame, index: int) -> NDArray[np.uint8]:
    plane = frame.planes[index]
    raw: NDArray[np.uint8] = np.frombuffer(memoryview(plane), dtype=np.uint8)
    return raw.reshape(plane.height, plane.line_size)[:, : plane.width]


def to_frame(video_frame: VideoFrame, *, width: int = ANALYSIS_WIDTH) -> Frame:
    """A decoded PyAV frame scaled (area averaging) to the analysis size."""
    out_w, out_h = analysis_size(video_frame.width, video_frame.height, target_width=width)
    full_range = video_frame.format.name.startswith("yuvj") or int(video_frame.color_range) == 2
    small = video_frame.reformat(width=out_w, height=out_h, format="yuv420p", interpolation="AREA")
    return Frame.from_yuv420(
        _plane(small, 0), _plane(small, 1), _plane(small, 2), full_range=full_range
    )


def read_keyframes(
    path: Path | str, *, limit: int | None = 1, width: int = ANALYSIS_WIDTH, threads: int = 1
) -> list[Keyframe]:
    """The first ``limit`` keyframes of the segment at ``path`` (all with None), in order.

    A decode error after at least one keyframe ends the list (a segment cut short by a
    crash still yields what it has); before any, it raises :class:`KeyframeError`.
    """
    try:
        found = _read_transport_stream(path, limit=limit, width=width, threads=threads)
    except OSError as exc:
        raise KeyframeError(f"cannot open {path}: {exc}") from exc
    if found:
        return found
    return _read_with_demuxer(path, limit=limit, width=width, threads=threads)


def _decoder(codec: str | av.codec.context.CodecContext, threads: int) -> VideoCodecContext:
    context = av.CodecContext.create(codec, "r") if isinstance(codec, str) else codec
    assert isinstance(context, VideoCodecContext)
    context.skip_frame = "NONKEY"
    context.thread_count = threads
    context.options = {"skip_loop_filter": "all"}
    return context


def _read_with_demuxer(
    path: Path | str, *, limit: int | None, width: int, threads: int
) -> list[Keyframe]:
    """Any container libavformat reads (probing included: the slow, general path)."""
    try:
        container = av.open(str(path))
    except (OSError, av.error.FFmpegError) as exc:
        raise KeyframeError(f"cannot open {path}: {exc}") from exc
    found: list[Keyframe] = []
    with container:
        if not container.streams.video:
            raise KeyframeError(f"{path} has no video stream")
        stream = container.streams.video[0]
        _decoder(stream.codec_context, threads)
        try:
            for video_frame in container.decode(stream):
                time_s = float(video_frame.time) if video_frame.time is not None else None
                found.append(Keyframe(to_frame(video_frame, width=width), time_s))
                if limit is not None and len(found) >= limit:
                    break
        except av.error.FFmpegError as exc:
            if not found:
                raise KeyframeError(f"cannot decode {path}: {exc}") from exc
    return found


# --------------------------------------------------------------------------- MPEG-TS

TS_PACKET = 188
#: Bytes read per step: a 1080p keyframe at 4 Mbit/s is 100-400 KB.
TS_CHUNK = 256 * TS_PACKET * 16
#: PMT stream types of the video codecs a camera sends (ISO/IEC 13818-1 table 2-34).
TS_VIDEO_CODECS = {0x1B: "h264", 0x24: "hevc", 0x02: "mpeg2video", 0x10: "mpeg4"}


def _section(payload: bytes, pusi: bool) -> bytes | None:
    """The PSI section starting in this payload (pointer field skipped), if one does."""
    if not pusi or not payload:
        return None
    start = 1 + payload[0]
    return payload[start:] if start < len(payload) else None


class _TsDemuxer:
    """Video PES of an MPEG-TS file, in order, as (payload, pts in 90 kHz or None).

    Only what a recorder's file needs: one program, its first video stream, whole packets
    from the start of the file. ``video`` stays None when the file is not one."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.pmt_pid: int | None = None
        self.video_pid: int | None = None
        self.codec: str | None = None
        self.bad = False

    def _psi(self, pid: int, section: bytes) -> None:
        if len(section) < 12:
            return
        length = ((section[1] & 0x0F) << 8) | section[2]
        body = section[: 3 + length - 4]  # CRC left off
        if pid == 0 and section[0] == 0x00:
            for i in range(8, len(body) - 3, 4):
                program = (body[i] << 8) | body[i + 1]
                if program != 0:  # 0 is the network PID
                    self.pmt_pid = ((body[i + 2] & 0x1F) << 8) | body[i + 3]
                    return
        elif pid == self.pmt_pid and section[0] == 0x02:
            i = 12 + (((body[10] & 0x0F) << 8) | body[11])
            while i + 5 <= len(body):
                stream_type = body[i]
                es_pid = ((body[i + 1] & 0x1F) << 8) | body[i + 2]
                if stream_type in TS_VIDEO_CODECS:
                    self.video_pid, self.codec = es_pid, TS_VIDEO_CODECS[stream_type]
                    return
                i += 5 + (((body[i + 3] & 0x0F) << 8) | body[i + 4])
            self.bad = True  # a PMT without video

    def pes(self) -> Iterator[tuple[bytes, int | None]]:
        pending = bytearray()
        started = False
        with open(self.path, "rb") as file:
            while True:
                chunk = file.read(TS_CHUNK)
                n = len(chunk) // TS_PACKET
                if n == 0:
                    break
                packets = np.frombuffer(chunk, dtype=np.uint8, count=n * TS_PACKET)
                packets = packets.reshape(n, TS_PACKET)
                if not bool((packets[:, 0] == 0x47).all()):
                    # Lost sync (a damaged file): libavformat resynchronises, this does not.
                    self.bad = True
                    return
                pid = ((packets[:, 1].astype(np.int32) & 0x1F) << 8) | packets[:, 2]
                pusi = (packets[:, 1] & 0x40) != 0
                control = (packets[:, 3] >> 4) & 0x3
                offset = 4 + np.where(control & 2, 1 + packets[:, 4].astype(np.int32), 0)
                has_payload = ((control & 1) != 0) & (offset < TS_PACKET)
                if self.video_pid is None:
                    # The PAT names the PMT's PID, the PMT the video's: two passes.
                    for table_pid in (0, None):
                        wanted = table_pid if table_pid is not None else self.pmt_pid
                        if wanted is None or self.video_pid is not None:
                            break
                        for row in np.nonzero((pid == wanted) & pusi)[0].tolist():
                            section = _section(packets[row, offset[row] :].tobytes(), True)
                            if section is not None:
                                self._psi(wanted, section)
                    if self.video_pid is None:
                        if self.bad or file.tell() > 4 * TS_CHUNK:
                            self.bad = True  # no PMT naming a video stream near the start
                            return
                        continue
                rows = np.nonzero((pid == self.video_pid) & has_payload)[0]
                if rows.size == 0:
                    continue
                # Every payload byte of the video packets, in order, in one gather.
                sel = packets[rows]
                mask = np.arange(TS_PACKET)[None, :] >= offset[rows][:, None]
                data = sel[mask].tobytes()
                lengths = TS_PACKET - offset[rows]
                starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[pusi[rows]]
                if not started:
                    if starts.size == 0:
                        continue
                    # The file may begin inside a PES (a cut stream): wait for a start.
                    data, starts = data[starts[0] :], starts - starts[0]
                    started = True
                previous = 0
                for start in starts.tolist():
                    pending += data[previous:start]
                    if pending:
                        yield _pes_payload(bytes(pending))
                    pending = bytearray()
                    previous = start
                pending += data[previous:]
        if pending:
            yield _pes_payload(bytes(pending))


def _pes_payload(pes: bytes) -> tuple[bytes, int | None]:
    """A PES packet's payload and PTS (90 kHz)."""
    if len(pes) < 9 or pes[0:3] != b"\x00\x00\x01":
        return b"", None
    header_end = 9 + pes[8]
    pts = None
    if pes[7] & 0x80 and len(pes) >= 14:
        pts = (
            ((pes[9] >> 1) & 0x07) << 30
            | pes[10] << 22
            | (pes[11] >> 1) << 15
            | pes[12] << 7
            | pes[13] >> 1
        )
    return pes[header_end:], pts


def _read_transport_stream(
    path: Path | str, *, limit: int | None, width: int, threads: int
) -> list[Keyframe]:
    """The fast path (module docstring); an empty list means "use the demuxer path"."""
    with open(path, "rb") as file:
        head = file.read(2 * TS_PACKET)
    if len(head) < 2 * TS_PACKET or head[0] != 0x47 or head[TS_PACKET] != 0x47:
        return []
    demuxer = _TsDemuxer(path)
    found: list[Keyframe] = []
    context: VideoCodecContext | None = None

    def take(frames: list[VideoFrame]) -> bool:
        for video_frame in frames:
            pts = video_frame.pts
            time_s = pts / 90_000 if pts is not None else None
            found.append(Keyframe(to_frame(video_frame, width=width), time_s))
            if limit is not None and len(found) >= limit:
                return True
        return False

    try:
        for payload, pts in demuxer.pes():
            if context is None:
                assert demuxer.codec is not None
                context = _decoder(demuxer.codec, threads)
            if not payload:
                continue
            packet = av.Packet(payload)
            packet.pts = pts
            if take(context.decode(packet)):
                return found
        if context is not None and not demuxer.bad:
            take(context.decode(None))  # the frames a decoder holds back for reordering
    except av.error.FFmpegError:
        if not found:
            return []  # let libavformat try (and name the error)
    if demuxer.bad and not found:
        return []
    return found[:limit] if limit is not None else found


def encode_jpeg(rgb: NDArray[np.uint8], *, quality: int = 5) -> bytes:
    """``H x W x 3`` uint8 RGB as JPEG bytes (PyAV's mjpeg encoder; ``quality`` is its
    qscale, 2 best - 31 worst). Odd sizes are cropped by one pixel (4:2:0)."""
    h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
    if h == 0 or w == 0:
        raise ValueError("cannot encode an empty picture")
    picture = VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:h, :w]), format="rgb24")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = w, h
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)  # required by the encoder, meaningless for one picture
    encoder.options = {"qmin": str(quality), "qmax": str(quality)}
    out = io.BytesIO()
    for packet in encoder.encode(picture.reformat(format="yuvj420p")):
        out.write(bytes(packet))
    for packet in encoder.encode(None):
        out.write(bytes(packet))
    return out.getvalue()


def thumbnail_jpeg(frame: Frame) -> bytes:
    """JPEG thumbnail of an analysis frame (the evidence kept with a fault)."""
    return encode_jpeg(frame.to_rgb())
