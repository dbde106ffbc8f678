"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and verification.

Pure functions over hashes; storage lives in ``tree.py``. Definitions (RFC 9162 §2.1.1):

- leaf hash ``SHA-256(0x00 ‖ entry)``; node hash ``SHA-256(0x01 ‖ left ‖ right)``;
- ``MTH(D[n])`` splits at ``k``, the largest power of two smaller than ``n``.

Proof generation here is written over *perfect subtrees* — the aligned ranges
``[i·2^l, (i+1)·2^l)`` whose hashes never change once complete — so that a store of those
hashes gives every proof with O(log n) lookups. ``verify_inclusion`` and
``verify_consistency`` follow the verification algorithms of RFC 9162 §2.1.3.2 and
§2.1.4.2 literally; a verifier holds nothing but the proof, the sizes and the roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``(level, index) -> hash`` of the perfect subtree covering leaves
#: ``[index·2^level, (index+1)·2^level)``; level 0 is the leaf hash.
NodeGetter = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof request outside the tree (index ≥ size, sizes out of order)."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(get: NodeGetter, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)``, where ``start`` is a multiple of the largest power
    of two not above ``end - start`` (true of every range the proofs ask for)."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:  # perfect: stored
        level = size.bit_length() - 1
        return get(level, start >> level)
    k = _split(size)
    return node_hash(get((k.bit_length() - 1), start // k), subtree_hash(get, start + k, end))


def root(get: NodeGetter, size: int) -> bytes:
    """MTH of the first ``size`` leaves."""
    return subtree_hash(get, 0, size)


def nodes_for_root(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees whose hashes make up the root of ``size`` leaves, left to
    right (one per set bit of ``size``)."""
    out, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def inclusion_proof(get: NodeGetter, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf-side first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    return _path(get, index, 0, size)


def _path(get: NodeGetter, m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(get, m, start, start + k), subtree_hash(get, start + k, end)]
    return [*_path(get, m - k, start + k, end), subtree_hash(get, start, start + k)]


def consistency_proof(get: NodeGetter, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    return _subproof(get, old_size, 0, new_size, True)


def _subproof(get: NodeGetter, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree_hash(get, start, end)]
    k = _split(n)
    if m <= k:
        return [*_subproof(get, m, start, start + k, complete), subtree_hash(get, start + k, end)]
    return [*_subproof(get, m - k, start + k, end, False), subtree_hash(get, start, start + k)]


def verify_inclusion(
    *, leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``leaf`` (a leaf hash) sit at ``index`` of the tree of
    ``size`` leaves whose root is ``root_hash``?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``new_size`` leaves an append-only extension of
    the tree of ``old_size`` leaves?"""
    if old_size > new_size or old_size < 0:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # every tree extends the empty one
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def completed_nodes(index: int, leaf: bytes, left_of: NodeGetter) -> list[tuple[int, int, bytes]]:
    """The perfect subtrees completed by appending ``leaf`` at ``index``: the leaf itself
    and every ancestor whose range ends at ``index + 1``. ``left_of(level, i)`` gives the
    left sibling hashes (already stored or completed earlier in the same batch)."""
    out = [(0, index, leaf)]
    current, level, i = leaf, 0, index
    while i & 1:  # a right child completes its parent
        current = node_hash(left_of(level, i - 1), current)
        level, i = level + 1, i >> 1
        out.append((level, i, current))
    return out
