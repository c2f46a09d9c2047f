"""`ledger verify` throughput over an existing register."""

import argparse
import json
import os
import time

from sabt.registry import ledger
from sabt.registry.db import make_engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    engine = make_engine(args.db)
    runs = []
    for _ in range(args.repeat):
        with engine.connect() as conn:
            t0 = time.perf_counter()
            result = ledger.verify(conn, url=args.db, workers=args.workers)
            runs.append(time.perf_counter() - t0)
        assert result.ok, result.reason
    best = min(runs)
    print(
        json.dumps(
            {
                "benchmark": "ledger_verify",
                "database": engine.dialect.name,
                "cores": os.cpu_count(),
                "entries": result.entries,
                "workers": args.workers,
                "best_s": round(best, 2),
                "entries_per_s": round(result.entries / best),
            }
        )
    )


if __name__ == "__main__":
    main()
