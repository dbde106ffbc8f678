"""Camera simulator: live H.264 cameras with faults on command, no system package needed.

Each :class:`SimCamera` is one supervised ffmpeg (the static build of ``imageio-ffmpeg``)::

    ffmpeg -re -f lavfi -i testsrc2=size=WxH:rate=FPS   moving test picture
           -vf <picture faults>,drawtext(name),drawtext(clock)   burned-in OSD
           -c:v libx264 -preset ultrafast -tune zerolatency -g GOP …   H.264, fixed GOP
           -f mpegts -listen 1 http://127.0.0.1:PORT/live.ts         MPEG-TS over HTTP

ffmpeg's HTTP listen mode serves one client and then exits, so the camera's supervisor
thread starts it again after every client leaves: a recorder can always reconnect.

Faults (:class:`Fault`), by what a recorder or a video-quality check sees:

* transport — ``stop`` (no server: connection refused), ``stall`` (the process is
  SIGSTOPped: connections open, no data; ``resume`` continues it), ``restart_new_sps``
  (restarts with another resolution and bitrate: new SPS/PPS);
* picture — ``black``, ``blur``, ``dark``, ``covered`` (lens mostly covered), ``moved``
  (view shifted), ``rotated``, ``frozen`` (picture frozen, OSD clock running),
  ``colour_cast``, ``noise``. A picture is a lavfi source plus a filter chain
  (:class:`Picture`): a new fault is one more entry in ``PICTURE_FAULTS``. Changing the
  picture restarts the encoder (the client sees the stream end and reconnects);
* ``clear`` — back to normal (running, original encoding, normal picture).

All servers bind the loopback only. :class:`Simulator` runs N cameras;
:class:`ControlServer` takes faults over HTTP (``psvis sim``)::

    curl --json '{"kind": "black"}' http://127.0.0.1:C/cameras/0/fault
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from psvis.core.errors import Conflict, InvalidInput, NotFound, PsvisError
from psvis.recording import ffmpeg

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
STREAM_PATH = "/live.ts"

#: Fonts for the OSD, first found wins. Noto Sans CJK (installed by .ci/run) also draws
#: Chinese camera names; DejaVu is the usual Debian default.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")

#: Resolutions ``restart_new_sps`` switches to (the first that differs from the camera's).
ALTERNATE_SIZES = ((352, 288), (320, 240))

#: How long a ffmpeg that failed at once is left down before the next try (doubling).
RETRY_MIN_S = 0.2
RETRY_MAX_S = 5.0
#: ffmpeg's words when the client went away (listen mode then exits: a normal end).
CLIENT_LEFT = ("Connection reset by peer", "Broken pipe", "End of file")


class SimError(PsvisError):
    """The simulator could not do what was asked (ffmpeg failed, no font, …)."""

    status_code = 500
    code = "sim_error"


class Fault(StrEnum):
    STOP = "stop"
    STALL = "stall"
    RESUME = "resume"
    RESTART_NEW_SPS = "restart_new_sps"
    CLEAR = "clear"
    BLACK = "black"
    BLUR = "blur"
    DARK = "dark"
    COVERED = "covered"
    MOVED = "moved"
    ROTATED = "rotated"
    FROZEN = "frozen"
    COLOUR_CAST = "colour_cast"
    NOISE = "noise"


# --------------------------------------------------------------------------- picture


def escape_filter_value(value: str) -> str:
    """Quote ``value`` for a filter option inside a ``-vf`` graph (ffmpeg's two escaping
    levels: the option list, then the filtergraph). Control characters are dropped."""
    value = "".join(ch for ch in value if ch.isprintable())
    for specials in ("\\':", "\\'[],;"):
        value = "".join("\\" + ch if ch in specials else ch for ch in value)
    return value


@dataclass(frozen=True, slots=True)
class Picture:
    """What the sensor sees: a lavfi source and filters that alter it (before the OSD).

    Filter strings may use ``{w}`` and ``{h}`` for the output size.
    """

    source: str = "testsrc2"
    source_options: tuple[tuple[str, str], ...] = ()
    filters: tuple[str, ...] = ()
    #: Pace the chain's output (a filter such as ``loop`` makes frames without input).
    realtime: bool = False

    def lavfi_input(self, width: int, height: int, fps: int) -> str:
        options = [*(f"{k}={v}" for k, v in self.source_options)]
        options += [f"size={width}x{height}", f"rate={fps}"]
        return f"{self.source}={':'.join(options)}"

    def filter_chain(self, width: int, height: int) -> list[str]:
        chain = [f.format(w=width, h=height) for f in self.filters]
        return [*chain, "realtime"] if self.realtime else chain


NORMAL_PICTURE = Picture()

PICTURE_FAULTS: dict[Fault, Picture] = {
    Fault.BLACK: Picture(source="color", source_options=(("c", "black"),)),
    Fault.BLUR: Picture(filters=("gblur=sigma=14",)),
    Fault.DARK: Picture(filters=("eq=brightness=-0.45:contrast=0.5",)),
    Fault.COVERED: Picture(filters=("drawbox=x=0:y=0:w=iw:h=ih*0.85:color=0x141414:t=fill",)),
    Fault.MOVED: Picture(filters=("crop=iw*0.6:ih*0.6:iw*0.4:ih*0.4", "scale={w}:{h}")),
    Fault.ROTATED: Picture(filters=("rotate=angle=PI/9:fillcolor=black",)),
    Fault.FROZEN: Picture(filters=("loop=loop=-1:size=1:start=0",), realtime=True),
    Fault.COLOUR_CAST: Picture(
        filters=("colorchannelmixer=rr=1:rg=0.3:rb=0.2:gr=0.1:gg=0.7:gb=0:br=0:bg=0:bb=0.4",)
    ),
    Fault.NOISE: Picture(filters=("noise=alls=60:allf=t+u",)),
}


@cache
def find_font() -> Path:
    """A font file for drawtext: the candidates above, else what ``fc-match`` names."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    fc_match = shutil.which("fc-match")
    if fc_match:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                [fc_match, "--format=%{file}", "sans"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                stdin=subprocess.DEVNULL,
            ).stdout.strip()
            if found and Path(found).is_file() and found.lower().endswith(FONT_SUFFIXES):
                return Path(found)
    raise SimError(
        "no font for the simulator's OSD: install fonts-dejavu-core or fonts-noto-cjk "
        f"(looked at {', '.join(FONT_CANDIDATES)} and fc-match)"
    )


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True, slots=True)
class Encoding:
    width: int
    height: int
    fps: int
    gop: int
    bitrate: int  # bits per second

    def __post_init__(self) -> None:
        problems = []
        if not (16 <= self.width <= 7680 and 16 <= self.height <= 4320):
            problems.append("size must be between 16x16 and 7680x4320")
        if self.width % 2 or self.height % 2:
            problems.append("width and height must be even (yuv420p)")
        if not 1 <= self.fps <= 120:
            problems.append("fps must be between 1 and 120")
        if not 1 <= self.gop <= 10_000:
            problems.append("gop must be between 1 and 10000 frames")
        if not 10_000 <= self.bitrate <= 200_000_000:
            problems.append("bitrate must be between 10k and 200M bits/s")
        if problems:
            raise InvalidInput("simulated camera: " + "; ".join(problems))

    def alternate(self) -> Encoding:
        """Another resolution and half the bitrate: a camera reconfigured (new SPS)."""
        width, height = next(s for s in ALTERNATE_SIZES if s != (self.width, self.height))
        return replace(self, width=width, height=height, bitrate=max(self.bitrate // 2, 10_000))


def parse_size(text: str) -> tuple[int, int]:
    """``"640x360"`` → ``(640, 360)``."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*", text)
    if not match:
        raise InvalidInput(f"size must look like 640x360, not {text!r}")
    return int(match[1]), int(match[2])


def parse_bitrate(text: str) -> int:
    """``"1M"`` → 1000000, ``"512k"`` → 512000, ``"800000"`` → 800000 (bits per second)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise InvalidInput(f"bitrate must look like 1M, 512k or 800000, not {text!r}")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()]
    return round(float(match[1]) * factor)


# --------------------------------------------------------------------------- processes


def _listening_or_serving(pid: int, port: int, host: str = LOOPBACK) -> bool:
    """Whether process ``pid`` has a socket bound to ``host:port`` that listens or is
    connected. Read from /proc (connecting to find out would use up the one client)."""
    octets = [int(o) for o in host.split(".")]
    wanted = "".join(f"{o:02X}" for o in reversed(octets)) + f":{port:04X}"
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return True  # no /proc: the caller's alive check has to do
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False  # the process has just ended
    inodes = set()
    for line in lines:
        fields = line.split()
        # state 0A = LISTEN, 01 = ESTABLISHED; field 9 is the socket's inode
        if len(fields) > 9 and fields[1] == wanted and fields[3] in ("0A", "01"):
            inodes.add(f"socket:[{fields[9]}]")
    if not inodes:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(fd) in inodes:
                return True
    return False


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _end(process: subprocess.Popen[bytes]) -> None:
    """Continue (a stalled process would not act on SIGTERM), then terminate → kill."""
    _signal_group(process, signal.SIGCONT)
    ffmpeg.stop(process, timeout=3.0)


class SimCamera:
    """One simulated camera: a supervised ffmpeg serving MPEG-TS at :attr:`url`."""

    def __init__(
        self,
        name: str,
        port: int,
        width: int = 640,
        height: int = 360,
        fps: int = 25,
        gop: int = 50,
        bitrate: int = 1_000_000,
        *,
        font: Path | None = None,
    ) -> None:
        if not 1 <= port <= 65535:
            raise InvalidInput(f"port must be between 1 and 65535, not {port}")
        self.name = name
        self.port = port
        self.base_encoding = Encoding(width, height, fps, gop, bitrate)
        self._font = font
        self._encoding = self.base_encoding
        self._picture_fault: Fault | None = None
        self._stopped = False
        self._stalled = False
        self._tarpit: socket.socket | None = None
        self._closing = False
        self._generation = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._stderr: deque[str] = deque(maxlen=40)
        #: ffmpeg processes started so far (pids), for tests and status.
        self.started_pids: list[int] = []

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}{STREAM_PATH}"

    @property
    def encoding(self) -> Encoding:
        return self._encoding

    # ---- argv

    def argv(self) -> list[str]:
        """The ffmpeg command line for the camera's present state."""
        enc = self._encoding
        fault = self._picture_fault
        picture = PICTURE_FAULTS[fault] if fault is not None else NORMAL_PICTURE
        font = escape_filter_value(str(self._font or find_font()))
        size = max(12, enc.height // 18)
        osd = (
            f"fontfile={font}:fontsize={size}:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=4"
        )
        name = escape_filter_value(self.name)
        chain = [
            *picture.filter_chain(enc.width, enc.height),
            f"drawtext={osd}:expansion=none:text={name}:x=8:y=h-th-12",
            f"drawtext={osd}:text=%{{localtime}}:x=8:y=8",
        ]
        bitrate = str(enc.bitrate)
        return [
            ffmpeg.ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-loglevel",
            "level+warning",
            "-re",
            "-f",
            "lavfi",
            "-i",
            picture.lavfi_input(enc.width, enc.height, enc.fps),
            "-vf",
            ",".join(chain),
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            str(enc.gop),
            "-keyint_min",
            str(enc.gop),
            "-sc_threshold",
            "0",
            "-b:v",
            bitrate,
            "-maxrate",
            bitrate,
            "-bufsize",
            bitrate,
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mpegts",
            "-listen",
            "1",
            f"http://{LOOPBACK}:{self.port}{STREAM_PATH}",
        ]

    # ---- lifecycle

    def start(self) -> None:
        """Start the supervisor thread (the first ffmpeg starts at once)."""
        with self._cond:
            if self._thread is not None:
                return
            self._closing = False
            self._thread = threading.Thread(
                target=self._supervise, name=f"sim-{self.name}", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the supervisor and its ffmpeg (terminate → wait → kill); idempotent."""
        with self._cond:
            self._closing = True
            process = self._process
            self._end_stall(process)
            thread = self._thread
            self._cond.notify_all()
        if process is not None:
            _end(process)
        if thread is not None:
            thread.join(timeout=15)
            if thread.is_alive():  # pragma: no cover - supervisor stuck: last resort
                with self._cond:
                    process = self._process
                if process is not None:
                    _signal_group(process, signal.SIGKILL)
                thread.join(timeout=5)
        with self._cond:
            self._thread = None

    def running(self) -> bool:
        with self._cond:
            return self._process is not None and self._process.poll() is None

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Wait until the current ffmpeg listens (or already serves a client)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if self._closing:
                    raise SimError(f"camera {self.name} is closed")
                if self._stopped:
                    return
                process = self._process
            if (
                process is not None
                and process.poll() is None
                and _listening_or_serving(process.pid, self.port)
            ):
                return
            time.sleep(0.05)
        raise SimError(
            f"camera {self.name}: ffmpeg not listening on port {self.port} after {timeout:g}s"
            + (f" ({self.last_error()})" if self.last_error() else "")
        )

    def last_error(self) -> str:
        """The last error line ffmpeg printed (empty if none)."""
        with self._cond:
            return self._last_error()

    def _last_error(self) -> str:
        errors = [line for line in self._stderr if "error" in line.lower()]
        return errors[-1] if errors else ""

    def _supervise(self) -> None:
        retry = RETRY_MIN_S
        while True:
            with self._cond:
                while self._stopped and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                generation = self._generation
                try:
                    process = subprocess.Popen(
                        self.argv(),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        start_new_session=True,
                    )
                except (OSError, PsvisError) as exc:
                    log.error("sim camera %s: cannot start ffmpeg: %s", self.name, exc)
                    self._stderr.append(f"error: cannot start ffmpeg: {exc}")
                    self._cond.wait(timeout=retry)
                    retry = min(retry * 2, RETRY_MAX_S)
                    continue
                self._process = process
                self.started_pids.append(process.pid)
                if self._stalled:  # a restart while stalled keeps the camera stalled
                    _signal_group(process, signal.SIGSTOP)
            started = time.monotonic()
            lines: list[str] = []
            drain = threading.Thread(target=self._drain, args=(process, lines), daemon=True)
            drain.start()
            status = process.wait()
            drain.join(timeout=5)
            with self._cond:
                self._process = None
                self._cond.notify_all()
                if self._closing:
                    return
                client_left = any(marker in line for line in lines for marker in CLIENT_LEFT)
                if (
                    generation != self._generation
                    or status == 0
                    or client_left
                    or time.monotonic() - started > 2.0
                ):
                    retry = RETRY_MIN_S
                    continue
                # Failed at once (port taken, bad filter): say why and don't spin.
                log.warning(
                    "sim camera %s: ffmpeg exited with status %s: %s",
                    self.name,
                    status,
                    self._last_error(),
                )
                self._cond.wait(timeout=retry)
                retry = min(retry * 2, RETRY_MAX_S)

    def _drain(self, process: subprocess.Popen[bytes], lines: list[str]) -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                lines.append(line)
                with self._cond:
                    self._stderr.append(line)
        process.stderr.close()

    # ---- faults

    def fault(self, kind: Fault | str, *, timeout: float = 15.0) -> None:
        """Apply a fault. Returns when it is in effect: after ``stop`` nothing listens,
        after ``stall`` connections open but get no data, after a restart the new ffmpeg
        listens."""
        try:
            fault = Fault(kind)
        except ValueError:
            raise InvalidInput(
                f"unknown fault {kind!r} (known: {', '.join(f.value for f in Fault)})"
            ) from None
        with self._cond:
            if self._closing or self._thread is None:
                raise Conflict(f"camera {self.name} is not running")
            if fault is Fault.STALL and self._stopped:
                raise Conflict(f"camera {self.name} is stopped: clear it first")
        if fault is Fault.STALL:
            self._stall(timeout)
            return
        with self._cond:
            process = self._process
            self._end_stall(process)
            if fault is Fault.RESUME:
                return
            before = (self.argv(), self._stopped)
            if fault is Fault.STOP:
                self._stopped = True
            elif fault is Fault.CLEAR:
                self._stopped = False
                self._picture_fault = None
                self._encoding = self.base_encoding
            elif fault is Fault.RESTART_NEW_SPS:
                self._encoding = (
                    self.base_encoding.alternate()
                    if self._encoding == self.base_encoding
                    else self.base_encoding
                )
            else:
                self._picture_fault = fault
            restart = (self.argv(), self._stopped) != before
            stopped = self._stopped
            if restart:
                self._generation += 1
                self._cond.notify_all()
        if restart and process is not None:
            _end(process)
            with self._cond:
                while self._process is process:
                    self._cond.wait(timeout=1)
        if not stopped:
            self.wait_ready(timeout)

    def _stall(self, timeout: float) -> None:
        """SIGSTOP the ffmpeg. A client being served gets no more data; new connections
        are accepted by the kernel and get nothing: by the stopped ffmpeg's own listener
        if it was waiting for a client, else by a listener that never accepts (listen mode
        closes ffmpeg's listener once a client is in)."""
        self.wait_ready(timeout)
        with self._cond:
            if self._stalled:
                return
            self._stalled = True
            if self._process is not None:
                _signal_group(self._process, signal.SIGSTOP)
            tarpit = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tarpit.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tarpit.bind((LOOPBACK, self.port))
                tarpit.listen(64)
            except OSError:
                tarpit.close()  # the stopped ffmpeg still listens: it is the tarpit
            else:
                self._tarpit = tarpit

    def _end_stall(self, process: subprocess.Popen[bytes] | None) -> None:
        """Close the tarpit (its waiting connections are reset) and continue ffmpeg."""
        if self._tarpit is not None:
            self._tarpit.close()
            self._tarpit = None
        if self._stalled:
            self._stalled = False
            if process is not None:
                _signal_group(process, signal.SIGCONT)

    def state(self) -> dict[str, Any]:
        with self._cond:
            enc = self._encoding
            process = self._process
            return {
                "name": self.name,
                "url": self.url,
                "width": enc.width,
                "height": enc.height,
                "fps": enc.fps,
                "gop": enc.gop,
                "bitrate": enc.bitrate,
                "picture": self._picture_fault.value if self._picture_fault else "normal",
                "stopped": self._stopped,
                "stalled": self._stalled,
                "pid": process.pid if process is not None and process.poll() is None else None,
                "starts": len(self.started_pids),
            }


class Simulator:
    """``n`` cameras on ports ``base_port``, ``base_port + 1`` …; a context manager."""

    def __init__(
        self,
        n: int,
        base_port: int,
        *,
        width: int = 640,
        height: int = 360,
        fps: int = 25,
        gop: int = 50,
        bitrate: int = 1_000_000,
        name_prefix: str = "SIM",
    ) -> None:
        if not 1 <= n <= 256:
            raise InvalidInput("the simulator runs 1 to 256 cameras")
        if not 1 <= base_port <= 65536 - n:
            raise InvalidInput(f"ports {base_port}..{base_port + n - 1} are not all valid")
        self.cameras = [
            SimCamera(f"{name_prefix}-{i}", base_port + i, width, height, fps, gop, bitrate)
            for i in range(n)
        ]

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def urls(self) -> list[str]:
        return [camera.url for camera in self.cameras]

    def camera(self, index: int) -> SimCamera:
        if not 0 <= index < len(self.cameras):
            raise NotFound(f"no camera {index} (0..{len(self.cameras) - 1})")
        return self.cameras[index]

    def start(self, *, timeout: float = 20.0) -> None:
        """Start every camera and wait until each listens; on failure stop them all."""
        find_font()  # fail clearly before any process starts
        try:
            for camera in self.cameras:
                camera.start()
            for camera in self.cameras:
                camera.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every camera (terminate → wait → kill); always tries them all."""
        threads = [threading.Thread(target=camera.close) for camera in self.cameras]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def fault(self, index: int, kind: Fault | str) -> None:
        self.camera(index).fault(kind)


# --------------------------------------------------------------------------- control


MAX_BODY = 4096
_FAULT_PATH = re.compile(r"/cameras/(\d{1,4})/fault")
_CAMERA_PATH = re.compile(r"/cameras/(\d{1,4})")


class _ControlHandler(BaseHTTPRequestHandler):
    server: _ControlHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sim control: " + format, *args)

    def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, {"error": {"status": int(status), "message": message}})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib's HTML error pages (malformed request, unknown method) as JSON.
        status = HTTPStatus(code)
        self.close_connection = True
        self._error(status, message or status.phrase)

    def _method_not_allowed(self) -> None:
        self._discard_body()
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "use GET /cameras or POST /cameras/{i}/fault")

    do_PUT = do_PATCH = do_DELETE = _method_not_allowed

    def _host_ok(self) -> bool:
        # Loopback names only: a page in a browser cannot reach us by DNS rebinding.
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if host in ("127.0.0.1", "localhost", "::1"):
            return True
        self._error(HTTPStatus.FORBIDDEN, "Host must be a loopback address")
        return False

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        sim = self.server.simulator
        path = self._path()
        if path == "/cameras":
            states = [dict(c.state(), index=i) for i, c in enumerate(sim.cameras)]
            self._send(HTTPStatus.OK, {"cameras": states, "faults": [f.value for f in Fault]})
            return
        match = _CAMERA_PATH.fullmatch(path)
        if match:
            try:
                camera = sim.camera(int(match[1]))
            except NotFound as exc:
                self._error(HTTPStatus.NOT_FOUND, exc.message)
                return
            self._send(HTTPStatus.OK, dict(camera.state(), index=int(match[1])))
            return
        self._error(HTTPStatus.NOT_FOUND, f"no such resource: {path}")

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        match = _FAULT_PATH.fullmatch(self._path())
        if not match:
            self._discard_body()
            self._error(HTTPStatus.NOT_FOUND, "POST /cameras/{index}/fault only")
            return
        body = self._json_body()
        if body is None:
            return
        sim = self.server.simulator
        index = int(match[1])
        try:
            camera = sim.camera(index)
        except NotFound as exc:
            self._error(HTTPStatus.NOT_FOUND, exc.message)
            return
        kind = body.get("kind")
        if not isinstance(kind, str) or kind not in {f.value for f in Fault}:
            known = ", ".join(f.value for f in Fault)
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, f"kind must be one of: {known}")
            return
        try:
            camera.fault(kind)
        except Conflict as exc:
            self._error(HTTPStatus.CONFLICT, exc.message)
            return
        except PsvisError as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, exc.message)
            return
        self._send(HTTPStatus.OK, dict(camera.state(), index=index))

    def _discard_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= MAX_BODY:
            self.rfile.read(int(length))
        else:
            self.close_connection = True

    def _json_body(self) -> dict[str, Any] | None:
        content_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip()
        length_text = self.headers.get("Content-Length") or ""
        if not length_text.isdigit():
            self.close_connection = True
            self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return None
        length = int(length_text)
        if length > MAX_BODY:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
            return None
        raw = self.rfile.read(length)
        if content_type.lower() != "application/json":
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
            return None
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._error(HTTPStatus.BAD_REQUEST, "body is not valid JSON")
            return None
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, 'body must be a JSON object: {"kind": ...}')
            return None
        return body


class _ControlHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _ControlHandler)


class ControlServer:
    """HTTP control of a :class:`Simulator` on the loopback (``port=0``: any free port).

    ``GET /cameras`` lists states; ``POST /cameras/{i}/fault`` with ``{"kind": "black"}``
    (``Content-Type: application/json``) applies a fault and answers the new state.
    Errors are JSON ``{"error": {"status", "message"}}``: 404 unknown camera, 422
    unknown kind, 400 malformed body, 409 fault not applicable now.
    """

    def __init__(self, simulator: Simulator, port: int = 0) -> None:
        self._server = _ControlHTTPServer((LOOPBACK, port), simulator)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sim-control", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running(
    simulator: Simulator, *, control_port: int | None = None
) -> Iterator[ControlServer | None]:
    """Start ``simulator`` (and a control server when ``control_port`` is not None);
    always stop both on the way out."""
    control: ControlServer | None = None
    try:
        simulator.start()
        if control_port is not None:
            control = ControlServer(simulator, control_port)
            control.start()
        yield control
    finally:
        if control is not None:
            control.stop()
        simulator.stop()


__all__ = [
    "NORMAL_PICTURE",
    "PICTURE_FAULTS",
    "ControlServer",
    "Encoding",
    "Fault",
    "Picture",
    "SimCamera",
    "SimError",
    "Simulator",
    "escape_filter_value",
    "find_font",
    "parse_bitrate",
    "parse_size",
    "running",
]
