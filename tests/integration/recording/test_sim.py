"""The camera simulator, with real ffmpeg processes, read back with PyAV."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import av.container
import av.video.frame
import pytest

from psvis.core.errors import InvalidInput
from psvis.recording.sim import (
    ControlServer,
    Encoding,
    Fault,
    SimCamera,
    SimError,
    Simulator,
    escape_filter_value,
    find_font,
    parse_bitrate,
    parse_size,
)

pytestmark = pytest.mark.slow

WIDTH, HEIGHT, FPS, GOP = 320, 240, 25, 25
OPEN_TIMEOUT = (10.0, 5.0)  # seconds: open, then each read


# --------------------------------------------------------------------------- helpers


def free_consecutive_ports(n: int) -> int:
    """A port P such that P .. P+n-1 are free right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + n > 65535:
            continue
        held = []
        try:
            for port in range(base, base + n):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
        return base
    raise RuntimeError("no free consecutive ports")


def open_stream(url: str, *, within: float = 10.0) -> av.container.InputContainer:
    """Open ``url``, retrying while the camera's ffmpeg restarts (connection refused)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return av.open(url, timeout=OPEN_TIMEOUT)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def first_frames(url: str, count: int = 1) -> list[av.video.frame.VideoFrame]:
    with open_stream(url) as container:
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) >= count:
                return frames
    raise AssertionError("stream ended before any frame")


def mean_luma(frame: av.video.frame.VideoFrame) -> float:
    """Mean of the Y plane (0-255), without the row padding."""
    plane = frame.planes[0]
    data = bytes(plane)
    rows = (
        data[r * plane.line_size : r * plane.line_size + frame.width] for r in range(frame.height)
    )
    return sum(sum(row) for row in rows) / (frame.width * frame.height)


def centre(frame: av.video.frame.VideoFrame) -> bytes:
    """The middle rows of the Y plane: the picture without the OSD lines."""
    plane = frame.planes[0]
    data = bytes(plane)
    rows = range(frame.height // 3, 2 * frame.height // 3)
    return b"".join(data[r * plane.line_size : r * plane.line_size + frame.width] for r in rows)


def changed_fraction(before: bytes, after: bytes) -> float:
    """Share of (sampled) pixels whose luma moved by more than coding noise."""
    pairs = list(zip(before[::7], after[::7], strict=True))
    return sum(1 for a, b in pairs if abs(a - b) > 12) / len(pairs)


def connection_refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def ffmpeg_children() -> list[int]:
    """Running ffmpeg processes whose parent is this test process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"ffmpeg" in cmdline[0]:
            found.append(int(entry.name))
    return found


