"""The watermarked viewing copy, made by the real ffmpeg from real H.264 segments and
read back with PyAV: length, codec, the watermark really drawn, hostile text drawn
literally, a machine without a CJK font refused clearly."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import pytest

from psvis.core.errors import Conflict, InvalidInput
from psvis.custody.fonts import FontFace, FontMissing, find_cjk_font
from psvis.custody.watermark import (
    CRF,
    MAX_LINES,
    MAX_SPAN_S,
    PRESET,
    ViewingCopyFailed,
    clean_line,
    filter_value,
    make_viewing_copy,
)
from psvis.recording.ffmpeg import ffmpeg_exe, spawn, stop
from psvis.recording.media import UnplayableFile
from tests.support.media import FPS, encode_run

LINES = [
    "调取申请 ZQ-2024-0001 · 案件 A3201-2024-77",
    "经办人：张三（警号 012345）、李四（警号 067890）",
    "导出时间 2024-05-01 16:00:00 (UTC+8)",
]
FRAME_S = 1 / FPS


# --- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plane:
    """One 8-bit plane of a decoded frame, rows without padding."""

    width: int
    height: int
    rows: list[bytes]

    def mean_diff(self, other: Plane, box: tuple[float, float, float, float]) -> float:
        """Mean absolute difference over a box given as fractions (x0, y0, x1, y1)."""
        x0, y0, x1, y1 = (
            int(box[0] * self.width),
            int(box[1] * self.height),
            int(box[2] * self.width),
            int(box[3] * self.height),
        )
        total = sum(
            abs(a - b)
            for y in range(y0, y1)
            for a, b in zip(self.rows[y][x0:x1], other.rows[y][x0:x1], strict=True)
        )
        return total / ((x1 - x0) * (y1 - y0))

    def max_deviation(self, value: int) -> int:
        return max(abs(px - value) for row in self.rows for px in row)


def plane(frame: av.VideoFrame, index: int = 0) -> Plane:
    image = frame.reformat(format="yuv420p")
    p = image.planes[index]
    data = bytes(p)
    rows = [data[y * p.line_size : y * p.line_size + p.width] for y in range(p.height)]
    return Plane(p.width, p.height, rows)


def frames(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def run_ffmpeg(argv: list[str]) -> None:
    process = spawn([ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *argv])
    try:
        _out, err = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode == 0, err.decode("utf-8", "replace")


def plain_copy(segments: Sequence[Path], *, start_s: float, duration_s: float, out: Path) -> None:
    """The same cut and encoder settings as the viewing copy, without the watermark."""
    script = out.with_suffix(".ffconcat")
    script.write_text(
        "ffconcat version 1.0\n" + "".join(f"file '{p}'\n" for p in segments), "utf-8"
    )
    run_ffmpeg(
        [
            *("-f", "concat", "-safe", "0", "-ss", f"{start_s:.6f}", "-i", str(script)),
            *("-t", f"{duration_s:.6f}", "-map", "0:v:0", "-c:v", "libx264"),
            *("-preset", PRESET, "-crf", CRF, "-pix_fmt", "yuv420p", "-y", str(out)),
        ]
    )


def encode_flat(directory: Path, *, seconds: int, segment_seconds: int) -> list[Path]:
    """A still grey picture cut into TS segments: any change between frames of its copy
    comes from the watermark."""
    directory.mkdir(parents=True)
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", f"color=c=0x808080:size=320x240:rate={FPS}"),
            *("-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast"),
            *("-pix_fmt", "yuv420p", "-g", str(FPS), "-f", "segment"),
            *("-segment_time", str(segment_seconds), "-segment_format", "mpegts"),
            *("-reset_timestamps", "1", str(directory / "part-%04d.ts")),
        ]
    )
    return sorted(directory.glob("part-*.ts"))


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(".viewing-")]


@pytest.fixture(scope="module")
def segments(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    run = encode_run(tmp_path_factory.mktemp("src"), seconds=6, segment_seconds=2)
    return [part.path for part in run]


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return encode_flat(tmp_path_factory.mktemp("flat") / "ts", seconds=4, segment_seconds=2)


# --- the copy -----------------------------------------------------------------------------


def test_copy_is_h264_of_the_asked_length(segments: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    copy = make_viewing_copy(
        segments=segments, start_offset_s=1.3, duration_s=3.0, out=out, lines=LINES
    )
    assert copy.path == out
    assert copy.size_bytes == out.stat().st_size > 0
    assert copy.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (copy.width, copy.height) == (320, 240)
    assert abs(copy.duration_s - 3.0) <= 2 * FRAME_S
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert container.duration is not None
        assert abs(container.duration / av.time_base - 3.0) <= 2 * FRAME_S
        decoded = sum(1 for _ in container.decode(stream))
    assert abs(decoded - 30) <= 2
    assert leftovers(tmp_path) == []


def test_copy_crosses_segments_and_starts_at_the_offset(
    segments: list[Path], tmp_path: Path
) -> None:
    # 1.3 s into the first 2 s segment, 3.5 s long: the cut spans three segments and
    # starts between keyframes (one per second), which re-encoding allows exactly.
    out = tmp_path / "copy.mp4"
    make_viewing_copy(segments=segments, start_offset_s=1.3, duration_s=3.5, out=out, lines=LINES)
    copy_first = plane(frames(out)[0])
    source = frames(segments[0])
    # The source frame the copy starts with is the one at 1.3 s (index 13 at 10 fps):
    # compared in the middle band, away from the corner blocks.
    band = (0.0, 0.35, 1.0, 0.65)
    scores = {i: copy_first.mean_diff(plane(source[i]), band) for i in range(8, 19)}
    assert min(scores, key=lambda i: scores[i]) == 13
    assert abs(len(frames(out)) - 35) <= 2


def test_the_watermark_is_drawn_where_the_text_is(segments: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    make_viewing_copy(segments=segments, start_offset_s=0.5, duration_s=2.0, out=out, lines=LINES)
    plain = tmp_path / "plain.mp4"
    plain_copy(segments, start_s=0.5, duration_s=2.0, out=plain)
    marked, clean = plane(frames(out)[5]), plane(frames(plain)[5])
    top_left = marked.mean_diff(clean, (0.0, 0.0, 0.3, 0.12))
    bottom_right = marked.mean_diff(clean, (0.7, 0.88, 1.0, 1.0))
    middle = marked.mean_diff(clean, (0.1, 0.4, 0.9, 0.6))
    # Corner blocks: dark box and bright text over the picture. The middle: the
    # repeated translucent pattern, weaker but well above encoder noise.
    assert top_left > 15
    assert bottom_right > 15
    assert middle > 2
    assert top_left > 3 * middle
    # Encoder noise alone: two plain encodes of the same cut are (nearly) identical.
    again = tmp_path / "plain-2.mp4"
    plain_copy(segments, start_s=0.5, duration_s=2.0, out=again)
    assert plane(frames(again)[5]).mean_diff(clean, (0.0, 0.0, 1.0, 1.0)) < 1

    # Other text, other pixels in the corner.
    other = tmp_path / "other.mp4"
    make_viewing_copy(
        segments=segments,
        start_offset_s=0.5,
        duration_s=2.0,
        out=other,
        lines=["调取申请 ZQ-2099-9999", "经办人：王五（警号 999999）"],
    )
    assert plane(frames(other)[5]).mean_diff(marked, (0.0, 0.0, 0.4, 0.12)) > 5


def test_the_pattern_covers_the_whole_frame(flat: list[Path], tmp_path: Path) -> None:
    # On a flat grey picture every eighth of the frame (a 4×2 grid) shows watermark.
    out = tmp_path / "copy.mp4"
    make_viewing_copy(segments=flat, start_offset_s=0, duration_s=1.0, out=out, lines=LINES)
    luma = plane(frames(out)[3])
    grey = Plane(luma.width, luma.height, [bytes([128]) * luma.width] * luma.height)
    for col in range(4):
        for row in range(2):
            cell = (col / 4, row / 2, (col + 1) / 4, (row + 1) / 2)
            assert luma.mean_diff(grey, cell) > 3, cell


def test_hostile_text_is_drawn_literally(flat: list[Path], tmp_path: Path) -> None:
    hostile = [
        "ZQ'1:2\\3,4;5[6]",
        "%{pts} %{n} %{localtime} %%{frame_num}",
        "x:fontcolor=red:fontsize=200",
        "line\nbreak\r\tand\x00nul",
        "\u202eRTL override\u200f 张三",
        "'; drawbox=c=red:t=fill",
    ]
    directory = tmp_path / "out:dir,with'quotes[and];back\\slash%{pts}"
    directory.mkdir()
    out = directory / "copy.mp4"
    copy = make_viewing_copy(
        segments=flat, start_offset_s=0.2, duration_s=2.5, out=out, lines=hostile
    )
    assert copy.path.is_file()
    decoded = frames(out)
    first, last = decoded[0], decoded[-1]
    # A still picture and a text that does not expand: every frame looks the same (with
    # %{pts} or %{n} expanded, the numbers would change between frames).
    assert plane(first).mean_diff(plane(last), (0, 0, 1, 1)) < 1.5
    # Nothing turned red: the chroma planes stay neutral (white text, black box, grey).
    for index in (1, 2):
        assert plane(first, index).max_deviation(128) < 12
    assert leftovers(directory) == []


def test_clean_line_replaces_control_and_format_characters() -> None:
    assert clean_line("a\nb\r\tc\x00d") == "a b c d"
    assert clean_line("\u202eabc\u200f\u2028x") == "abc x"
    assert clean_line("  ZQ'1:2\\3 %{pts}  ") == "ZQ'1:2\\3 %{pts}"


def test_filter_value_escapes_both_levels() -> None:
    # The worked example of ffmpeg-filters "Notes on filtergraph escaping".
    text = "this is a 'string': may contain one, or more, special characters"
    assert filter_value(text) == (
        "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters"
    )
    assert filter_value("/a/b.ttc") == "/a/b.ttc"
    assert filter_value("[x];y\\") == "\\[x\\]\\;y\\\\\\\\"


# --- refusals -----------------------------------------------------------------------------


def test_no_cjk_font_is_a_clear_error(segments: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    with pytest.raises(FontMissing, match="fonts-noto-cjk") as caught:
        make_viewing_copy(
            segments=segments, start_offset_s=0, duration_s=1, out=out, lines=LINES, fonts=()
        )
    assert "no paths" in caught.value.message
    absent = FontFace(tmp_path / "NotoSansCJK-Regular.ttc", 2)
    with pytest.raises(FontMissing, match=r"NotoSansCJK-Regular\.ttc"):
        make_viewing_copy(
            segments=segments,
            start_offset_s=0,
            duration_s=1,
            out=out,
            lines=LINES,
            fonts=[absent],
        )
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_face_missing_from_the_collection_is_a_clear_error(
    segments: list[Path], tmp_path: Path
) -> None:
    face = find_cjk_font()
    if not face.is_collection:
        pytest.skip(f"the system CJK font {face.path} is not a collection")
    out = tmp_path / "copy.mp4"
    with pytest.raises(FontMissing, match="has no face 99"):
        make_viewing_copy(
            segments=segments,
            start_offset_s=0,
            duration_s=1,
            out=out,
            lines=LINES,
            fonts=[FontFace(face.path, 99)],
        )
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"segments": []}, "no segments"),
        ({"start_offset_s": -0.1}, "start offset"),
        ({"start_offset_s": float("nan")}, "start offset"),
        ({"start_offset_s": float("inf")}, "start offset"),
        ({"duration_s": 0}, "duration"),
        ({"duration_s": -1}, "duration"),
        ({"duration_s": float("nan")}, "duration"),
        ({"duration_s": MAX_SPAN_S + 1}, "duration"),
        ({"lines": []}, "1 to"),
        ({"lines": ["x"] * (MAX_LINES + 1)}, "1 to"),
        ({"lines": ["", " ", "\n\u202e"]}, "empty"),
        ({"lines": ["调" * 161]}, "more than"),
        ({"lines": "ZQ-2024-0001"}, "not one string"),
        ({"lines": [b"bytes"]}, "strings"),
    ],
)
def test_malformed_input_is_refused(
    segments: list[Path], tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "segments": segments,
        "start_offset_s": 0.0,
        "duration_s": 1.0,
        "out": tmp_path / "copy.mp4",
        "lines": LINES,
        **kwargs,
    }
    with pytest.raises(InvalidInput, match=message):
        make_viewing_copy(**arguments)  # type: ignore[arg-type]
    assert not (tmp_path / "copy.mp4").exists()


def test_missing_segment_file_and_missing_directory(segments: list[Path], tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="segment file missing"):
        make_viewing_copy(
            segments=[*segments, tmp_path / "gone.ts"],
            start_offset_s=0,
            duration_s=1,
            out=tmp_path / "copy.mp4",
            lines=LINES,
        )
    with pytest.raises(InvalidInput, match="does not exist"):
        make_viewing_copy(
            segments=segments,
            start_offset_s=0,
            duration_s=1,
            out=tmp_path / "nowhere" / "copy.mp4",
            lines=LINES,
        )


def test_an_existing_file_is_never_overwritten(segments: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    out.write_bytes(b"earlier export")
    with pytest.raises(Conflict, match="never overwritten"):
        make_viewing_copy(segments=segments, start_offset_s=0, duration_s=1, out=out, lines=LINES)
    assert out.read_bytes() == b"earlier export"


def test_a_range_past_the_footage_fails_cleanly(segments: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "copy.mp4"
    with pytest.raises(ViewingCopyFailed):
        make_viewing_copy(segments=segments, start_offset_s=30, duration_s=2, out=out, lines=LINES)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_garbage_segments_fail_cleanly(segments: list[Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.ts"
    junk.write_bytes(b"\x47not a transport stream" * 500)
    out = tmp_path / "copy.mp4"
    with pytest.raises(UnplayableFile):
        make_viewing_copy(segments=[junk], start_offset_s=0, duration_s=1, out=out, lines=LINES)
    # A bad file after a good one: ffmpeg's concat skips what it cannot demux, and the
    # result says it holds only the good segment's two seconds (the caller compares).
    copy = make_viewing_copy(
        segments=[segments[0], junk], start_offset_s=0, duration_s=3, out=out, lines=LINES
    )
    assert abs(copy.duration_s - 2.0) <= 2 * FRAME_S
    assert leftovers(tmp_path) == []
