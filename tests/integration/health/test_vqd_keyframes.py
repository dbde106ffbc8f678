"""The keyframe reader on real files: the MPEG-TS fast path gives exactly what
libavformat gives, survives a cut file, and other containers take the general path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from psvis.health.vqd.keyframes import (
    TS_PACKET,
    KeyframeError,
    _read_transport_stream,
    _read_with_demuxer,
    read_keyframes,
)
from psvis.recording.ffmpeg import ffmpeg_exe


def encode(out: Path, *, preset: str, fmt: str, seconds: int = 6) -> Path:
    """testsrc2 at 10 fps, a keyframe every 2 s; ``preset`` veryfast has B-frames."""
    argv = [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi"]
    argv += ["-i", "testsrc2=size=640x360:rate=10,noise=alls=4:allf=t", "-t", str(seconds)]
    argv += ["-c:v", "libx264", "-preset", preset, "-g", "20", "-keyint_min", "20"]
    argv += ["-sc_threshold", "0", "-pix_fmt", "yuv420p", "-f", fmt, str(out)]
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, timeout=60)
    return out


@pytest.mark.parametrize("preset", ["ultrafast", "veryfast"])
def test_fast_path_matches_libavformat(tmp_path: Path, preset: str) -> None:
    clip = encode(tmp_path / "clip.ts", preset=preset, fmt="mpegts")
    fast = _read_transport_stream(clip, limit=None, width=320, threads=1)
    slow = _read_with_demuxer(clip, limit=None, width=320, threads=1)
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow, strict=True):
        assert a.time_s == pytest.approx(b.time_s)
        assert np.array_equal(a.frame.luma, b.frame.luma)
        assert np.array_equal(a.frame.cr, b.frame.cr)
    first = read_keyframes(clip, limit=1)
    assert len(first) == 1
    assert np.array_equal(first[0].frame.luma, slow[0].frame.luma)


def test_a_cut_segment_yields_the_keyframes_before_the_cut(tmp_path: Path) -> None:
    clip = encode(tmp_path / "clip.ts", preset="ultrafast", fmt="mpegts")
    whole = read_keyframes(clip, limit=None)
    data = clip.read_bytes()
    cut = tmp_path / "cut.ts"
    cut.write_bytes(data[: len(data) // 2 // TS_PACKET * TS_PACKET + 77])  # mid-packet
    partial = read_keyframes(cut, limit=None)
    assert 1 <= len(partial) < len(whole)
    assert [k.time_s for k in partial] == [k.time_s for k in whole[: len(partial)]]


def test_other_containers_take_the_general_path(tmp_path: Path) -> None:
    clip = encode(tmp_path / "clip.mp4", preset="ultrafast", fmt="mp4")
    assert _read_transport_stream(clip, limit=None, width=320, threads=1) == []
    assert len(read_keyframes(clip, limit=None)) == 3
    junk = tmp_path / "junk.ts"
    junk.write_bytes(b"\x47" + bytes(187) + b"not a stream" * 100)
    with pytest.raises(KeyframeError):
        read_keyframes(junk)
