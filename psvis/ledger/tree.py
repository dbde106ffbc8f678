"""The stored Merkle tree: integrating queued entries as leaves, roots and proofs.

Appends are batched and serialised: :func:`integrate` first writes the head row (which
takes SQLite's write lock and PostgreSQL's row lock before anything is read), then turns
queued entries into leaves in id order, storing each perfect subtree as it completes.
Every proof is then a handful of stored hashes, fetched in one query (O(log n)).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from psvis.core.timeutil import utcnow
from psvis.ledger import merkle
from psvis.ledger.models import LedgerEntry, LedgerHead, LedgerNode

HEAD_ID = 1
_ENTRY = cast(Table, LedgerEntry.__table__)
_NODE = cast(Table, LedgerNode.__table__)
_SET_LEAF_INDEX = (
    update(_ENTRY).where(_ENTRY.c.id == bindparam("b_id")).values(leaf_index=bindparam("b_leaf"))
)
#: Entries integrated per round trip: big enough to amortise, small enough to hold.
BATCH = 5000


def head(session: Session, *, create_origin: str | None = None) -> LedgerHead:
    """The head row, created (empty tree) on first use with ``create_origin``."""
    row = session.get(LedgerHead, HEAD_ID)
    if row is None:
        origin = create_origin or f"psvis/{uuid.uuid4()}"
        row = LedgerHead(id=HEAD_ID, origin=origin, size=0, root=merkle.EMPTY_ROOT)
        session.add(row)
        session.flush()
    return row


def _lock_head(session: Session) -> tuple[int, bytes]:
    """Take the append lock (a write to the head row) and read size and root."""
    head(session)
    session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == HEAD_ID)
        .values(size=LedgerHead.size)
        .execution_options(synchronize_session=False)
    )
    size, root = session.execute(
        select(LedgerHead.size, LedgerHead.root).where(LedgerHead.id == HEAD_ID)
    ).one()
    return int(size), bytes(root)


class NodeCache:
    """Perfect-subtree hashes for one computation: fetched in bulk, then from memory."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[int, int], bytes] = {}

    def prefetch(self, keys: Iterable[tuple[int, int]]) -> None:
        # ``(level = ? AND idx = ?) OR …`` rather than a row-value ``IN``: SQLite answers
        # the latter with a full scan of the table, this with primary-key lookups
        # (bench/ledger.py proof: 1.4 s → 0.35 ms at 10⁷ leaves).
        wanted = [k for k in set(keys) if k not in self.known]
        for start in range(0, len(wanted), 200):
            chunk = wanted[start : start + 200]
            where = " OR ".join(f"(level = :l{n} AND idx = :i{n})" for n in range(len(chunk)))
            params: dict[str, int] = {}
            for n, (level, idx) in enumerate(chunk):
                params[f"l{n}"], params[f"i{n}"] = level, idx
            rows = self.session.execute(
                text(f"SELECT level, idx, hash FROM ledger_node WHERE {where}"),  # noqa: S608 - placeholders only
                params,
            )
            for level, idx, value in rows:
                self.known[(int(level), int(idx))] = bytes(value)

    def get(self, level: int, idx: int) -> bytes:
        value = self.known.get((level, idx))
        if value is None:
            self.prefetch([(level, idx)])
            value = self.known.get((level, idx))
            if value is None:
                raise merkle.ProofError(f"tree node ({level}, {idx}) is not stored")
        return value


def _with_nodes(session: Session, compute: Callable[[merkle.NodeGetter], object]) -> NodeCache:
    """A cache holding every node ``compute`` reads, fetched in one query: the proof is
    first run against placeholder hashes to learn which nodes it needs."""
    keys: list[tuple[int, int]] = []

    def record(level: int, idx: int) -> bytes:
        keys.append((level, idx))
        return b"\x00" * merkle.HASH_SIZE

    compute(record)
    cache = NodeCache(session)
    cache.prefetch(keys)
    return cache


