"""What a transparency-log proof costs as the log grows: the documents' log with --leaves
leaves (written straight into a scratch SQLite database, with its stored tree), then
--proofs inclusion and consistency proofs at random sizes and indexes through the log's
stored tree (`documents.service.TREE`, O(log n) rows each), and the same through all the
leaves (what every proof cost before the tree was kept). Prints milliseconds per proof.

    python bench/transparency.py --leaves 1000000
"""

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from sabt.documents import service
from sabt.documents.models import TransparencyLeaf, TransparencyNode
from sabt.kit import merkle
from sabt.registry import schema
from sabt.registry.db import make_engine

BATCH = 50_000


def build(url: str, n: int) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    hashes = [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]
    with engine.begin() as conn:
        for start in range(0, n, BATCH):
            conn.execute(insert(TransparencyLeaf), [
                {"leaf_index": i, "record": "{}", "leaf_hash": hashes[i].hex()}
                for i in range(start, min(n, start + BATCH))])  # fmt: skip
        nodes = [{"level": lv, "idx": i, "hash": h.hex()}
                 for (lv, i), h in merkle.all_nodes(hashes).items()]  # fmt: skip
        for start in range(0, len(nodes), BATCH):
            conn.execute(insert(TransparencyNode), nodes[start : start + BATCH])


def timed(step: Callable[[], object], runs: int) -> dict[str, float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return {"median_ms": round(statistics.median(seconds) * 1000, 2),
            "max_ms": round(max(seconds) * 1000, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=200_000)
    parser.add_argument("--proofs", type=int, default=50)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/log.db"
    start = time.perf_counter()
    build(url, args.leaves)
    built = time.perf_counter() - start
    engine = make_engine(url)
    rng = random.Random(7)
    n = args.leaves
    with Session(engine) as s:

        def stored_inclusion() -> None:
            size = rng.randint(n // 2, n)
            service.TREE.inclusion(s, rng.randrange(size), size)

        def stored_consistency() -> None:
            size = rng.randint(n // 2, n)
            service.TREE.consistency(s, rng.randint(1, size), size)

        def from_all_leaves() -> None:
            size = rng.randint(n // 2, n)
            merkle.inclusion_proof(rng.randrange(size), service.leaf_hashes(s, 0, size))

        figures = {
            "cores": os.cpu_count(), "leaves": n, "build_s": round(built, 1),
            "inclusion_stored_tree": timed(stored_inclusion, args.proofs),
            "consistency_stored_tree": timed(stored_consistency, args.proofs),
            "inclusion_from_all_leaves": timed(from_all_leaves, max(1, min(3, args.proofs))),
        }  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
