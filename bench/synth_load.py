"""Synthetic population generated and loaded into a register: time, rate, memory, size."""

import argparse
import json
import os
import resource
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from sabt.registry import schema, service
from sabt.registry.db import make_engine
from sabt.synth.records import Source, offices
from sabt.synth.simulate import simulate


def fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    with make_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


def size_bytes(url: str) -> int:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
    with make_engine(url).connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def server_cpu_s() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL processes (all of them: run the
    bench on a quiet server), or None where /proc cannot tell."""
    ticks, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text_ = stat.read_text()
        except OSError:
            continue  # the process ended
        name, _, rest = text_.partition(") ")
        if name.endswith("(postgres"):
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            found = True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def cpu(who: int) -> dict[str, float]:
    usage = resource.getrusage(who)
    return {"user": round(usage.ru_utime, 1), "system": round(usage.ru_stime, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", required=True)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    if args.fresh:
        fresh(args.db)
    engine = make_engine(args.db)
    schema.ensure(engine)
    t0 = time.perf_counter()
    population = simulate(args.people, args.seed, date(2025, 9, 22))
    t1 = time.perf_counter()
    server_before = server_cpu_s()
    office_list, source = list(offices()), Source(population, args.seed)
    total = len(office_list) + len(source)
    imported = service.bulk_import(
        engine, office_list, source=source, workers=args.workers, actor="bench"
    )
    t2 = time.perf_counter()
    server_after = server_cpu_s()
    server = None if server_before is None or server_after is None else server_after - server_before
    print(
        json.dumps(
            {
                "benchmark": "synth_load",
                "database": engine.dialect.name,
                "cores": os.cpu_count(),
                "workers": args.workers or os.cpu_count(),
                "living": args.people,
                "persons": imported.persons,
                "marriages": imported.marriages,
                "ledger_entries": imported.last_seq,
                "simulate_s": round(t1 - t0, 1),
                "load_s": round(t2 - t1, 1),
                "total_s": round(t2 - t0, 1),
                "records_per_s": round(total / (t2 - t1)),
                "importer_cpu_s": cpu(resource.RUSAGE_SELF),
                "workers_cpu_s": cpu(resource.RUSAGE_CHILDREN),
                "server_cpu_s": None if server is None else round(server, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "worker_peak_rss_mib": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                ),
                "database_mib": round(size_bytes(args.db) / 2**20),
            }
        )
    )


if __name__ == "__main__":
    main()
