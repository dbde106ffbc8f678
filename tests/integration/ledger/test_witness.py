"""The witness, with real processes: a node (`psvis serve`) on a free 127.0.0.1 port, a
witness (`psvis witness`) with its own data directory and database, and an insider who
rewrites the node's history with the node's own database and signing key."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle
from psvis.ledger.checkpoints import Checkpoint
from psvis.ledger.keys import WITNESS_KEY, PublicKey, SigningKey, public_path
from psvis.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    WitnessedCheckpoint,
)
from psvis.ledger.witness import (
    InvalidResponse,
    NoWitnessedCheckpoint,
    Outcome,
    Unreachable,
    Witness,
    fetch_witness_view,
)
from tests.integration.ledger.test_ledger_api import add_entries, grow
from tests.support.databases import fresh_sqlite

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    return env | values


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[Any]) -> int:
    """SIGTERM the process group, then SIGKILL if it does not stop; its exit status."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return int(process.returncode)


# --- the node and the witness ---------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    url: str
    settings: Settings
    log_key: Path


@pytest.fixture
def witness_dir(tmp_path: Path, _sqlite_template: Path) -> Path:
    """The witness's own data directory and (migrated SQLite) database."""
    directory = tmp_path / "witness"
    fresh_sqlite(_sqlite_template, directory)
    SigningKey.load_or_create(directory, WITNESS_KEY)
    return directory


