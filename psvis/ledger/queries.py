"""What the ledger API and ``psvis ledger`` read: status, checkpoints, proofs, entries,
keys; and the one thing a stranger may write, a witness's cosignature.

Every function is read-only except :func:`accept_cosignature`, and none creates the log:
a node without a ledger answers "not found" rather than inventing an origin. Sizes and
indices are checked against the stored tree here, so the API and the CLI refuse the same
hostile input with the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.core.errors import Forbidden, InvalidInput, NotFound, PsvisError
from psvis.ledger import entries, merkle, tree
from psvis.ledger.checkpoints import Checkpoint, CheckpointError, Cosignature
from psvis.ledger.keys import LedgerKeyError, PublicKey, fingerprint, public_path
from psvis.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerKey,
)
from psvis.ledger.service import latest, store_cosignature

log = logging.getLogger("psvis.ledger")

#: Entries per page of ``leaves``: a page stays well under a megabyte.
MAX_LEAVES_PAGE = 1000


class TreeDamaged(PsvisError):
    """A proof needs a stored node that is missing: the database was damaged or edited
    (``psvis audit`` says more)."""

    status_code = 500
    code = "ledger_tree_damaged"


# --- answers ----------------------------------------------------------------------------------


class CheckpointInfo(BaseModel):
    size: int
    root: str = Field(description="Root hash, hex.")
    time: dt.datetime
    key_id: str
    key_fingerprint: str


class WitnessInfo(BaseModel):
    """The newest checkpoint one witness (by key) has cosigned."""

    witness: str
    key_id: str
    checkpoint_size: int
    checkpoint_time: dt.datetime
    cosigned_at: dt.datetime


class LedgerStatus(BaseModel):
    origin: str
    size: int = Field(description="Leaves integrated into the tree.")
    root: str = Field(description="Root hash of the tree, hex.")
    queued: int = Field(description="Entries recorded but not yet integrated.")
    last_checkpoint: CheckpointInfo | None
    witnesses: list[WitnessInfo]


class SignedCheckpoint(BaseModel):
    note: str = Field(description="The signed checkpoint note (docs/design/ledger.md).")
    cosignatures: list[dict[str, str]] = Field(
        description="Witness cosignatures of this note: witness, key_id, time, signature."
    )


class InclusionProof(BaseModel):
    index: int
    size: int
    entry: str = Field(description="The entry's canonical JSON; its UTF-8 bytes are the leaf.")
    body: dict[str, Any] | None = Field(description="The entry parsed (None: not canonical).")
    leaf_hash: str = Field(description="SHA-256(0x00 ‖ entry bytes), hex.")
    root: str = Field(description="Root of the tree of ``size`` leaves, hex.")
    proof: list[str] = Field(description="RFC 9162 inclusion proof, hex hashes.")
    checkpoint: str | None = Field(description="A signed checkpoint note of this size, if any.")


class ConsistencyProof(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str] = Field(description="RFC 9162 consistency proof, hex hashes.")
    old_checkpoint: str | None = None
    new_checkpoint: str | None = None


class Leaf(BaseModel):
    index: int
    leaf_hash: str
    entry: str
    body: dict[str, Any] | None
    problem: str | None = Field(default=None, description="Why ``body`` is None.")


class LeavesPage(BaseModel):
    start: int
    limit: int
    size: int = Field(description="Leaves in the tree now.")
    items: list[Leaf]


class KeyInfo(BaseModel):
    key_id: str
    fingerprint: str
    pem: str
    created_at: dt.datetime | None = None
    retired_at: dt.datetime | None = None


class PublicKeys(BaseModel):
    """The key signing checkpoints now, and every key the log has used (rotation)."""

    key_id: str
    fingerprint: str
    pem: str
    keys: list[KeyInfo]


class CosignatureAccepted(BaseModel):
    stored: bool = Field(description="False: this witness had already cosigned this note.")
    checkpoint_size: int


# --- reads ------------------------------------------------------------------------------------


def _head(session: Session) -> LedgerHead:
    row = session.get(LedgerHead, tree.HEAD_ID)
    if row is None:
        raise NotFound("this node has no ledger yet (run `psvis init`)")
    return row


def _key_fingerprint(session: Session, key_id: str) -> str:
    raw = session.scalar(select(LedgerKey.public_key).where(LedgerKey.key_id == key_id))
    return fingerprint(bytes(raw)) if raw is not None else "unknown key"


def status(session: Session) -> LedgerStatus:
    head = _head(session)
    queued = session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.leaf_index.is_(None))
    )
    last = latest(session)
    info = None
    if last is not None:
        info = CheckpointInfo(
            size=last.tree_size,
            root=bytes(last.root).hex(),
            time=last.signed_at,
            key_id=last.key_id,
            key_fingerprint=_key_fingerprint(session, last.key_id),
        )
    newest = (
        select(
            LedgerCosignature.witness_key_id,
            func.max(LedgerCosignature.checkpoint_id).label("checkpoint_id"),
        )
        .group_by(LedgerCosignature.witness_key_id)
        .subquery()
    )
    rows = session.execute(
        select(LedgerCosignature, LedgerCheckpoint)
        .join(LedgerCheckpoint, LedgerCheckpoint.id == LedgerCosignature.checkpoint_id)
        .join(
            newest,
            (newest.c.witness_key_id == LedgerCosignature.witness_key_id)
            & (newest.c.checkpoint_id == LedgerCosignature.checkpoint_id),
        )
        .order_by(LedgerCosignature.witness_name)
    ).all()
    witnesses = [
        WitnessInfo(
            witness=cosig.witness_name,
            key_id=cosig.witness_key_id,
            checkpoint_size=checkpoint.tree_size,
            checkpoint_time=checkpoint.signed_at,
            cosigned_at=cosig.cosigned_at,
        )
        for cosig, checkpoint in rows
    ]
    return LedgerStatus(
        origin=head.origin,
        size=head.size,
        root=bytes(head.root).hex(),
        queued=int(queued or 0),
        last_checkpoint=info,
        witnesses=witnesses,
    )


def _cosignatures(session: Session, checkpoint: LedgerCheckpoint) -> list[dict[str, str]]:
    rows = session.scalars(
        select(LedgerCosignature)
        .where(LedgerCosignature.checkpoint_id == checkpoint.id)
        .order_by(LedgerCosignature.id)
    )
    return [
        Cosignature(
            witness_name=row.witness_name,
            witness_key_id=row.witness_key_id,
            time=row.cosigned_at,
            signature=bytes(row.signature),
        ).as_json()
        for row in rows
    ]


def latest_checkpoint(session: Session) -> SignedCheckpoint:
    row = latest(session)
    if row is None:
        raise NotFound("no checkpoint has been signed yet")
    return SignedCheckpoint(note=row.note, cosignatures=_cosignatures(session, row))


def checkpoint_note_of_size(session: Session, size: int) -> str | None:
    """The newest signed note of a tree of exactly ``size`` leaves."""
    return session.scalar(
        select(LedgerCheckpoint.note)
        .where(LedgerCheckpoint.tree_size == size)
        .order_by(LedgerCheckpoint.id.desc())
        .limit(1)
    )


def default_size(session: Session) -> int:
    """Proofs default to the newest *signed* size, so they verify against a signature;
    before the first checkpoint, to the tree as it stands."""
    last = latest(session)
    return last.tree_size if last is not None else _head(session).size


def _check_size(session: Session, size: int, name: str) -> None:
    current = _head(session).size
    if not 0 <= size <= current:
        raise InvalidInput(f"{name} {size} is outside the tree (0 to {current} leaves)")


def _leaf(index: int, data: bytes) -> Leaf:
    body: dict[str, Any] | None = None
    problem = None
    try:
        body = entries.decode(data)
    except entries.EntryError as exc:
        problem = str(exc)
    return Leaf(
        index=index,
        leaf_hash=merkle.leaf_hash(data).hex(),
        entry=data.decode("utf-8", "replace"),
        body=body,
        problem=problem,
    )


def inclusion(session: Session, *, index: int, size: int | None = None) -> InclusionProof:
    """Leaf ``index`` with its proof against the tree of ``size`` leaves (default: the
    newest signed size)."""
    size = default_size(session) if size is None else size
    _check_size(session, size, "size")
    if not 0 <= index < size:
        raise InvalidInput(f"leaf {index} is not in a tree of {size} leaves")
    data = session.scalar(select(LedgerEntry.entry).where(LedgerEntry.leaf_index == index))
    if data is None:
        raise NotFound(f"leaf {index} has no stored entry")
    leaf = _leaf(index, bytes(data))
    try:
        proof = tree.inclusion(session, index=index, size=size)
        root = tree.root_at(session, size)
    except merkle.ProofError as exc:
        raise TreeDamaged(f"cannot prove leaf {index}: {exc}") from exc
    return InclusionProof(
        index=index,
        size=size,
        entry=leaf.entry,
        body=leaf.body,
        leaf_hash=leaf.leaf_hash,
        root=root.hex(),
        proof=[p.hex() for p in proof],
        checkpoint=checkpoint_note_of_size(session, size),
    )


def consistency(
    session: Session, *, old_size: int, new_size: int | None = None
) -> ConsistencyProof:
    """Proof that the tree of ``new_size`` leaves (default: the newest signed size)
    extends the tree of ``old_size`` leaves."""
    new_size = default_size(session) if new_size is None else new_size
    _check_size(session, new_size, "new size")
    if not 0 <= old_size <= new_size:
        raise InvalidInput(f"old size {old_size} must be between 0 and new size {new_size}")
    try:
        proof = tree.consistency(session, old_size=old_size, new_size=new_size)
        old_root = tree.root_at(session, old_size)
        new_root = tree.root_at(session, new_size)
    except merkle.ProofError as exc:
        raise TreeDamaged(f"cannot prove {old_size} → {new_size}: {exc}") from exc
    return ConsistencyProof(
        old_size=old_size,
        new_size=new_size,
        old_root=old_root.hex(),
        new_root=new_root.hex(),
        proof=[p.hex() for p in proof],
        old_checkpoint=checkpoint_note_of_size(session, old_size),
        new_checkpoint=checkpoint_note_of_size(session, new_size),
    )


def leaves(session: Session, *, start: int, limit: int) -> LeavesPage:
    if start < 0 or not 1 <= limit <= MAX_LEAVES_PAGE:
        raise InvalidInput(f"start must be ≥ 0 and limit between 1 and {MAX_LEAVES_PAGE}")
    size = _head(session).size
    items = [
        _leaf(index, data)
        for index, data in tree.leaves(session, start=start, end=min(start + limit, size))
    ]
    return LeavesPage(start=start, limit=limit, size=size, items=items)


def public_keys(session: Session, *, data_dir: Path) -> PublicKeys:
    try:
        current = PublicKey.read(public_path(data_dir))
    except LedgerKeyError as exc:
        raise NotFound("this node has no ledger signing key yet (run `psvis init`)") from exc
    keys = [
        KeyInfo(
            key_id=row.key_id,
            fingerprint=fingerprint(bytes(row.public_key)),
            pem=PublicKey(bytes(row.public_key)).pem().decode(),
            created_at=row.created_at,
            retired_at=row.retired_at,
        )
        for row in session.scalars(select(LedgerKey).order_by(LedgerKey.created_at))
    ]
    return PublicKeys(
        key_id=current.key_id,
        fingerprint=current.fingerprint,
        pem=current.pem().decode(),
        keys=keys,
    )


# --- the one write: a witness's cosignature ---------------------------------------------------


def witness_keys(paths: Sequence[Path]) -> list[PublicKey]:
    """The accepted witnesses' keys; an unreadable file is logged and skipped, so one
    broken file does not silence the other witnesses."""
    found = []
    for path in paths:
        try:
            found.append(PublicKey.read(path))
        except LedgerKeyError as exc:
            log.error("witness public key %s skipped: %s", path, exc.message)
    return found


def accept_cosignature(
    session: Session, *, note: str, cosignature: object, witnesses: Sequence[PublicKey]
) -> CosignatureAccepted:
    """Keep a witness's cosignature of one of our checkpoints.

    The Ed25519 signature is the authentication: the key must be one this node was told
    to accept (``witness_public_keys``) and the signature must verify over the note, which
    must be exactly one this log signed. Checked in that order, so a stranger's request
    never reaches the database. Idempotent."""
    try:
        checkpoint = Checkpoint.parse(note)
        cosig = Cosignature.from_json(cosignature)
    except CheckpointError as exc:
        raise InvalidInput(str(exc)) from exc
    key = next((k for k in witnesses if k.key_id == cosig.witness_key_id), None)
    if key is None:
        raise Forbidden(f"witness key {cosig.witness_key_id[:16]}… is not accepted by this node")
    if not cosig.verify(checkpoint, key):
        raise Forbidden("the cosignature does not verify with the witness's key")
    row = session.scalars(
        select(LedgerCheckpoint)
        .where(LedgerCheckpoint.tree_size == checkpoint.size, LedgerCheckpoint.note == note)
        .order_by(LedgerCheckpoint.id)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("this log never signed that checkpoint")
    stored = store_cosignature(session, checkpoint_row=row, cosignature=cosig)
    return CosignatureAccepted(stored=stored, checkpoint_size=row.tree_size)