def serving_ffmpeg(pid: int, port: int) -> bool:
    """Whether ``pid`` is (still) an ffmpeg serving ``port``."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"ffmpeg" in cmdline and f"127.0.0.1:{port}/".encode() in cmdline


def assert_all_gone(simulator: Simulator) -> None:
    for camera in simulator.cameras:
        assert not camera.running()
        assert camera.started_pids
        assert not [pid for pid in camera.started_pids if serving_ffmpeg(pid, camera.port)]
        assert connection_refused(camera.port)
    mine = {pid for camera in simulator.cameras for pid in camera.started_pids}
    assert not mine & set(ffmpeg_children())


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(
        2, free_consecutive_ports(2), width=WIDTH, height=HEIGHT, fps=FPS, gop=GOP, bitrate=400_000
    )
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()
        assert_all_gone(simulator)


# --------------------------------------------------------------------------- pure parts


def test_argv_is_the_documented_command() -> None:
    camera = SimCamera("CAM-1", 18000, 640, 360, 25, 50, 1_000_000)
    argv = camera.argv()
    assert argv[1:11] == [
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "level+warning",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=25",
    ]
    chain = argv[argv.index("-vf") + 1]
    assert f"fontfile={find_font()}" in chain
    assert "text=CAM-1" in chain
    assert "%{localtime}" in chain
    tail = argv[argv.index("-c:v") :]
    assert tail[:5] == ["-c:v", "libx264", "-preset", "ultrafast", "-tune"]
    assert tail[tail.index("-g") : tail.index("-g") + 2] == ["-g", "50"]
    assert tail[tail.index("-b:v") : tail.index("-b:v") + 2] == ["-b:v", "1000000"]
    assert tail[tail.index("-pix_fmt") : tail.index("-pix_fmt") + 2] == ["-pix_fmt", "yuv420p"]
    assert tail[-5:] == ["-f", "mpegts", "-listen", "1", "http://127.0.0.1:18000/live.ts"]


def test_escape_filter_value_quotes_both_levels() -> None:
    assert escape_filter_value("plain 名") == "plain 名"
    assert escape_filter_value("a:b") == "a\\\\:b"
    assert escape_filter_value("a,b;c[d]") == "a\\,b\\;c\\[d\\]"
    assert escape_filter_value("x\ny") == "xy"


def test_parse_size_and_bitrate() -> None:
    assert parse_size("640x360") == (640, 360)
    assert parse_bitrate("1M") == 1_000_000
    assert parse_bitrate("512k") == 512_000
    assert parse_bitrate("1.5M") == 1_500_000
    for bad in ("640", "axb", "-1x2"):
        with pytest.raises(InvalidInput):
            parse_size(bad)
    for bad in ("fast", "1G", ""):
        with pytest.raises(InvalidInput):
            parse_bitrate(bad)
    with pytest.raises(InvalidInput, match="even"):
        Encoding(641, 360, 25, 50, 1_000_000)


def test_unknown_fault_is_refused(sim: Simulator) -> None:
    with pytest.raises(InvalidInput, match="unknown fault"):
        sim.fault(0, "explode")


# --------------------------------------------------------------------------- streams


def test_two_cameras_serve_h264_at_the_chosen_size_with_a_keyframe_per_gop(
    sim: Simulator,
) -> None:
    assert len(set(sim.urls)) == 2
    for url in sim.urls:
        with open_stream(url) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "h264"
            assert (stream.codec_context.width, stream.codec_context.height) == (WIDTH, HEIGHT)
            keyframes = []
            for index, packet in enumerate(container.demux(stream)):
                if packet.size == 0:
                    continue
                if packet.is_keyframe:
                    keyframes.append(index)
                if len(keyframes) == 2:
                    break
            assert keyframes[0] < GOP  # a client starts within one GOP
            assert keyframes[1] - keyframes[0] == GOP  # fixed GOP (no scene-cut keyframes)


def test_black_fault_darkens_only_that_camera_and_clear_restores(sim: Simulator) -> None:
    normal = mean_luma(first_frames(sim.urls[0])[0])
    assert normal > 60
    sim.fault(0, "black")
    assert sim.cameras[0].state()["picture"] == "black"
    black = mean_luma(first_frames(sim.urls[0])[0])
    assert black < 25  # Y=16 is video black; the OSD adds a little
    assert mean_luma(first_frames(sim.urls[1])[0]) > 60
    sim.fault(0, "clear")
    assert mean_luma(first_frames(sim.urls[0])[0]) > 60


def test_restart_new_sps_changes_the_resolution(sim: Simulator) -> None:
    sim.fault(1, "restart_new_sps")
    with open_stream(sim.urls[1]) as container:
        context = container.streams.video[0].codec_context
        assert (context.width, context.height) == (352, 288)
    sim.fault(1, "restart_new_sps")  # toggles back
    with open_stream(sim.urls[1]) as container:
        context = container.streams.video[0].codec_context
        assert (context.width, context.height) == (WIDTH, HEIGHT)


def test_stop_refuses_connections_until_cleared(sim: Simulator) -> None:
    camera = sim.camera(0)
    sim.fault(0, "stop")
    assert camera.state()["stopped"] is True
    assert not camera.running()
    assert connection_refused(camera.port)
    with pytest.raises(ConnectionRefusedError):
        av.open(camera.url, timeout=OPEN_TIMEOUT)
    sim.fault(0, "clear")
    assert first_frames(camera.url)


def test_stall_keeps_connections_open_without_data(sim: Simulator) -> None:
    camera = sim.camera(0)
    with open_stream(camera.url) as container:
        packets = container.demux(video=0)
        for _ in range(5):
            next(packets)
        sim.fault(0, "stall")
        started = time.monotonic()
        with pytest.raises(av.error.ExitError):  # PyAV's read timeout (OPEN_TIMEOUT[1])
            for _ in packets:
                pass
        assert time.monotonic() - started < 15
    # A new client connects (TCP is accepted) but never gets an answer.
    with socket.create_connection(("127.0.0.1", camera.port), timeout=2) as raw:
        raw.sendall(b"GET /live.ts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        with pytest.raises(TimeoutError):
            raw.recv(1)
    with pytest.raises(av.error.ExitError):
        av.open(camera.url, timeout=(2.0, 2.0))
    sim.fault(0, "resume")
    assert camera.state()["stalled"] is False
    assert first_frames(camera.url)


@pytest.mark.parametrize(
    "kind",
    [
        Fault.BLUR,
        Fault.DARK,
        Fault.COVERED,
        Fault.MOVED,
        Fault.ROTATED,
        Fault.COLOUR_CAST,
        Fault.NOISE,
    ],
)
def test_picture_faults_change_the_picture(sim: Simulator, kind: Fault) -> None:
    before = centre(first_frames(sim.urls[1])[0])
    sim.fault(1, kind)
    frame = first_frames(sim.urls[1])[0]
    assert (frame.width, frame.height) == (WIDTH, HEIGHT)
    after = centre(frame)
    assert changed_fraction(before, after) > 0.1, f"{kind}: picture barely changed"
    if kind in (Fault.DARK, Fault.COVERED):
        assert sum(after) < sum(before) * 0.6


def test_frozen_picture_stands_still_while_the_stream_runs(sim: Simulator) -> None:
    sim.fault(0, "frozen")
    frames = first_frames(sim.urls[0], count=40)
    assert changed_fraction(centre(frames[0]), centre(frames[-1])) < 0.01
    moving = first_frames(sim.urls[1], count=40)
    assert changed_fraction(centre(moving[0]), centre(moving[-1])) > 0.05


def test_camera_reconnects_after_each_client(sim: Simulator) -> None:
    camera = sim.camera(1)
    for _ in range(3):
        assert first_frames(camera.url)
    assert camera.state()["starts"] >= 3


def test_stop_ends_every_process_even_when_stalled() -> None:
    simulator = Simulator(2, free_consecutive_ports(2), width=WIDTH, height=HEIGHT, bitrate=300_000)
    simulator.start()
    try:
        simulator.fault(0, "stall")
        simulator.fault(1, "stop")
        assert simulator.camera(0).running()
    finally:
        started = time.monotonic()
        simulator.stop()
    assert time.monotonic() - started < 10
    assert_all_gone(simulator)
    simulator.stop()  # idempotent


def test_a_camera_that_cannot_start_says_why() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        camera = SimCamera("BUSY", int(taken.getsockname()[1]), WIDTH, HEIGHT)
        camera.start()
        try:
            with pytest.raises(SimError, match=r"not listening.*Address already in use"):
                camera.wait_ready(timeout=2)
        finally:
            camera.close()
    assert not camera.running()


# --------------------------------------------------------------------------- control


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


JSON = {"Content-Type": "application/json"}


def test_control_endpoint_applies_faults_and_rejects_bad_input(sim: Simulator) -> None:
    with ControlServer(sim) as control:
        status, listing = call(control.port, "GET", "/cameras")
        assert status == 200
        assert [c["url"] for c in listing["cameras"]] == sim.urls
        assert "black" in listing["faults"]

        status, state = call(control.port, "POST", "/cameras/1/fault", b'{"kind": "black"}', JSON)
        assert (status, state["picture"], state["index"]) == (200, "black", 1)
        assert sim.camera(1).state()["picture"] == "black"

        bad: list[tuple[str, bytes, dict[str, str], int]] = [
            ("/cameras/2/fault", b'{"kind": "black"}', JSON, 404),
            ("/cameras/99/fault", b'{"kind": "black"}', JSON, 404),
            ("/cameras/0/fault", b'{"kind": "explode"}', JSON, 422),
            ("/cameras/0/fault", b'{"kind": 3}', JSON, 422),
            ("/cameras/0/fault", b"{}", JSON, 422),
            ("/cameras/0/fault", b"{not json", JSON, 400),
            ("/cameras/0/fault", b'["black"]', JSON, 400),
            ("/cameras/0/fault", b'{"kind": "black"}', {"Content-Type": "text/plain"}, 415),
            ("/cameras/0/fault", b'{"kind": "black"}', {**JSON, "Host": "evil.example"}, 403),
            ("/cameras/x/fault", b'{"kind": "black"}', JSON, 404),
            ("/cameras/0/fault", b"x" * 5000, JSON, 413),
        ]
        for path, body, headers, expected in bad:
            status, error = call(control.port, "POST", path, body, headers)
            assert status == expected, (path, body, status, error)
            assert error["error"]["status"] == expected
            assert error["error"]["message"]
        status, error = call(control.port, "DELETE", "/cameras/0/fault")
        assert status == 405
        # Nothing above changed camera 0.
        assert sim.camera(0).state()["picture"] == "normal"

        call(control.port, "POST", "/cameras/0/fault", b'{"kind": "stop"}', JSON)
        status, error = call(control.port, "POST", "/cameras/0/fault", b'{"kind": "stall"}', JSON)
        assert status == 409


# --------------------------------------------------------------------------- CLI


def test_psvis_sim_command_runs_until_interrupted(tmp_path: Path) -> None:
    base = free_consecutive_ports(2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        control_port = int(probe.getsockname()[1])
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "psvis.cli",
            "sim",
            "--cameras",
            "2",
            "--base-port",
            str(base),
            "--size",
            "320x240",
            "--bitrate",
            "300k",
            "--control-port",
            str(control_port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environment,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        assert f"http://127.0.0.1:{base}/live.ts" in lines[0]
        assert f"http://127.0.0.1:{base + 1}/live.ts" in lines[1]
        assert f"http://127.0.0.1:{control_port}/cameras" in "".join(lines)
        status, state = call(control_port, "POST", "/cameras/1/fault", b'{"kind": "dark"}', JSON)
        assert (status, state["picture"]) == (200, "dark")
        assert first_frames(f"http://127.0.0.1:{base}/live.ts")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert connection_refused(base)
    assert connection_refused(base + 1)
    assert connection_refused(control_port)


def test_psvis_sim_rejects_a_bad_size() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "psvis.cli", "sim", "--base-port", "20000", "--size", "big"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "size must look like 640x360" in result.stderr
