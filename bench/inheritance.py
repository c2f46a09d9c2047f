"""Inheritance: resolution latency from the register (p50/p99) and the pure engine's rate.

1. For `--samples` random deceased persons of the register, resolve the case (one session
   per resolution, as the API does) and time it.
2. The pure engine over those cases, built from random families of the register, not the
   contract's handful of examples: parse + compute + result JSON with every step, on one
   core; once from Python objects and once from JSON text (parsing included).
"""

import argparse
import json
import os
import random
import statistics
import time

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from sabt.inheritance import heirs, service
from sabt.registry.db import make_engine


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--samples", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.db)
    with engine.connect() as conn:
        dead = [
            r[0]
            for r in conn.execute(
                text("SELECT national_code FROM person WHERE death_date IS NOT NULL")
            )
        ]
    sample = random.Random(1).sample(dead, min(args.samples, len(dead)))
    timings, cases = [], []
    for code in sample:
        t0 = time.perf_counter()
        with Session(engine) as session:
            resolution = heirs.resolve(session, code)
        timings.append(time.perf_counter() - t0)
        cases.append(resolution.case)
    texts = [orjson.dumps(c) for c in cases]
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for case in cases:
            service.compute_case(case)
    objects_rate = len(cases) * args.rounds / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for raw in texts:
            orjson.dumps(service.compute_case(service.read_json(raw)))
    json_rate = len(cases) * args.rounds / (time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "benchmark": "inheritance",
                "database": engine.dialect.name,
                "cores": os.cpu_count(),
                "deceased_in_register": len(dead),
                "samples": len(sample),
                "resolve_p50_ms": round(statistics.median(timings) * 1000, 3),
                "resolve_p99_ms": round(percentile(timings, 0.99) * 1000, 3),
                "mean_heirs_per_case": round(sum(len(c["heirs"]) for c in cases) / len(cases), 1),
                "engine_cases_per_s": round(objects_rate),
                "engine_cases_per_s_with_json": round(json_rate),
            }
        )
    )


if __name__ == "__main__":
    main()
