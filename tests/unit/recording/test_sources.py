"""Recorder sources: ffmpeg input argv, credentials injected for ffmpeg only, redaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from psvis.core.errors import InvalidInput
from psvis.recording import sources
from psvis.recording.sources import (
    FileSource,
    HttpSource,
    LocalStreamSource,
    RtspSource,
    Source,
    SourceKind,
    UnsupportedSource,
    redact_url,
    source_for,
)

PASSWORD = "p@ss:w/rd%é"


def test_rtsp_argv_tcp_with_socket_timeout() -> None:
    source = source_for("rtsp://10.0.0.5:554/Streaming/Channels/101")
    assert isinstance(source, RtspSource)
    assert source.kind is SourceKind.RTSP
    assert source.input_args() == [
        "-rtsp_transport",
        "tcp",
        "-timeout",
        "10000000",
        "-i",
        "rtsp://10.0.0.5:554/Streaming/Channels/101",
    ]


def test_rtsp_udp_and_timeout() -> None:
    source = RtspSource("rtsp://cam/live", transport="udp", timeout_s=2.5)
    assert source.input_args()[:4] == ["-rtsp_transport", "udp", "-timeout", "2500000"]


@pytest.mark.parametrize("transport", ["http", "TCP", ""])
def test_rtsp_transport_is_checked(transport: str) -> None:
    with pytest.raises(InvalidInput):
        RtspSource("rtsp://cam/live", transport=transport)  # type: ignore[arg-type]


def test_rtsps_is_rtsp() -> None:
    assert isinstance(source_for("rtsps://cam:322/live"), RtspSource)


@pytest.mark.parametrize("url", ["http://cam/live.ts", "https://cam/live.flv"])
def test_http_argv(url: str) -> None:
    source = source_for(url)
    assert isinstance(source, HttpSource)
    assert source.kind is SourceKind.HTTP
    assert source.input_args() == ["-rw_timeout", "10000000", "-i", url]


def test_file_loops_at_native_rate(tmp_path: Path) -> None:
    path = tmp_path / "a b:c.ts"
    source = source_for(path.as_uri())
    assert isinstance(source, FileSource)
    assert source.kind is SourceKind.FILE
    assert source.path == path
    assert source.input_args() == ["-stream_loop", "-1", "-re", "-i", f"file:{path}"]
    assert source.redacted() == str(path)


def test_file_url_must_be_local() -> None:
    with pytest.raises(InvalidInput, match="local path"):
        source_for("file://otherhost/srv/a.ts")


def test_credentials_injected_percent_encoded_and_redacted() -> None:
    source = source_for("rtsp://10.0.0.5/live", username="ad min", password=PASSWORD)
    assert isinstance(source, RtspSource)
    url = source.input_args()[-1]
    parts = urlsplit(url)
    # Every special character is encoded, so the URL still parses to the right host.
    assert parts.hostname == "10.0.0.5"
    assert unquote(parts.username or "") == "ad min"
    assert unquote(parts.password or "") == PASSWORD
    for shown in (source.redacted(), str(source), repr(source)):
        assert "***" in shown
        assert PASSWORD not in shown
        assert quote(PASSWORD, safe="") not in shown
    assert source.redacted() == "rtsp://ad%20min:***@10.0.0.5/live"


def test_credentials_in_url_are_used_and_decoded_once() -> None:
    source = source_for("http://viewer:p%40ss@cam:8080/live.ts")
    assert isinstance(source, HttpSource)
    assert source.url == "http://viewer:p%40ss@cam:8080/live.ts"
    assert source.redacted() == "http://viewer:***@cam:8080/live.ts"


def test_given_credentials_replace_those_in_the_url() -> None:
    source = source_for("rtsp://old:oldpw@cam/live", username="new", password="newpw")
    assert source.input_args()[-1] == "rtsp://new:newpw@cam/live"


def test_username_without_password() -> None:
    source = source_for("rtsp://cam/live", username="guest")
    assert source.input_args()[-1] == "rtsp://guest@cam/live"
    assert source.redacted() == "rtsp://guest@cam/live"


def test_password_without_username_is_refused() -> None:
    with pytest.raises(InvalidInput, match="username"):
        source_for("rtsp://cam/live", password="secret")


def test_file_takes_no_credentials(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="credentials"):
        source_for((tmp_path / "a.ts").as_uri(), username="u", password="p")


def test_scrub_masks_the_password_in_ffmpeg_lines() -> None:
    source = source_for("rtsp://cam/live", username="admin", password=PASSWORD)
    url = source.input_args()[-1]
    line = f"Error opening input file {url}."
    assert source.scrub(line) == "Error opening input file rtsp://admin:***@cam/live."
    assert PASSWORD not in source.scrub(f"auth {PASSWORD} refused")
    short = source_for("rtsp://cam/live", username="u", password="pw")
    assert short.scrub("rtsp://u:pw@cam/x") == "rtsp://u:***@cam/x"
    assert source_for("rtsp://cam/live").scrub("plain") == "plain"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://u:secret@h/x", "rtsp://u:***@h/x"),
        ("rtsp://u@h/x", "rtsp://u@h/x"),
        ("rtsp://h/x?a=b@c", "rtsp://h/x?a=b@c"),
        ("rtsp://u:se@cr@et@h:554/x", "rtsp://u:***@h:554/x"),
        ("http://[::1", "***"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://cam/x", "srt://cam:9000", "udp://239.0.0.1:1234"])
def test_unknown_scheme_is_a_clear_error(url: str) -> None:
    scheme = url.split(":", 1)[0]
    with pytest.raises(UnsupportedSource, match=f"scheme '{scheme}' is not supported") as info:
        source_for(url)
    assert "rtsp" in info.value.message


def test_no_scheme_and_no_url() -> None:
    with pytest.raises(UnsupportedSource, match="no scheme"):
        source_for("/srv/video.ts")
    with pytest.raises(InvalidInput, match="no stream URL"):
        source_for("")


def test_gb28181_points_to_the_plug_in() -> None:
    with pytest.raises(UnsupportedSource, match="register_scheme"):
        source_for("gb28181://34020000001320000001")


def test_malformed_url_does_not_echo_the_password() -> None:
    with pytest.raises(InvalidInput) as info:
        source_for("rtsp://admin:hunter22/live")
    assert "hunter22" not in str(info.value)


def test_local_stream_source_argv() -> None:
    udp = LocalStreamSource("udp://127.0.0.1:30000")
    assert udp.kind is SourceKind.LOCAL
    assert udp.input_args() == [
        "-f",
        "mpeg",
        "-timeout",
        "10000000",
        "-i",
        "udp://127.0.0.1:30000",
    ]
    fifo = LocalStreamSource("/run/psvis/cam1.ps")
    assert fifo.input_args() == ["-f", "mpeg", "-i", "file:/run/psvis/cam1.ps"]
    with pytest.raises(InvalidInput, match="loopback"):
        LocalStreamSource("udp://10.0.0.1:30000")


@pytest.fixture
def gb28181_plugged_in() -> Iterator[None]:
    before = dict(sources._FACTORIES)
    port = 30000

    def gateway(url: str, username: str, password: str) -> Source:
        return LocalStreamSource(f"udp://127.0.0.1:{port}")

    sources.register_scheme("gb28181", gateway)
    try:
        yield
    finally:
        sources._FACTORIES.clear()
        sources._FACTORIES.update(before)


@pytest.mark.usefixtures("gb28181_plugged_in")
def test_register_scheme_plugs_in_a_source_kind() -> None:
    source = source_for("gb28181://34020000001320000001")
    assert isinstance(source, LocalStreamSource)
    assert source.input_args()[-1] == "udp://127.0.0.1:30000"
