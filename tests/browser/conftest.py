"""A real HTTP server for the browser tests (uvicorn in a thread) and Chromium.

Browser tests run on SQLite only: ``backend`` is overridden here, so the TestClient
console tests keep covering both databases.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright, sync_playwright

from psvis.api.app import create_app
from psvis.core.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 20.0


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _wait_until_answering(url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server thread died during start-up")
        if server.started:
            # The first page renders its templates: on a loaded 2-core machine that took
            # over 2 s once. A slow first answer is not a dead server - wait for it up to
            # the deadline, and retry a refused or timed-out request until then.
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=remaining) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.05)
    raise RuntimeError(f"the test server did not answer at {url} within {START_TIMEOUT_S}s")


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, against the test settings; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings),
        log_level="warning",
        lifespan="on",
        ws="none",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, server, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        # Not a skip: the console test is part of the suite; .ci/run installs Chromium.
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
