"""The demo's witness: a second instance beside the demo node cosigns its checkpoints
over real HTTP, and serves the view the node's audit asks for."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from urllib.parse import quote

import uvicorn
from sqlalchemy import select

from psvis.api.app import create_app
from psvis.cli.context import open_context
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.demo.witness import node_settings_with_witness, start_demo_witness
from psvis.ledger import service as ledger
from psvis.ledger import tree
from psvis.ledger.keys import SigningKey
from psvis.ledger.models import LedgerCosignature


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_witness_cosigns_the_nodes_checkpoints(settings: Settings) -> None:
    witness_port = free_port()
    node = node_settings_with_witness(
        settings.model_copy(update={"port": free_port()}), witness_port=witness_port
    )
    key = SigningKey.load_or_create(node.data_dir)
    with open_context(node) as ctx, ctx.session() as session:
        ledger.ensure_log(session, node_name="demo-node", key=key)
        checkpoint = ledger.sign_checkpoint(session, key=key, data_dir=node.data_dir, now=utcnow())
        session.commit()
        origin = tree.head(session).origin
    assert checkpoint is not None
    server = uvicorn.Server(
        uvicorn.Config(create_app(node), host="127.0.0.1", port=node.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    witness = None
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the node did not start"
            time.sleep(0.1)
        witness = start_demo_witness(node, witness_port=witness_port)
        with open_context(node) as ctx, ctx.session() as session:
            while not session.scalar(select(LedgerCosignature.id).limit(1)):
                assert time.monotonic() < deadline + 30, "no cosignature reached the node"
                time.sleep(0.3)
                session.rollback()
        with urllib.request.urlopen(  # noqa: S310 - a loopback URL built here
            f"{witness.url}/witness/latest?origin={quote(origin)}", timeout=5
        ) as answer:
            view = json.load(answer)
        assert view["note"].startswith("psvis-checkpoint/v1\norigin " + origin)
        assert view["alarms"] == []
    finally:
        if witness is not None:
            witness.stop()
        server.should_exit = True
        thread.join(15)
