"""Media facts of real files: the transport-layer keyframe count agrees with PyAV."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.media import UnplayableFile, count_ts_keyframes, probe


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "clip.ts"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=25",
            "-t",
            "6",
            "-c:v",
            "libx264",
            "-g",
            "20",
            "-keyint_min",
            "20",
            "-sc_threshold",
            "0",
            "-f",
            "mpegts",
            str(path),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path


def test_keyframe_count_matches_pyav(clip: Path) -> None:
    facts = probe(clip)
    assert facts.codec == "h264"
    assert (facts.width, facts.height) == (320, 180)
    assert facts.keyframes == 8  # 150 frames, GOP 20
    assert count_ts_keyframes(clip) == facts.keyframes
    assert 5900 <= facts.duration_ms <= 6100


def test_truncated_file_still_counts_what_it_has(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    half = tmp_path / "half.ts"
    half.write_bytes(data[: (len(data) // 2 // 188) * 188 + 100])  # a torn last packet
    facts = probe(half)
    assert 1 <= facts.keyframes < 8
    assert count_ts_keyframes(half) == facts.keyframes


@pytest.mark.parametrize("content", [b"", b"x" * 1000, b"\x47" + b"\x00" * 400])
def test_junk_is_unplayable(tmp_path: Path, content: bytes) -> None:
    junk = tmp_path / "junk.ts"
    junk.write_bytes(content)
    with pytest.raises(UnplayableFile):
        probe(junk)
    with pytest.raises(UnplayableFile):
        count_ts_keyframes(junk) if content[:1] != b"\x47" else _zero_or_raise(junk)


def _zero_or_raise(path: Path) -> None:
    if count_ts_keyframes(path) == 0:
        raise UnplayableFile("no keyframe")
