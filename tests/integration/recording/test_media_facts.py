"""Media facts of real files: the transport-layer keyframe count agrees with PyAV."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.media import (
    TS_CHUNK,
    UnplayableFile,
    count_ts_keyframes,
    probe,
    sync_hash_count,
)


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


def test_one_pass_digest_agrees_with_separate_reads(clip: Path, tmp_path: Path) -> None:
    # Longer than several read chunks, with a torn last packet: chunk boundaries and the
    # carried-over bytes must not change the count or the hash.
    data = clip.read_bytes()
    copies = TS_CHUNK * 3 // len(data) + 2
    long = tmp_path / "long.ts"
    long.write_bytes(data * copies + data[:1000])
    digest = sync_hash_count(long)
    assert digest.size == len(data) * copies + 1000
    assert digest.sha256 == hashlib.sha256(long.read_bytes()).hexdigest()
    assert digest.ts_keyframes == count_ts_keyframes(long) == 8 * copies + 1


def test_one_pass_digest_of_a_file_that_is_not_ts(tmp_path: Path) -> None:
    other = tmp_path / "other.mp4"
    other.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000)
    digest = sync_hash_count(other)
    assert digest.ts_keyframes is None
    assert digest.sha256 == hashlib.sha256(other.read_bytes()).hexdigest()
