"""Background chores on a timer: one daemon thread per chore, stopped with the app.

A chore is a plain function of a database session (it commits itself or not at all);
its failures are logged and retried at the next tick, never raised into the server.
Each domain registers its chores in the app factory (``psvis.api.app``); every chore
must also be correct when it does not run — reads never depend on it (e.g. a request
past its validity already *reads* expired; the chore only writes the fact down).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

Chore = Callable[[Session], object]
#: How long :meth:`Periodic.stop` waits for a tick in progress (a health cycle decodes
#: keyframes of every camera due).
STOP_WAIT_SECONDS = 120.0


class Periodic:
    """Runs ``chore`` in its own session every ``interval`` seconds until stopped."""

    def __init__(
        self, *, name: str, interval: float, sessions: sessionmaker[Session], chore: Chore
    ) -> None:
        if interval <= 0:
            raise ValueError("a periodic chore needs a positive interval")
        self.name = name
        self.interval = interval
        self.sessions = sessions
        self.chore = chore
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def tick(self) -> object:
        with self.sessions() as session:
            result = self.chore(session)
            session.commit()
            return result

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # the next tick retries; the server keeps serving
                log.exception("periodic chore %s failed", self.name)

    def stop(self) -> None:
        """Stop after the tick in progress, if any. The wait is generous on purpose: the
        app disposes its engine right after, and a tick cut short would leave its
        database connection checked out of a pool that no longer exists."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_SECONDS)
