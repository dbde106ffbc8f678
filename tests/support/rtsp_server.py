"""A real RTSP server for tests: GStreamer's GstRtspServer serving live H.264 test video.

It runs in a subprocess of the *system* interpreter (``/usr/bin/python3`` with
``python3-gi``; the venv has no GObject bindings), which binds a free port itself and
reports it, so there is no race for the port. Debian packages (installed by ``.ci/run``):
gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,bad,ugly}, python3-gi.

    with rtsp_server() as server:
        av.open(server.url, options={"rtsp_transport": "tcp"})
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

SYSTEM_PYTHON = "/usr/bin/python3"
DEFAULT_PIPELINE = (
    "( videotestsrc is-live=true pattern=ball ! "
    "video/x-raw,width={width},height={height},framerate={fps}/1 ! "
    "clockoverlay ! "
    "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} ! "
    "rtph264pay name=pay0 pt=96 config-interval=1 )"
)

# Runs under /usr/bin/python3. argv: mount, pipeline, username, password (may be empty).
_SERVER_SCRIPT = r"""
import signal, sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer

mount, pipeline, username, password = sys.argv[1:5]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service("0")
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(pipeline)
factory.set_shared(True)
if username:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(username, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("user", "media.factory.access", True)
    permissions.add_permission_for_role("user", "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory(mount, factory)
if server.attach(None) == 0:
    print("ERROR attach failed", flush=True)
    sys.exit(1)
loop = GLib.MainLoop()
for sig in (signal.SIGTERM, signal.SIGINT):
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
print("READY", server.get_bound_port(), flush=True)
loop.run()
"""


class RtspServerUnavailable(RuntimeError):
    """GStreamer's RTSP server (or the system python3-gi) is not installed."""


@cache
def unavailable_reason() -> str | None:
    """Why the server cannot run here, or None when it can."""
    if not os.path.exists(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} not found"
    check = (
        "import gi; gi.require_version('Gst', '1.0'); "
        "gi.require_version('GstRtspServer', '1.0'); "
        "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
        "missing = [e for e in ('videotestsrc', 'x264enc', 'rtph264pay', 'clockoverlay') "
        "if Gst.ElementFactory.find(e) is None]; "
        "print(' '.join(missing))"
    )
    try:
        result = subprocess.run(
            [SYSTEM_PYTHON, "-c", check],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run {SYSTEM_PYTHON}: {exc}"
    if result.returncode != 0:
        return "GstRtspServer / python3-gi missing: " + result.stderr.strip().splitlines()[-1]
    if result.stdout.strip():
        return f"GStreamer elements missing: {result.stdout.strip()}"
    return None


@dataclass(frozen=True)
class RtspServer:
    """A running server. ``url`` has no credentials; ``url_with_credentials`` has them."""

    port: int
    mount: str
    username: str
    password: str
    process: subprocess.Popen[str]

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}{self.mount}"

    @property
    def url_with_credentials(self) -> str:
        userinfo = quote(self.username, safe="") + ":" + quote(self.password, safe="")
        return f"rtsp://{userinfo}@127.0.0.1:{self.port}{self.mount}"


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline().strip()


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def rtsp_server(
    *,
    mount: str = "/test",
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    gop: int = 50,
    username: str = "",
    password: str = "",
    pipeline: str | None = None,
    timeout: float = 30.0,
) -> Iterator[RtspServer]:
    """Run the server until the block ends; it accepts connections when yielded."""
    reason = unavailable_reason()
    if reason is not None:
        raise RtspServerUnavailable(reason)
    launch = pipeline or DEFAULT_PIPELINE.format(width=width, height=height, fps=fps, gop=gop)
    # stderr to a file: a pipe nobody reads could fill and block the server.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [SYSTEM_PYTHON, "-c", _SERVER_SCRIPT, mount, launch, username, password],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            start_new_session=True,
            # The system interpreter must not see the venv.
            env={k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
        )
        try:
            line = _read_line(process, timeout)
            if not line.startswith("READY "):
                _stop(process)
                errors.seek(0)
                raise RtspServerUnavailable(
                    f"RTSP server did not start: {line!r} {errors.read()[-2000:]}"
                )
            port = int(line.split()[1])
            _wait_accepting(port, process, timeout)
            yield RtspServer(
                port=port, mount=mount, username=username, password=password, process=process
            )
        finally:
            _stop(process)


def _wait_accepting(port: int, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.05)
