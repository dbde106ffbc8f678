"""A witness beside the demo: a second psvis instance (its own data dir, database and
key, under ``<data_dir>/witness``) that watches the demo node's ledger over HTTP and
cosigns its checkpoints, as the city bureau would watch a district's node
(docs/design/ledger.md). The node accepts its cosignatures and its audit asks it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from psvis.cli.context import initialise, open_context
from psvis.core.config import Settings
from psvis.ledger.keys import WITNESS_KEY, PublicKey, SigningKey, public_path
from psvis.ledger.witness import Witness, run, serve

log = logging.getLogger("psvis.demo.witness")

#: How often the demo witness fetches a checkpoint (the demo node signs every 10 s).
DEMO_WITNESS_SECONDS = 15.0
DEMO_CHECKPOINT_SECONDS = 10


@dataclass
class DemoWitness:
    settings: Settings
    port: int
    _stop: threading.Event
    _thread: threading.Thread
    _server: ThreadingHTTPServer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(15)


def witness_settings(node: Settings) -> Settings:
    """Its own data dir and its own SQLite database — never the node's, whatever the
    environment says: a witness sharing the node's database would witness nothing."""
    data_dir = node.data_dir / "witness"
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir.resolve() / 'witness.db'}",
        node_name="city-bureau-witness",
    )


def node_settings_with_witness(node: Settings, *, witness_port: int) -> Settings:
    """The node's settings accepting the demo witness's key and asking it in audits."""
    witness = witness_settings(node)
    SigningKey.load_or_create(witness.data_dir, WITNESS_KEY)  # creates the public PEM
    return node.model_copy(
        update={
            "witness_public_keys": (public_path(witness.data_dir, WITNESS_KEY),),
            "witness_url": f"http://127.0.0.1:{witness_port}",
            "checkpoint_seconds": DEMO_CHECKPOINT_SECONDS,
        }
    )


def start_demo_witness(node: Settings, *, witness_port: int) -> DemoWitness:
    """Start watching ``http://127.0.0.1:<node port>`` (it may not answer yet: the first
    rounds are retried) and serve ``/witness/latest`` on ``witness_port``."""
    settings = witness_settings(node)
    initialise(settings, default_storage=False)
    stop = threading.Event()
    context = open_context(settings)
    ctx = context.__enter__()
    witness = Witness(
        sessions=ctx.sessions,
        data_dir=settings.data_dir,
        url=f"http://127.0.0.1:{node.port}",
        log_keys=[PublicKey.read(public_path(node.data_dir))],
        key=SigningKey.load_or_create(settings.data_dir, WITNESS_KEY),
        name="南昌市公安局（见证）",
    )
    server = serve(witness, witness_port)

    def watch() -> None:
        try:
            run(witness, interval=DEMO_WITNESS_SECONDS, stop=stop)
        finally:
            context.__exit__(None, None, None)

    thread = threading.Thread(target=watch, name="demo-witness", daemon=True)
    thread.start()
    log.info("demo witness watching %s, serving on %s", witness.url, witness_port)
    return DemoWitness(
        settings=settings, port=witness_port, _stop=stop, _thread=thread, _server=server
    )