@pytest.fixture
def node(settings: Settings, witness_dir: Path, tmp_path: Path) -> Iterator[Node]:
    """`psvis serve` on a free port, accepting the witness's key; checkpoints are signed
    by the test (the node's own keeper waits an hour)."""
    SigningKey.load_or_create(settings.data_dir)
    port = free_port()
    env = clean_env(
        PSVIS_DATA_DIR=str(settings.data_dir),
        PSVIS_DATABASE_URL=settings.resolved_database_url(),
        PSVIS_WITNESS_PUBLIC_KEYS=json.dumps([str(public_path(witness_dir, WITNESS_KEY))]),
        PSVIS_CHECKPOINT_SECONDS="3600",
        PSVIS_NODE_NAME="district-node",
    )
    log_path = tmp_path / "node.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "psvis.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(f"{url}/api/v1/ledger/public-key"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the node did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield Node(url=url, settings=settings, log_key=public_path(settings.data_dir))
    finally:
        stop(process)


def witness_once(
    witness_dir: Path, url: str, log_key: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "psvis.cli",
            "witness",
            "--watch",
            url,
            "--log-key",
            str(log_key),
            "--name",
            "city-bureau",
            *(extra or ("--once",)),
        ],
        env=clean_env(PSVIS_DATA_DIR=str(witness_dir)),
        cwd=witness_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def cosigned_on_node(session: Session, checkpoint: Checkpoint) -> int:
    session.commit()  # a fresh snapshot: the node process wrote since
    return int(
        session.scalar(
            select(func.count(LedgerCosignature.id))
            .join(LedgerCheckpoint, LedgerCheckpoint.id == LedgerCosignature.checkpoint_id)
            .where(LedgerCheckpoint.note == checkpoint.note())
        )
        or 0
    )


def witness_rows(witness_dir: Path) -> list[tuple[int, bool, str]]:
    engine = make_engine(f"sqlite:///{witness_dir / 'psvis.db'}")
    try:
        with make_session_factory(engine)() as session:
            rows = session.scalars(select(WitnessedCheckpoint).order_by(WitnessedCheckpoint.id))
            return [(r.tree_size, r.consistent, r.detail) for r in rows]
    finally:
        engine.dispose()


# --- the insider -------------------------------------------------------------------------------


def rebuild(session: Session, data_dir: Path) -> Checkpoint:
    """Re-integrate every entry from scratch and sign with the node's key: what an insider
    holding the database and the key does after editing the entries."""
    session.execute(update(LedgerEntry).values(leaf_index=None))
    session.execute(delete(LedgerNode))
    session.execute(update(LedgerHead).values(size=0, root=merkle.EMPTY_ROOT))
    session.flush()
    return grow(session, data_dir, 0)


def rewrite_leaf(session: Session, data_dir: Path, *, leaf: int, append: int = 0) -> Checkpoint:
    row = session.scalars(select(LedgerEntry).where(LedgerEntry.leaf_index == leaf)).one()
    row.entry = entries.config_changed(
        subject="system",
        subject_id=1,
        field="retention_days",
        old=30,
        new="rewritten",
        actor="insider",
        at=utcnow(),
    )
    session.flush()
    add_entries(session, append, tag="after")
    return rebuild(session, data_dir)


def truncate_to(session: Session, data_dir: Path, size: int) -> Checkpoint:
    session.execute(delete(LedgerEntry).where(LedgerEntry.leaf_index >= size))
    return rebuild(session, data_dir)


# --- real processes ----------------------------------------------------------------------------


def test_witness_cosigns_growth_and_catches_a_rewritten_history(
    node: Node, db: Session, witness_dir: Path
) -> None:
    first = grow(db, node.settings.data_dir, 4)
    result = witness_once(witness_dir, node.url, node.log_key)
    assert result.returncode == 0, result.stderr
    assert f"size {first.size}" in result.stdout
    assert cosigned_on_node(db, first) == 1

    second = grow(db, node.settings.data_dir, 3)
    result = witness_once(witness_dir, node.url, node.log_key)
    assert result.returncode == 0, result.stderr
    assert cosigned_on_node(db, second) == 1

    # An insider with the database and the key edits leaf 2, rebuilds the tree, appends,
    # and signs: a valid signature over a history the witness never saw.
    rewritten = rewrite_leaf(db, node.settings.data_dir, leaf=2, append=1)
    assert rewritten.size == second.size + 1
    assert rewritten.verify(PublicKey.read(node.log_key))
    result = witness_once(witness_dir, node.url, node.log_key)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "history rewritten" in result.stderr
    assert "ERROR" in result.stderr
    assert cosigned_on_node(db, rewritten) == 0
    assert witness_rows(witness_dir)[-1][:2] == (rewritten.size, False)

    # The node growing on top of the rewritten history changes nothing: still no cosignature.
    later = grow(db, node.settings.data_dir, 2)
    result = witness_once(witness_dir, node.url, node.log_key)
    assert result.returncode == 1
    assert "not cosigning until an operator acknowledges" in result.stderr
    assert cosigned_on_node(db, later) == 0

    # An operator acknowledges (the alarm rows stay); the witness cosigns again.
    refused = witness_once(witness_dir, node.url, node.log_key, "--acknowledge")
    assert refused.returncode == 2
    assert "--reason" in refused.stderr
    ack = witness_once(
        witness_dir, node.url, node.log_key, "--acknowledge", "--reason", "restored after 事故"
    )
    assert ack.returncode == 0, ack.stderr
    result = witness_once(witness_dir, node.url, node.log_key)
    assert result.returncode == 0, result.stderr
    assert cosigned_on_node(db, later) == 1
    verdicts = [consistent for _size, consistent, _detail in witness_rows(witness_dir)]
    assert verdicts.count(False) == 1


def test_wrong_log_key_or_node_down_is_exit_2_not_an_alarm(
    node: Node, db: Session, witness_dir: Path, tmp_path: Path
) -> None:
    grow(db, node.settings.data_dir, 2)
    SigningKey.load_or_create(tmp_path / "impostor")
    result = witness_once(witness_dir, node.url, public_path(tmp_path / "impostor"))
    assert result.returncode == 2
    assert "bad signature" in result.stderr
    down = witness_once(witness_dir, f"http://127.0.0.1:{free_port()}", node.log_key)
    assert down.returncode == 2
    assert "cannot reach" in down.stderr
    garbage = witness_once(witness_dir, "ftp://example", node.log_key)
    assert garbage.returncode == 2
    missing = witness_once(witness_dir, node.url, tmp_path / "no-such-key.pem")
    assert missing.returncode == 2
    assert "cannot read public key" in missing.stderr
    assert witness_rows(witness_dir) == []  # nothing recorded, nothing cosigned


def test_running_witness_serves_its_view_and_stops_on_sigterm(
    node: Node, db: Session, witness_dir: Path, tmp_path: Path
) -> None:
    signed = grow(db, node.settings.data_dir, 5)
    port = free_port()
    witness_url = f"http://127.0.0.1:{port}"
    witness_key = PublicKey.read(public_path(witness_dir, WITNESS_KEY))
    log_path = tmp_path / "witness.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "psvis.cli",
                "witness",
                "--watch",
                node.url,
                "--log-key",
                str(node.log_key),
                "--interval",
                "1",
                "--port",
                str(port),
            ],
            env=clean_env(PSVIS_DATA_DIR=str(witness_dir), PSVIS_NODE_NAME="city-bureau"),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def view_size() -> int | None:
            try:
                view = fetch_witness_view(
                    witness_url, origin=signed.origin, witness_key=witness_key, timeout=2
                )
            except (Unreachable, NoWitnessedCheckpoint):
                return None
            return view.checkpoint.size

        wait_for(lambda: view_size() == signed.size, timeout=30, what="the first cosignature")
        view = fetch_witness_view(witness_url, origin=signed.origin, witness_key=witness_key)
        assert view.checkpoint.note() == signed.note()
        assert view.cosignature.witness_name == "city-bureau"
        assert view.alarms == []
        grown = grow(db, node.settings.data_dir, 2)
        wait_for(lambda: view_size() == grown.size, timeout=30, what="the second cosignature")

        # The witness's answers verify only with its own key and only for the asked origin.
        with pytest.raises(InvalidResponse, match="does not verify"):
            fetch_witness_view(
                witness_url, origin=signed.origin, witness_key=PublicKey.read(node.log_key)
            )
        with pytest.raises(NoWitnessedCheckpoint):
            fetch_witness_view(witness_url, origin="psvis/other/1", witness_key=witness_key)
        for query in ("", "?origin=", "?origin=" + "x" * 300, "?origin=a&origin=b"):
            assert status_of(f"{witness_url}/witness/latest{query}") == 400, query
        assert status_of(f"{witness_url}/elsewhere") == 404

        truncate_to(db, node.settings.data_dir, 3)
        wait_for(
            lambda: bool(
                fetch_witness_view(
                    witness_url, origin=signed.origin, witness_key=witness_key
                ).alarms
            ),
            timeout=30,
            what="the alarm",
        )
        view = fetch_witness_view(witness_url, origin=signed.origin, witness_key=witness_key)
        assert view.checkpoint.note() == grown.note()  # the last good one stays served
        assert "size went back from 7 to 3" in view.alarms[0]
    finally:
        status = stop(process)
    output = log_path.read_text()
    assert status == 0, output
    assert "history rewritten" in output
    assert "witness stopped" in output


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- each verdict, one round in-process against the real node -------------------------------------


