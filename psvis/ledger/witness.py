"""The witness: a second psvis instance that holds a watched log's old roots, so the log's
owner cannot rewrite its history even with its whole database, disk and signing key.

Each round (``psvis witness --watch URL --log-key NODE.pub.pem``):

1. fetch ``<URL>/api/v1/ledger/checkpoint`` and verify the log's signature with a pinned
   log key (a bad signature is "cannot verify", not an alarm: retried next round);
2. pin the origin on first sight (``<data_dir>/witness/origins.json``); another origin
   from the same URL later is an alarm;
3. compare with the last consistent checkpoint seen for the origin
   (:class:`~psvis.ledger.models.WitnessedCheckpoint`): a smaller size, the same size with
   another root, or a consistency proof that does not verify is a **rewritten history**
   — recorded with ``consistent=False``, logged as an error, and from then on the
   witness cosigns nothing of that origin until an operator acknowledges
   (``psvis witness --acknowledge --reason …``, which takes the node's current
   checkpoint as the new baseline; the alarm rows stay);
4. otherwise record the checkpoint, cosign it with the witness key and post the
   cosignature back to ``<URL>/api/v1/ledger/cosignatures``.

A network error is never an alarm: the round is retried. The witness also answers
``GET /witness/latest?origin=O`` on 127.0.0.1 (``--port``): its newest cosigned
checkpoint of that origin and the open alarms, which a node's audit reads through
:func:`fetch_witness_view`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.errors import PsvisError
from psvis.core.timeutil import utcnow
from psvis.ledger import merkle
from psvis.ledger.checkpoints import Checkpoint, CheckpointError, Cosignature, cosign
from psvis.ledger.entries import stamp
from psvis.ledger.keys import PublicKey, SigningKey
from psvis.ledger.models import WitnessedCheckpoint

log = logging.getLogger("psvis.ledger.witness")

CHECKPOINT_PATH = "/api/v1/ledger/checkpoint"
CONSISTENCY_PATH = "/api/v1/ledger/consistency"
COSIGNATURES_PATH = "/api/v1/ledger/cosignatures"
LATEST_PATH = "/witness/latest"
#: A node's answers are small (a note, a proof of ≤ 2·64 hashes); more is refused unread.
MAX_RESPONSE_BYTES = 256 * 1024
ACKNOWLEDGED = "acknowledged by operator: "


class WitnessError(PsvisError):
    """A witness or watched node that cannot be reached, or whose answer does not verify."""


class Unreachable(WitnessError):
    """Network failure, timeout, or an HTTP error status: try again later."""


class InvalidResponse(WitnessError):
    """An answer that arrived but is malformed or does not verify."""


class NoWitnessedCheckpoint(WitnessError):
    """The witness has never cosigned a checkpoint of the asked origin."""


# --- HTTP, stdlib only (a witness needs nothing but psvis) ---------------------------------------


def _request(url: str, *, timeout: float, body: dict[str, Any] | None = None) -> tuple[int, object]:
    """(status, parsed JSON) of a GET, or a POST of ``body``; error statuses are returned,
    not raised, so callers tell "refused" from "unreachable"."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by the callers
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Accept": "application/json", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = int(response.status), response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        status, raw = int(exc.code), exc.read(MAX_RESPONSE_BYTES + 1)
        exc.close()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"cannot reach {url}: {reason}") from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise InvalidResponse(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        return status, json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if status >= 400:
            return status, None
        raise InvalidResponse(f"{url} did not answer JSON") from exc


def _error_text(payload: object) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        return str(payload["error"].get("message", ""))[:300]
    return ""


def check_url(url: str) -> str:
    """A base URL (``http(s)://host[:port][/prefix]``) without its trailing slash."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise WitnessError(f"not an http(s) base URL: {url!r}")
    return url.rstrip("/")


# --- what the audit asks: the witness's view of one origin ---------------------------------------


@dataclass(frozen=True, slots=True)
class WitnessView:
    """The witness's newest cosigned checkpoint of an origin, and its open alarms."""

    checkpoint: Checkpoint
    cosignature: Cosignature
    alarms: list[str] = field(default_factory=list)


def fetch_witness_view(
    url: str, *, origin: str, witness_key: PublicKey, timeout: float = 5.0
) -> WitnessView:
    """Ask the witness at ``url`` (``settings.witness_url``) for its view of ``origin``.

    The cosignature is verified with ``witness_key``; the caller checks the checkpoint
    against its own tree (and its own log key). Raises :class:`Unreachable`,
    :class:`InvalidResponse` or :class:`NoWitnessedCheckpoint`."""
    base = check_url(url)
    query = urllib.parse.urlencode({"origin": origin})
    status, payload = _request(f"{base}{LATEST_PATH}?{query}", timeout=timeout)
    if status == HTTPStatus.NOT_FOUND:
        raise NoWitnessedCheckpoint(f"the witness at {base} has cosigned nothing of {origin}")
    if status != HTTPStatus.OK:
        raise Unreachable(f"the witness at {base} answered {status} {_error_text(payload)}")
    if not isinstance(payload, dict):
        raise InvalidResponse(f"the witness at {base} answered no object")
    try:
        checkpoint = Checkpoint.parse(str(payload["note"]))
        cosignature = Cosignature.from_json(payload["cosignature"])
        alarms = payload.get("alarms", [])
        if not isinstance(alarms, list):
            raise CheckpointError("alarms is not a list")
    except (KeyError, CheckpointError) as exc:
        raise InvalidResponse(f"the witness at {base} answered a malformed view: {exc}") from exc
    if checkpoint.origin != origin:
        raise InvalidResponse(f"the witness answered about {checkpoint.origin}, not {origin}")
    if not cosignature.verify(checkpoint, witness_key):
        raise InvalidResponse(
            f"the witness's cosignature does not verify with key {witness_key.fingerprint}"
        )
    return WitnessView(checkpoint, cosignature, [str(a)[:1000] for a in alarms])


# --- the witness -------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    CONSISTENT = "consistent"
    ALARM = "alarm"
    #: The node, or the consistency proof, could not be fetched; or the node refused the
    #: cosignature. Retried next round.
    UNREACHABLE = "unreachable"
    #: An answer that does not verify (bad log signature, malformed). Retried next round.
    INVALID = "invalid"

    @property
    def exit_status(self) -> int:
        return {Outcome.CONSISTENT: 0, Outcome.ALARM: 1}.get(self, 2)


@dataclass(frozen=True, slots=True)
class RoundResult:
    outcome: Outcome
    message: str
    checkpoint: Checkpoint | None = None


class OriginPins:
    """URL → origin, pinned on first sight, in ``<data_dir>/witness/origins.json``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "witness" / "origins.json"

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise WitnessError(f"cannot read the origin pins {self.path}: {exc}") from exc
        if not isinstance(data, dict):
            raise WitnessError(f"{self.path} is not a JSON object")
        return {str(k): str(v) for k, v in data.items()}

    def get(self, url: str) -> str | None:
        return self._read().get(url)

    def pin(self, url: str, origin: str) -> None:
        pins = self._read() | {url: origin}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(pins, indent=1, sort_keys=True), "utf-8")
        os.replace(scratch, self.path)


def _now_ms() -> dt.datetime:
    """Now, cut to the millisecond a cosignature states, so the stored time re-verifies."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Witness:
    """Watches one log at ``url``; one :meth:`round` per fetch."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        data_dir: Path,
        url: str,
        log_keys: list[PublicKey],
        key: SigningKey,
        name: str,
        timeout: float = 10.0,
    ) -> None:
        if not log_keys:
            raise WitnessError("at least one log key (--log-key) is needed")
        self.sessions = sessions
        self.url = check_url(url)
        self.log_keys = log_keys
        self.key = key
        self.name = name
        self.timeout = timeout
        self.pins = OriginPins(data_dir)
        #: Notes whose cosignature the node has taken; others are posted again next round.
        self._delivered: set[str] = set()

    # -- fetching --

    def fetch_checkpoint(self) -> Checkpoint:
        status, payload = _request(self.url + CHECKPOINT_PATH, timeout=self.timeout)
        if status != HTTPStatus.OK:
            raise Unreachable(
                f"{self.url} answered {status} for its checkpoint {_error_text(payload)}".strip()
            )
        note = payload.get("note") if isinstance(payload, dict) else None
        if not isinstance(note, str):
            raise InvalidResponse(f"{self.url} answered no checkpoint note")
        try:
            checkpoint = Checkpoint.parse(note)
        except CheckpointError as exc:
            raise InvalidResponse(f"{self.url} answered a malformed checkpoint: {exc}") from exc
        if not any(checkpoint.verify(key) for key in self.log_keys):
            pinned = ", ".join(k.fingerprint for k in self.log_keys)
            raise InvalidResponse(
                f"bad signature: the checkpoint of {self.url} (key id "
                f"{checkpoint.key_id[:16]}…) does not verify with the pinned log key ({pinned})"
            )
        return checkpoint

    def fetch_consistency(self, old_size: int, new_size: int) -> list[bytes]:
        query = urllib.parse.urlencode({"old": old_size, "new": new_size})
        status, payload = _request(f"{self.url}{CONSISTENCY_PATH}?{query}", timeout=self.timeout)
        if status != HTTPStatus.OK:
            raise Unreachable(
                f"{self.url} answered {status} for a consistency proof {old_size} → {new_size} "
                f"{_error_text(payload)}".strip()
            )
        proof = payload.get("proof") if isinstance(payload, dict) else None
        try:
            if not isinstance(proof, list) or len(proof) > 130:
                raise ValueError("not a list of at most 130 hashes")
            hashes = [bytes.fromhex(str(h)) for h in proof]
            if any(len(h) != merkle.HASH_SIZE for h in hashes):
                raise ValueError("a hash is not 32 bytes")
        except ValueError as exc:
            raise InvalidResponse(f"{self.url} answered a malformed proof: {exc}") from exc
        return hashes

    # -- state --

    @staticmethod
    def open_alarms(session: Session, origin: str) -> list[WitnessedCheckpoint]:
        """Alarms of ``origin`` not yet acknowledged."""
        last_ack = session.scalar(
            select(WitnessedCheckpoint.id)
            .where(
                WitnessedCheckpoint.origin == origin,
                WitnessedCheckpoint.consistent.is_(True),
                WitnessedCheckpoint.detail.startswith(ACKNOWLEDGED),
            )
            .order_by(WitnessedCheckpoint.id.desc())
            .limit(1)
        )
        query = select(WitnessedCheckpoint).where(
            WitnessedCheckpoint.origin == origin, WitnessedCheckpoint.consistent.is_(False)
        )
        if last_ack is not None:
            query = query.where(WitnessedCheckpoint.id > last_ack)
        return list(session.scalars(query.order_by(WitnessedCheckpoint.id)))

    @staticmethod
    def last_consistent(session: Session, origin: str) -> WitnessedCheckpoint | None:
        return session.scalars(
            select(WitnessedCheckpoint)
            .where(WitnessedCheckpoint.origin == origin, WitnessedCheckpoint.consistent.is_(True))
            .order_by(WitnessedCheckpoint.id.desc())
            .limit(1)
        ).first()

    @staticmethod
    def latest_cosigned(session: Session, origin: str) -> WitnessedCheckpoint | None:
        return session.scalars(
            select(WitnessedCheckpoint)
            .where(
                WitnessedCheckpoint.origin == origin,
                WitnessedCheckpoint.consistent.is_(True),
                WitnessedCheckpoint.cosignature.is_not(None),
            )
            .order_by(WitnessedCheckpoint.id.desc())
            .limit(1)
        ).first()

    def cosignature_of(self, row: WitnessedCheckpoint) -> Cosignature:
        assert row.cosignature is not None
        return Cosignature(
            witness_name=self.name,
            witness_key_id=self.key.public.key_id,
            time=row.seen_at,
            signature=bytes(row.cosignature),
        )

    # -- one round --

    def round(self) -> RoundResult:
        """Fetch, verify, compare, and cosign or alarm. Never raises for the network."""
        try:
            checkpoint = self.fetch_checkpoint()
        except Unreachable as exc:
            return RoundResult(Outcome.UNREACHABLE, exc.message)
        except InvalidResponse as exc:
            return RoundResult(Outcome.INVALID, exc.message)
        pinned = self.pins.get(self.url)
        if pinned is None:
            self.pins.pin(self.url, checkpoint.origin)
            pinned = checkpoint.origin
            log.info("pinned origin %s for %s", pinned, self.url)
        with self.sessions() as session:
            result = self._judge(session, checkpoint, pinned)
            session.commit()
        if result.outcome is Outcome.ALARM:
            log.error("%s", result.message)
        if result.outcome is Outcome.CONSISTENT and checkpoint.note() not in self._delivered:
            return self._deliver(checkpoint, result)
        return result

    def _judge(self, session: Session, checkpoint: Checkpoint, origin: str) -> RoundResult:
        alarms = self.open_alarms(session, origin)
        if alarms:
            first = alarms[0]
            return RoundResult(
                Outcome.ALARM,
                f"history rewritten: {origin} (seen {stamp(first.seen_at)}: {first.detail}); "
                "not cosigning until an operator acknowledges "
                "(psvis witness --acknowledge --reason …)",
                checkpoint,
            )
        if checkpoint.origin != origin:
            return self._alarm(
                session,
                origin,
                checkpoint,
                f"origin changed: {self.url} was {origin}, now answers {checkpoint.origin}",
            )
        last = self.last_consistent(session, origin)
        if last is not None:
            size, root = last.tree_size, bytes(last.root)
            if checkpoint.size < size:
                return self._alarm(
                    session,
                    origin,
                    checkpoint,
                    f"size went back from {size} to {checkpoint.size}",
                )
            if checkpoint.size == size and checkpoint.root != root:
                return self._alarm(
                    session,
                    origin,
                    checkpoint,
                    f"size {size} had root {root.hex()}, now {checkpoint.root.hex()}",
                )
            if checkpoint.note() == last.note and last.cosignature is not None:
                return RoundResult(
                    Outcome.CONSISTENT, f"size {checkpoint.size}: already cosigned", checkpoint
                )
            if checkpoint.size > size:
                try:
                    proof = self.fetch_consistency(size, checkpoint.size)
                except Unreachable as exc:
                    return RoundResult(Outcome.UNREACHABLE, exc.message, checkpoint)
                except InvalidResponse as exc:
                    return RoundResult(Outcome.INVALID, exc.message, checkpoint)
                if not merkle.verify_consistency(
                    old_size=size,
                    new_size=checkpoint.size,
                    old_root=root,
                    new_root=checkpoint.root,
                    proof=proof,
                ):
                    return self._alarm(
                        session,
                        origin,
                        checkpoint,
                        f"no valid consistency proof from size {size} (root {root.hex()}) "
                        f"to size {checkpoint.size} (root {checkpoint.root.hex()})",
                    )
        now = _now_ms()
        cosignature = cosign(checkpoint, key=self.key, name=self.name, now=now)
        session.add(
            WitnessedCheckpoint(
                origin=origin,
                tree_size=checkpoint.size,
                root=checkpoint.root,
                note=checkpoint.note(),
                consistent=True,
                detail="" if last is not None else "first checkpoint seen (trusted on first use)",
                cosignature=cosignature.signature,
                seen_at=now,
            )
        )
        log.info("cosigned %s size %d root %s", origin, checkpoint.size, checkpoint.root.hex())
        return RoundResult(
            Outcome.CONSISTENT,
            f"cosigned {origin} size {checkpoint.size} root {checkpoint.root.hex()}",
            checkpoint,
        )

    def _alarm(
        self, session: Session, origin: str, checkpoint: Checkpoint, detail: str
    ) -> RoundResult:
        session.add(
            WitnessedCheckpoint(
                origin=origin,
                tree_size=checkpoint.size,
                root=checkpoint.root,
                note=checkpoint.note(),
                consistent=False,
                detail=detail[:1000],
                cosignature=None,
                seen_at=utcnow(),
            )
        )
        return RoundResult(Outcome.ALARM, f"history rewritten: {origin}: {detail}", checkpoint)

    def _deliver(self, checkpoint: Checkpoint, result: RoundResult) -> RoundResult:
        with self.sessions() as session:
            row = self.latest_cosigned(session, checkpoint.origin)
        if row is None or row.note != checkpoint.note():
            return result
        body = {"note": row.note, "cosignature": self.cosignature_of(row).as_json()}
        try:
            status, payload = _request(
                self.url + COSIGNATURES_PATH, timeout=self.timeout, body=body
            )
        except WitnessError as exc:
            return RoundResult(
                Outcome.UNREACHABLE, f"{result.message}; not delivered: {exc.message}", checkpoint
            )
        if status != HTTPStatus.OK:
            return RoundResult(
                Outcome.UNREACHABLE,
                f"{result.message}; the node refused the cosignature: {status} "
                f"{_error_text(payload)}".strip(),
                checkpoint,
            )
        self._delivered.add(row.note)
        return result

    def acknowledge(self, reason: str) -> RoundResult:
        """An operator accepts the node's current checkpoint as the new baseline after an
        alarm (or an origin change). The alarms stay in the table."""
        if not reason.strip():
            raise WitnessError("say why (--reason): the acknowledgement is kept with the alarm")
        checkpoint = self.fetch_checkpoint()
        previous = self.pins.get(self.url)
        with self.sessions() as session:
            alarms = self.open_alarms(session, previous or checkpoint.origin)
            session.add(
                WitnessedCheckpoint(
                    origin=checkpoint.origin,
                    tree_size=checkpoint.size,
                    root=checkpoint.root,
                    note=checkpoint.note(),
                    consistent=True,
                    detail=(ACKNOWLEDGED + reason.strip())[:1000],
                    cosignature=None,
                    seen_at=utcnow(),
                )
            )
            if previous is not None and previous != checkpoint.origin:
                session.add(
                    WitnessedCheckpoint(
                        origin=previous,
                        tree_size=checkpoint.size,
                        root=checkpoint.root,
                        note=checkpoint.note(),
                        consistent=True,
                        detail=(ACKNOWLEDGED + f"origin now {checkpoint.origin}: {reason}")[:1000],
                        cosignature=None,
                        seen_at=utcnow(),
                    )
                )
            session.commit()
        self.pins.pin(self.url, checkpoint.origin)
        log.warning(
            "operator acknowledged %d alarm(s) of %s: %s", len(alarms), checkpoint.origin, reason
        )
        return RoundResult(
            Outcome.CONSISTENT,
            f"acknowledged {len(alarms)} alarm(s); new baseline {checkpoint.origin} "
            f"size {checkpoint.size} root {checkpoint.root.hex()}",
            checkpoint,
        )

    # -- what the witness serves --

    def view(self, origin: str) -> dict[str, Any] | None:
        """``GET /witness/latest`` answer for ``origin``; None when nothing is cosigned."""
        with self.sessions() as session:
            row = self.latest_cosigned(session, origin)
            alarms = [
                f"{stamp(a.seen_at)} size {a.tree_size}: {a.detail}"
                for a in self.open_alarms(session, origin)
            ]
        if row is None:
            return None
        return {
            "origin": origin,
            "note": row.note,
            "cosignature": self.cosignature_of(row).as_json(),
            "alarms": alarms,
        }


# --- serving and looping -----------------------------------------------------------------------


def serve(witness: Witness, port: int) -> ThreadingHTTPServer:
    """Start the read-only endpoint on 127.0.0.1:``port`` in a daemon thread; the caller
    ``shutdown()``s it. Loopback only: a node's audit reaches it through its operator's
    tunnel or reverse proxy, never an open port."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "psvis-witness"

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            if parts.path != LATEST_PATH:
                self._answer(HTTPStatus.NOT_FOUND, {"error": {"message": "no such path"}})
                return
            origins = urllib.parse.parse_qs(parts.query).get("origin", [])
            if len(origins) != 1 or not 0 < len(origins[0]) <= 200:
                self._answer(HTTPStatus.BAD_REQUEST, {"error": {"message": "origin=… needed"}})
                return
            try:
                view = witness.view(origins[0])
            except Exception:
                log.exception("witness view failed")
                self._answer(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": {"message": "failed"}})
                return
            if view is None:
                message = f"nothing of {origins[0]} cosigned"
                self._answer(HTTPStatus.NOT_FOUND, {"error": {"message": message}})
                return
            self._answer(HTTPStatus.OK, view)

        def _answer(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("witness http: " + format, *args)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="witness-http", daemon=True)
    thread.start()
    return server


def run(witness: Witness, *, interval: float, stop: threading.Event) -> None:
    """Rounds every ``interval`` seconds until ``stop`` is set; errors are logged and
    retried, alarms logged by the round."""
    while not stop.is_set():
        try:
            result = witness.round()
        except Exception:  # the database, a pin file: keep watching, say so loudly
            log.exception("witness round failed")
        else:
            if result.outcome in (Outcome.UNREACHABLE, Outcome.INVALID):
                log.warning("%s: %s", result.outcome.value, result.message)
        stop.wait(interval)