def integrate(session: Session, *, limit: int | None = None) -> int:
    """Turn queued entries into leaves (id order); returns how many. The caller commits;
    until then the head stays locked."""
    size, _root = _lock_head(session)
    done = 0
    cache = NodeCache(session)
    cache.prefetch(merkle.nodes_for_root(size))
    while limit is None or done < limit:
        take = BATCH if limit is None else min(BATCH, limit - done)
        rows = session.execute(
            select(LedgerEntry.id, LedgerEntry.entry)
            .where(LedgerEntry.leaf_index.is_(None))
            .order_by(LedgerEntry.id)
            .limit(take)
        ).all()
        if not rows:
            break
        nodes: list[dict[str, object]] = []
        indices: list[dict[str, object]] = []
        for entry_id, entry in rows:
            index = size
            for level, idx, value in merkle.completed_nodes(
                index, merkle.leaf_hash(bytes(entry)), cache.get
            ):
                cache.known[(level, idx)] = value
                nodes.append({"level": level, "idx": idx, "hash": value})
            indices.append({"b_id": entry_id, "b_leaf": index})
            size += 1
        # Core executemany on the tables: the ORM's bulk paths cost more than the tree.
        connection = session.connection()
        connection.execute(insert(_NODE), nodes)
        connection.execute(_SET_LEAF_INDEX, indices)
        done += len(rows)
        # Keep only what the next leaves can need: the frontier of the new size.
        frontier = set(merkle.nodes_for_root(size))
        cache.known = {k: v for k, v in cache.known.items() if k in frontier}
    if done:
        new_root = merkle.root(cache.get, size)
        session.execute(
            update(LedgerHead)
            .where(LedgerHead.id == HEAD_ID)
            .values(size=size, root=new_root, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return done


def root_at(session: Session, size: int) -> bytes:
    """Root of the first ``size`` leaves, from stored nodes."""
    cache = NodeCache(session)
    cache.prefetch(merkle.nodes_for_root(size))
    return merkle.root(cache.get, size)


def inclusion(session: Session, *, index: int, size: int) -> list[bytes]:
    """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise merkle.ProofError(f"leaf {index} is not in a tree of size {size}")
    cache = _with_nodes(session, lambda get: merkle.inclusion_proof(get, index, size))
    return merkle.inclusion_proof(cache.get, index, size)


def consistency(session: Session, *, old_size: int, new_size: int) -> list[bytes]:
    """Consistency proof from ``old_size`` to ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise merkle.ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    cache = _with_nodes(session, lambda get: merkle.consistency_proof(get, old_size, new_size))
    return merkle.consistency_proof(cache.get, old_size, new_size)


def size(session: Session) -> int:
    return int(session.scalar(select(LedgerHead.size).where(LedgerHead.id == HEAD_ID)) or 0)


def leaves(
    session: Session, *, start: int = 0, end: int | None = None, chunk: int = 20_000
) -> Iterator[tuple[int, bytes]]:
    """``(leaf_index, entry)`` in index order, streamed in chunks."""
    position = start
    while end is None or position < end:
        stop = position + chunk if end is None else min(position + chunk, end)
        rows = session.execute(
            select(LedgerEntry.leaf_index, LedgerEntry.entry)
            .where(LedgerEntry.leaf_index >= position, LedgerEntry.leaf_index < stop)
            .order_by(LedgerEntry.leaf_index)
        ).all()
        if not rows:
            return
        for index, entry in rows:
            yield int(index or 0), bytes(entry)  # the WHERE excludes NULL
        position = int(rows[-1][0] or 0) + 1


class RootTracker:
    """Recomputes roots from leaf hashes streamed in order, without stored nodes: the
    auditor's independent check of the stored tree against signed checkpoints."""

    def __init__(self) -> None:
        self.size = 0
        #: Perfect subtrees of the current size, left to right: (level, hash).
        self._stack: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        level, current = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _lvl, left = self._stack.pop()
            current = merkle.node_hash(left, current)
            level += 1
        self._stack.append((level, current))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return merkle.EMPTY_ROOT
        current = self._stack[-1][1]
        for _level, left in reversed(self._stack[:-1]):
            current = merkle.node_hash(left, current)
        return current
