"""The ffmpeg binary and careful subprocess handling (Frigate's habits).

The static ffmpeg shipped by ``imageio-ffmpeg`` is used, so no system package is needed.
Processes get an argv list (never a shell string), ``stdin=DEVNULL`` and their own
session; stopping is terminate → wait → kill.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from functools import cache
from pathlib import Path

import imageio_ffmpeg

from psvis.core.errors import PsvisError


@cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (``PSVIS_FFMPEG``-free: the bundled static build)."""
    path = str(imageio_ffmpeg.get_ffmpeg_exe())
    if not Path(path).is_file():
        raise PsvisError(f"ffmpeg binary not found at {path}")
    return path


_PR_SET_PDEATHSIG = 1
try:  # loaded before any fork: the child only calls it
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # not Linux/glibc: children are stopped by the supervisor only
    _LIBC = None


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the spawning thread's process dies, so a
    killed service never leaves an orphan ffmpeg writing into a directory that the next
    start's recovery pass is reading."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(argv: list[str], *, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a process in its own session with stdout/stderr piped and no stdin; it dies
    with its parent."""
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
        preexec_fn=_die_with_parent,
    )


def stop(process: subprocess.Popen[bytes], *, timeout: float = 5.0) -> int:
    """Terminate, wait up to ``timeout`` seconds, then kill. Returns the exit status."""
    if process.poll() is not None:
        return process.returncode
    with contextlib.suppress(ProcessLookupError):
        # SIGTERM lets ffmpeg close the current segment cleanly.
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=timeout)