@pytest.fixture
def witness(node: Node, witness_dir: Path) -> Iterator[Witness]:
    engine = make_engine(f"sqlite:///{witness_dir / 'psvis.db'}")
    try:
        yield Witness(
            sessions=make_session_factory(engine),
            data_dir=witness_dir,
            url=node.url + "/",
            log_keys=[PublicKey.read(node.log_key)],
            key=SigningKey.load_or_create(witness_dir, WITNESS_KEY),
            name="city-bureau",
        )
    finally:
        engine.dispose()


def test_same_size_with_another_root_is_an_alarm(node: Node, db: Session, witness: Witness) -> None:
    assert witness.round().outcome is Outcome.UNREACHABLE  # no checkpoint yet: 404
    grow(db, node.settings.data_dir, 6)
    assert witness.round().outcome is Outcome.CONSISTENT
    again = witness.round()
    assert again.outcome is Outcome.CONSISTENT
    assert "already cosigned" in again.message
    quiet = grow(db, node.settings.data_dir, 0)  # same tree, newer note: cosigned too
    assert witness.round().outcome is Outcome.CONSISTENT
    assert cosigned_on_node(db, quiet) == 1
    rewritten = rewrite_leaf(db, node.settings.data_dir, leaf=5)
    result = witness.round()
    assert result.outcome is Outcome.ALARM
    assert "size 6 had root" in result.message
    assert cosigned_on_node(db, rewritten) == 0


