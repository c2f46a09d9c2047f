"""Person lookup latency (p50/p99): one session and one query per lookup, random codes."""

import argparse
import json
import os
import random
import statistics
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from sabt.registry import queries
from sabt.registry.db import make_engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    engine = make_engine(args.db)
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(text("SELECT national_code FROM person"))]
    sample = random.Random(1).choices(codes, k=args.samples)
    timings = []
    for code in sample:
        t0 = time.perf_counter()
        with Session(engine) as session:
            queries.get_person(session, code)
        timings.append(time.perf_counter() - t0)
    timings.sort()
    print(
        json.dumps(
            {
                "benchmark": "person_lookup",
                "database": engine.dialect.name,
                "cores": os.cpu_count(),
                "persons": len(codes),
                "samples": len(timings),
                "p50_ms": round(statistics.median(timings) * 1000, 3),
                "p99_ms": round(timings[int(len(timings) * 0.99)] * 1000, 3),
                "lookups_per_s": round(len(timings) / sum(timings)),
            }
        )
    )


if __name__ == "__main__":
    main()
