"""The GStreamer RTSP test server serves H.264 that PyAV and the recorder's ffmpeg read."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable

import av
import pytest

from psvis.recording.ffmpeg import ffmpeg_exe
from psvis.recording.sources import RtspSource, source_for
from tests.support import rtsp_fixtures
from tests.support.rtsp_server import RtspServer
from tests.support.rtsp_server import rtsp_server as run_rtsp_server

pytestmark = pytest.mark.slow

# The fixtures, by name (an import would be flagged as shadowed by the test arguments).
rtsp_server = rtsp_fixtures.rtsp_server
make_rtsp_server = rtsp_fixtures.make_rtsp_server


def test_serves_h264_over_rtsp_tcp(rtsp_server: RtspServer) -> None:
    assert rtsp_server.url.endswith("/test")
    with av.open(rtsp_server.url, options={"rtsp_transport": "tcp"}, timeout=(15, 10)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (640, 360)
        frames = []
        for frame in c.decode(stream):
            frames.append(frame)
            if len(frames) == 5:
                break
        assert all((f.width, f.height) == (640, 360) for f in frames)


def ffmpeg_reads(args: list[str], frames: int = 5) -> subprocess.CompletedProcess[str]:
    argv = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *args]
    argv += ["-frames:v", str(frames), "-f", "null", "-"]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_recorder_argv_reads_the_server(rtsp_server: RtspServer, transport: str) -> None:
    source = RtspSource(rtsp_server.url, transport=transport)  # type: ignore[arg-type]
    result = ffmpeg_reads(source.input_args())
    assert result.returncode == 0, result.stderr


def test_injected_credentials_authenticate(make_rtsp_server: Callable[..., RtspServer]) -> None:
    password = "p@ss:w/rd%é"
    server = make_rtsp_server(username="ad min", password=password, width=320, height=240)
    good = source_for(server.url, username="ad min", password=password)
    result = ffmpeg_reads(good.input_args())
    assert result.returncode == 0, good.scrub(result.stderr)

    wrong = source_for(server.url, username="ad min", password="wrong-password")
    result = ffmpeg_reads(wrong.input_args())
    assert result.returncode != 0
    assert "401" in result.stderr
    # ffmpeg repeats the URL with the password; scrub() masks it for the logs.
    assert "wrong-password" in result.stderr
    assert "wrong-password" not in wrong.scrub(result.stderr)
    with pytest.raises(av.error.HTTPUnauthorizedError):
        av.open(server.url, options={"rtsp_transport": "tcp"}, timeout=(15, 10))


def test_context_manager_stops_the_server() -> None:
    rtsp_fixtures.require_rtsp_server()
    with run_rtsp_server(width=320, height=240) as server:
        process = server.process
        assert process.poll() is None
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):
            pass
    assert process.poll() is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
