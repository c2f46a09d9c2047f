"""The Merkle tree of an append-only log, as RFC 9162 (Certificate Transparency 2.0, section
2.1) defines it: leaf and node hashes with distinct prefixes, roots, inclusion and
consistency proofs and their verification. Pure: no I/O. One implementation for every log
of the platform (the documents' transparency log, the exchange's evidence log).

A stored log keeps its tree: the hash of every complete subtree, `(level, index)` for the
2^level leaves from index × 2^level, written once when its last leaf arrives
(`completed_nodes`). Any root or proof is then made of O(log n) of them: RFC 9162's
recursion splits a range at the largest power of two below its size, so every left part is
such a subtree, and only the rightmost edge is partial (`decompose`). A log asks for the
nodes a proof needs (`inclusion_nodes`, `consistency_nodes`), reads them in one query and
builds the proof from them, instead of reading every leaf.

Written here rather than taken from a library: the Python CT packages are unmaintained or
tied to X.509 certificates, and these few functions are the RFC's own pseudo-code.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, index): the leaves [index << level, (index + 1) << level)
Nodes = Mapping[Node, bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- a tree kept as its complete subtrees ---------------------------------------------------


def decompose(start: int, end: int) -> list[Node]:
    """The complete subtrees whose hashes make MTH(D[start:end]) for a range RFC 9162's
    recursion produces (`start` a multiple of the largest power of two below end − start, as
    every such range's is), left to right."""
    out: list[Node] = []
    while end - start > 0:
        size = end - start
        if size & (size - 1) == 0:  # a power of two: one complete subtree
            level = size.bit_length() - 1
            out.append((level, start >> level))
            break
        k = _split(size)
        level = k.bit_length() - 1
        out.append((level, start >> level))
        start += k
    return out


def range_root(nodes: Nodes, start: int, end: int) -> bytes:
    """MTH(D[start:end]) from the complete subtrees of `decompose(start, end)`."""
    parts = [nodes[n] for n in decompose(start, end)]
    if not parts:
        return EMPTY_ROOT
    value = parts[-1]
    for left in reversed(parts[:-1]):
        value = node_hash(left, value)
    return value


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """The ranges whose roots are PATH(index, D[start:end]), in the proof's order."""
    out: list[tuple[int, int]] = []
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    return out[::-1]


def _consistency_ranges(first: int, start: int, end: int, complete: bool) -> list[tuple[int, int]]:
    """The ranges whose roots are SUBPROOF(first, D[start:end], complete), in order."""
    out: list[tuple[int, int]] = []
    m = first
    while True:
        n = end - start
        if m == n:
            if not complete:
                out.append((start, end))
            break
        k = _split(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            m -= k
            start += k
            complete = False
    return out[::-1]


def _nodes_of(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    return {node for start, end in ranges for node in decompose(start, end)}


def root_nodes(size: int) -> set[Node]:
    return set(decompose(0, size))


def inclusion_nodes(index: int, size: int) -> set[Node]:
    """The complete subtrees an inclusion proof of leaf `index` in a tree of `size` needs."""
    _check_inclusion(index, size)
    return _nodes_of(_inclusion_ranges(index, 0, size))


def consistency_nodes(first: int, size: int) -> set[Node]:
    """The complete subtrees a consistency proof from `first` to `size` needs."""
    _check_consistency(first, size)
    return _nodes_of(_consistency_ranges(first, 0, size, True))


def inclusion_from(nodes: Nodes, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) from the nodes `inclusion_nodes` named."""
    _check_inclusion(index, size)
    return [range_root(nodes, a, b) for a, b in _inclusion_ranges(index, 0, size)]


def consistency_from(nodes: Nodes, first: int, size: int) -> list[bytes]:
    """PROOF(first, D[size]) from the nodes `consistency_nodes` named."""
    _check_consistency(first, size)
    return [range_root(nodes, a, b) for a, b in _consistency_ranges(first, 0, size, True)]


def completed_nodes(
    size: int, new_leaves: Sequence[bytes], stored: Callable[[Node], bytes]
) -> dict[Node, bytes]:
    """The complete subtrees that appending `new_leaves` to a tree of `size` leaves
    completes, leaves (level 0) included; `stored` gives the ones completed earlier (at most
    one per level: the left siblings along the new leaves' edge)."""
    made: dict[Node, bytes] = {}

    def get(node: Node) -> bytes:
        return made[node] if node in made else stored(node)

    for offset, leaf in enumerate(new_leaves):
        index = size + offset
        made[(0, index)] = leaf
        level, i = 0, index
        while i % 2 == 1:  # a right child: its parent is complete now
            made[(level + 1, i >> 1)] = node_hash(get((level, i - 1)), get((level, i)))
            level, i = level + 1, i >> 1
    return made


def siblings_to_complete(size: int, count: int) -> set[Node]:
    """The earlier subtrees `completed_nodes` reads when `count` leaves follow `size`."""
    needed: set[Node] = set()
    for index in range(size, size + count):
        level, i = 0, index
        while i % 2 == 1:
            if i << level <= size:  # the left sibling ended before this append
                needed.add((level, i - 1))
            level, i = level + 1, i >> 1
    return needed


def _check_inclusion(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")


def _check_consistency(first: int, size: int) -> None:
    if not 0 < first <= size:
        raise ValueError(f"no consistency proof from {first} to {size}")


# --- a tree given as all its leaves (small trees, tests) -----------------------------------


def all_nodes(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    return completed_nodes(0, leaves, lambda node: b"")


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    return range_root(all_nodes(leaves), 0, len(leaves))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) for leaf `index` of the tree of `leaves`."""
    return inclusion_from(all_nodes(leaves), index, len(leaves))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): the tree of the first `first` leaves is a prefix of this one."""
    return consistency_from(all_nodes(leaves), first, len(leaves))


# --- verification (RFC 9162 section 2.1.3.2 and 2.1.4.2) -----------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root
