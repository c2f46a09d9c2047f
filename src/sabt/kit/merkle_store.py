"""A log's Merkle tree kept in a table of its complete subtrees (`kit.merkle`), so that a
root or a proof reads O(log n) rows in one query instead of every leaf.

The table is derived data: each log extends it in the transaction that appends leaves
(`extend`), a migration fills it for the leaves written before it existed, and a read that
finds it behind the leaves (a register just rebuilt by `sabt ledger replay`, which replays
the leaves only) completes the missing edge in memory from those leaves. Its rows are
`(level, idx, hash)`, the hash in hex.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, and_, func, insert, or_, select
from sqlalchemy.orm import Session

from sabt.kit import merkle

LeafHashes = Callable[[Session, int, int], list[bytes]]  # leaves [start, end), in order


@dataclass(frozen=True)
class StoredTree:
    nodes: Table  # (level, idx, hash)
    leaf_hashes: LeafHashes

    def stored_size(self, session: Session) -> int:
        """How many leaves the table holds the tree of: its level-0 rows run from 0 without a
        gap, so the last one's index says (read from the key, where a count reads them all)."""
        last = select(func.max(self.nodes.c.idx)).where(self.nodes.c.level == 0)
        found = session.scalar(last)
        return 0 if found is None else found + 1

    def extend(self, session: Session, size: int) -> None:
        """Write the subtrees that the leaves up to `size` complete (in the transaction that
        appended them, under the log's write lock)."""
        stored = self.stored_size(session)
        if stored >= size:
            return
        made = self._completed(session, stored, size)
        session.execute(
            insert(self.nodes),
            [{"level": lv, "idx": i, "hash": h.hex()} for (lv, i), h in made.items()],
        )

    def root(self, session: Session, size: int) -> bytes:
        return merkle.range_root(self._read(session, merkle.root_nodes(size), size), 0, size)

    def inclusion(self, session: Session, index: int, size: int) -> list[bytes]:
        nodes = self._read(session, merkle.inclusion_nodes(index, size), size)
        return merkle.inclusion_from(nodes, index, size)

    def consistency(self, session: Session, first: int, size: int) -> list[bytes]:
        nodes = self._read(session, merkle.consistency_nodes(first, size), size)
        return merkle.consistency_from(nodes, first, size)

    def _read(self, session: Session, wanted: set[merkle.Node], size: int) -> merkle.Nodes:
        """The `wanted` nodes of the tree of the first `size` leaves: from the table, and
        from the leaves for any the table does not hold yet."""
        stored = self.stored_size(session)
        found = self._fetch(session, wanted)
        if stored < size:
            found |= self._completed(session, stored, size)
        return found

    def _completed(self, session: Session, stored: int, size: int) -> dict[merkle.Node, bytes]:
        siblings = self._fetch(session, merkle.siblings_to_complete(stored, size - stored))
        return merkle.completed_nodes(
            stored, self.leaf_hashes(session, stored, size), siblings.__getitem__
        )

    def _fetch(self, session: Session, wanted: set[merkle.Node]) -> dict[merkle.Node, bytes]:
        if not wanted:
            return {}
        c = self.nodes.c
        match = or_(*(and_(c.level == level, c.idx == idx) for level, idx in wanted))
        rows = session.execute(select(c.level, c.idx, c.hash).where(match))
        return {(level, idx): bytes.fromhex(h) for level, idx, h in rows}
