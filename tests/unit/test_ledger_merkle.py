"""RFC 9162 hashing and proofs, cross-checked against an independent implementation.

The reference below is the recursive definition of RFC 9162 §2.1 (MTH, PATH, PROOF,
SUBPROOF) written directly over a list of entries, sharing no code with
``psvis.ledger.merkle`` (which works over stored perfect subtrees). Both must agree on
every root and proof, and the verifiers must accept exactly the right proofs.
"""

from __future__ import annotations

import hashlib

import pytest

from psvis.ledger import merkle

# --- the reference (RFC 9162 §2.1, literally) -------------------------------------------


def ref_mth(data: list[bytes]) -> bytes:
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:])).digest()


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, data[:k]), ref_mth(data[k:])]
    return [*ref_path(m - k, data[k:]), ref_mth(data[:k])]


def ref_subproof(m: int, data: list[bytes], b: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if b else [ref_mth(data)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, data[:k], b), ref_mth(data[k:])]
    return [*ref_subproof(m - k, data[k:], False), ref_mth(data[:k])]


def ref_proof(m: int, data: list[bytes]) -> list[bytes]:
    return ref_subproof(m, data, True) if 0 < m < len(data) else []


# --- a store of perfect subtrees built the way tree.py builds it --------------------------


def build(data: list[bytes]) -> dict[tuple[int, int], bytes]:
    store: dict[tuple[int, int], bytes] = {}
    for index, entry in enumerate(data):
        for level, idx, value in merkle.completed_nodes(
            index, merkle.leaf_hash(entry), lambda lv, i: store[(lv, i)]
        ):
            store[(level, idx)] = value
    return store


DATA = [f"entry-{i}".encode() for i in range(70)]
STORE = build(DATA)


def get(level: int, idx: int) -> bytes:
    return STORE[(level, idx)]


def test_hashing_is_domain_separated() -> None:
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    left, right = b"a" * 32, b"b" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle.root(get, 0) == hashlib.sha256(b"").digest()


def test_known_vector_three_leaves() -> None:
    # Written out by hand from the definition: MTH({d0,d1,d2}) = H(1 ‖ H(1 ‖ L0 ‖ L1) ‖ L2).
    leaves = [hashlib.sha256(b"\x00" + d).digest() for d in DATA[:3]]
    left = hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).digest()
    assert merkle.root(get, 3) == hashlib.sha256(b"\x01" + left + leaves[2]).digest()


@pytest.mark.parametrize("size", range(1, 71))
def test_roots_match_the_reference(size: int) -> None:
    assert merkle.root(get, size) == ref_mth(DATA[:size])


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 70])
def test_inclusion_proofs_match_and_verify(size: int) -> None:
    root = ref_mth(DATA[:size])
    for index in range(size):
        proof = merkle.inclusion_proof(get, index, size)
        assert proof == ref_path(index, DATA[:size])
        leaf = merkle.leaf_hash(DATA[index])
        assert merkle.verify_inclusion(
            leaf=leaf, index=index, size=size, proof=proof, root_hash=root
        )
        # Wrong index, wrong leaf, wrong size, a flipped proof byte: all refused.
        assert not merkle.verify_inclusion(
            leaf=merkle.leaf_hash(b"other"), index=index, size=size, proof=proof, root_hash=root
        )
        if size > 1:
            assert not merkle.verify_inclusion(
                leaf=leaf, index=(index + 1) % size, size=size, proof=proof, root_hash=root
            )
            bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            assert not merkle.verify_inclusion(
                leaf=leaf, index=index, size=size, proof=bad, root_hash=root
            )


@pytest.mark.parametrize("new", [1, 2, 3, 5, 8, 9, 13, 32, 33, 70])
def test_consistency_proofs_match_and_verify(new: int) -> None:
    new_root = ref_mth(DATA[:new])
    for old in range(0, new + 1):
        proof = merkle.consistency_proof(get, old, new)
        assert proof == ref_proof(old, DATA[:new])
        old_root = ref_mth(DATA[:old])
        assert merkle.verify_consistency(
            old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=proof
        )
        if 0 < old < new:
            # A rewritten old tree (different root) is not consistent with the new one.
            forged = ref_mth([b"forged", *DATA[1:old]])
            assert not merkle.verify_consistency(
                old_size=old, new_size=new, old_root=forged, new_root=new_root, proof=proof
            )
            bad = [*proof[:-1], bytes([proof[-1][0] ^ 1]) + proof[-1][1:]]
            assert not merkle.verify_consistency(
                old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=bad
            )


def test_out_of_range_requests_are_refused() -> None:
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(get, 5, 5)
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(get, -1, 5)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(get, 6, 5)
    assert not merkle.verify_consistency(
        old_size=6, new_size=5, old_root=b"", new_root=b"", proof=[]
    )
    assert not merkle.verify_inclusion(
        leaf=merkle.leaf_hash(DATA[0]), index=0, size=0, proof=[], root_hash=merkle.EMPTY_ROOT
    )


def test_nodes_for_root_are_the_binary_decomposition() -> None:
    assert merkle.nodes_for_root(0) == []
    assert merkle.nodes_for_root(1) == [(0, 0)]
    assert merkle.nodes_for_root(6) == [(2, 0), (1, 2)]
    assert merkle.nodes_for_root(13) == [(3, 0), (2, 2), (0, 12)]