def test_another_origin_at_the_same_url_is_an_alarm_until_acknowledged(
    node: Node, db: Session, witness: Witness
) -> None:
    grow(db, node.settings.data_dir, 3)
    assert witness.round().outcome is Outcome.CONSISTENT
    # The node starts another log under the same URL: another origin is an alarm.
    db.execute(update(LedgerHead).values(origin="psvis/district-node/000000000000"))
    db.commit()
    other = grow(db, node.settings.data_dir, 1)
    result = witness.round()
    assert result.outcome is Outcome.ALARM
    assert "origin changed" in result.message
    assert cosigned_on_node(db, other) == 0
    assert witness.round().outcome is Outcome.ALARM  # until acknowledged
    witness.acknowledge("the node was reinstalled (ticket 42)")
    assert witness.round().outcome is Outcome.CONSISTENT
    assert cosigned_on_node(db, other) == 1


# --- a hostile node ------------------------------------------------------------------------------


class HostileNode:
    """A real HTTP server answering whatever the test sets (path → (status, bytes))."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        answers = self.answers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = answers.get(self.path.split("?")[0], (404, b"{}"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def hostile() -> Iterator[HostileNode]:
    server = HostileNode()
    try:
        yield server
    finally:
        server.close()


def test_hostile_answers_are_invalid_never_cosigned(
    hostile: HostileNode, witness_dir: Path, tmp_path: Path
) -> None:
    key = SigningKey.load_or_create(tmp_path / "hostile")
    engine = make_engine(f"sqlite:///{witness_dir / 'psvis.db'}")
    witness = Witness(
        sessions=make_session_factory(engine),
        data_dir=witness_dir,
        url=hostile.url,
        log_keys=[key.public],
        key=SigningKey.load_or_create(witness_dir, WITNESS_KEY),
        name="city-bureau",
    )
    path = "/api/v1/ledger/checkpoint"

    def note(size: int, root: bytes) -> bytes:
        checkpoint = Checkpoint("psvis/h/1", size, root, utcnow()).signed(key)
        return json.dumps({"note": checkpoint.note(), "cosignatures": []}).encode()

    try:
        for body in (b"not json", b"[]", b'{"note": 5}', b'{"note": "psvis-checkpoint/v1\\n"}'):
            hostile.answers[path] = (200, body)
            assert witness.round().outcome is Outcome.INVALID, body
        hostile.answers[path] = (200, b"x" * (300 * 1024))
        assert "more than" in witness.round().message
        hostile.answers[path] = (500, b"boom")
        assert witness.round().outcome is Outcome.UNREACHABLE
        hostile.answers[path] = (200, note(2, b"\x01" * 32))
        assert witness.round().outcome is Outcome.UNREACHABLE  # cosigned; delivery 404
        # Growth with a malformed, then a wrong, consistency proof.
        hostile.answers[path] = (200, note(5, b"\x02" * 32))
        hostile.answers["/api/v1/ledger/consistency"] = (200, b'{"proof": ["zz"]}')
        assert witness.round().outcome is Outcome.INVALID
        hostile.answers["/api/v1/ledger/consistency"] = (200, b'{"proof": ["%s"]}' % (b"00" * 32))
        result = witness.round()
        assert result.outcome is Outcome.ALARM
        assert "no valid consistency proof from size 2" in result.message
    finally:
        engine.dispose()
    assert [(size, ok) for size, ok, _ in witness_rows(witness_dir)] == [(2, True), (5, False)]
