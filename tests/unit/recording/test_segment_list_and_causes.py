"""Parsing ffmpeg's segment list and classifying why a run ended: pure functions."""

from __future__ import annotations

import pytest

from psvis.recording.enums import OutageCause
from psvis.recording.outages import classify
from psvis.recording.recorder import redact
from psvis.recording.segment_list import ClosedSegment, parse_line


def test_segment_list_lines() -> None:
    assert parse_line("run-000001.ts,2.000000,4.040000\n") == ClosedSegment(
        "run-000001.ts", 2.0, 4.04
    )
    assert parse_line('"odd,name.ts",0.0,1.5') == ClosedSegment("odd,name.ts", 0.0, 1.5)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "\n",
        "garbage",
        "a.ts,1.0",
        "a.ts,x,2.0",
        "a.ts,3.0,2.0",  # ends before it starts
        "../../etc/passwd,0,1",  # a name must stay in the writing directory
        "sub/a.ts,0,1",
        ".hidden.ts,0,1",
    ],
)
def test_segment_list_rejects_hostile_or_broken_lines(line: str) -> None:
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("lines", "killed", "stalled", "cause"),
    [
        (
            ["[error] av_interleaved_write_frame(): No space left on device"],
            False,
            False,
            OutageCause.STORAGE_FULL,
        ),
        (
            ["[tcp @ 0x1] [error] Connection to tcp://127.0.0.1:9 failed: Connection refused"],
            False,
            False,
            OutageCause.CAMERA_UNREACHABLE,
        ),
        (
            ["[rtsp @ 0x1] [error] method DESCRIBE failed: 404 Not Found"],
            False,
            False,
            OutageCause.CAMERA_UNREACHABLE,
        ),
        (
            ["[error] Error during demuxing: Input/output error"],
            False,
            False,
            OutageCause.STREAM_ERROR,
        ),
        ([], True, False, OutageCause.RECORDER_CRASH),
        ([], True, True, OutageCause.STREAM_ERROR),
        (["[error] x.ts: Read-only file system"], False, False, OutageCause.STORAGE_ERROR),
    ],
)
def test_classify(lines: list[str], killed: bool, stalled: bool, cause: OutageCause) -> None:
    assert classify(lines, killed_by_signal=killed, stalled=stalled) is cause


def test_redact_hides_passwords_in_ffmpeg_lines() -> None:
    line = "[error] Error opening input file rtsp://admin:Hik%2312345@10.1.2.3:554/ch1."
    assert "Hik" not in redact(line)
    assert "rtsp://admin:***@10.1.2.3:554/ch1" in redact(line)
    assert redact("no url here") == "no url here"
