"""The logs' Merkle tree against RFC 9162: every inclusion and consistency proof of trees up
to 40 leaves verifies, any change to a leaf, a root or a proof fails, and the proofs made
from the stored complete subtrees are the RFC's pseudo-code's (written out below) for every
tree up to 70 leaves, with exactly the nodes they name; a tree built by appends in batches
is the tree built at once."""

import hashlib

import pytest

from sabt.kit import merkle


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


# RFC 9162 section 2.1's definitions, verbatim in Python: the reference the stored tree's
# proofs must equal.
def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_root(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _split(len(d))
    return merkle.node_hash(rfc_root(d[:k]), rfc_root(d[k:]))


def rfc_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _split(len(d))
    if m < k:
        return [*rfc_path(m, d[:k]), rfc_root(d[k:])]
    return [*rfc_path(m - k, d[k:]), rfc_root(d[:k])]


def rfc_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [rfc_root(d)]
    k = _split(n)
    if m <= k:
        return [*rfc_subproof(m, d[:k], b), rfc_root(d[k:])]
    return [*rfc_subproof(m - k, d[k:], False), rfc_root(d[:k])]


class Named(dict[merkle.Node, bytes]):
    """The tree's nodes, refusing any not named beforehand: a proof reads only what its
    `…_nodes` said (what a log fetches in its one query)."""

    def __init__(self, nodes: dict[merkle.Node, bytes], named: set[merkle.Node]) -> None:
        super().__init__({n: nodes[n] for n in named})


def test_proofs_from_stored_subtrees_are_the_rfcs() -> None:
    for n in range(1, 71):
        tree = leaves(n)
        nodes = merkle.all_nodes(tree)
        assert merkle.range_root(Named(nodes, merkle.root_nodes(n)), 0, n) == rfc_root(tree)
        for m in range(n):
            named = Named(nodes, merkle.inclusion_nodes(m, n))
            assert merkle.inclusion_from(named, m, n) == rfc_path(m, tree), (m, n)
            assert len(named) <= 2 * n.bit_length()  # O(log n) reads
        for first in range(1, n + 1):
            named = Named(nodes, merkle.consistency_nodes(first, n))
            assert merkle.consistency_from(named, first, n) == rfc_subproof(first, tree, True)


@pytest.mark.parametrize("batches", [[1] * 37, [5, 3, 8, 1, 20], [64], [2, 30, 1, 1, 33]])
def test_appends_in_batches_build_the_tree_reading_only_the_left_siblings(
    batches: list[int],
) -> None:
    tree = leaves(sum(batches))
    stored: dict[merkle.Node, bytes] = {}
    size = 0
    for count in batches:
        wanted = merkle.siblings_to_complete(size, count)
        made = merkle.completed_nodes(
            size, tree[size : size + count], Named(stored, wanted).__getitem__
        )
        assert not made.keys() & stored.keys()  # each subtree written once
        stored |= made
        size += count
    assert stored == merkle.all_nodes(tree)
    assert merkle.range_root(stored, 0, size) == rfc_root(tree)
