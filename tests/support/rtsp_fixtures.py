"""Pytest fixtures for the GStreamer RTSP server (:mod:`tests.support.rtsp_server`).

Use them from a test module with ``from tests.support.rtsp_fixtures import rtsp_server``
(or list this module in a conftest's ``pytest_plugins``). Where GStreamer is missing the
tests are skipped with the reason, except under CI (``CI`` set), where ``.ci/run`` installs
it, so a missing package fails instead of hiding.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.support.rtsp_server import RtspServer, unavailable_reason
from tests.support.rtsp_server import rtsp_server as run_rtsp_server


def require_rtsp_server() -> None:
    """Skip (or under CI fail) when the GStreamer RTSP server cannot run here."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"GStreamer RTSP server unavailable under CI: {reason}")
    pytest.skip(f"GStreamer RTSP server unavailable: {reason}")


@pytest.fixture
def rtsp_server() -> Iterator[RtspServer]:
    """A server at ``rtsp://127.0.0.1:PORT/test``: 640x360, 25 fps, H.264, GOP 50."""
    require_rtsp_server()
    with run_rtsp_server() as server:
        yield server


@pytest.fixture
def make_rtsp_server() -> Iterator[Callable[..., RtspServer]]:
    """Start servers with :func:`tests.support.rtsp_server.rtsp_server`'s options
    (size, credentials, pipeline …); all stop at teardown."""
    require_rtsp_server()
    with ExitStack() as stack:

        def make(**options: Any) -> RtspServer:
            return stack.enter_context(run_rtsp_server(**options))

        yield make
