"""Keyframes of a recorded segment, decoded for diagnosis, and thumbnails.

Only keyframes are decoded (``skip_frame = "NONKEY"``: the decoder drops every other
frame before any work), and only as many as asked, from the start of the file: the
demuxer stops reading there, so the cost does not grow with the segment's length.
In-loop deblocking is skipped (``skip_loop_filter``): it smooths block edges by a
level or two, invisible once the decoder's scaler has averaged the picture down to
the analysis size, and saves ~12 % of the decode. The scaler (area averaging) brings
each keyframe to the analysis size in C; only the small planes reach numpy.

    >>> frames = [k.frame for k in read_keyframes(path, limit=1)]
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np
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
        container = av.open(str(path))
    except (OSError, av.error.FFmpegError) as exc:
        raise KeyframeError(f"cannot open {path}: {exc}") from exc
    found: list[Keyframe] = []
    with container:
        if not container.streams.video:
            raise KeyframeError(f"{path} has no video stream")
        stream = container.streams.video[0]
        context = stream.codec_context
        context.skip_frame = "NONKEY"
        context.thread_count = threads
        context.options = {"skip_loop_filter": "all"}
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
