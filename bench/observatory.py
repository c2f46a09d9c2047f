"""The observatory's figures: the time to build the Parquet snapshot from a database, and the
time to compute every indicator of one year over a snapshot of at least `--persons` persons.

A register of 10 M persons in PostgreSQL takes this machine about half an hour to load, so the
snapshot of the database given (1 M living with their ancestors, say) is built and timed,
then its rows are repeated with DuckDB until the snapshot holds `--persons` rows, and the
indicators are computed over that (every query scans or prunes the same columns as over a
real register of that size). Prints one JSON line.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from sabt.kit import clock
from sabt.observatory import service
from sabt.observatory.cells import Area
from sabt.observatory.snapshot import FILES, Snapshot, current
from sabt.registry.db import make_engine


def build_snapshot(url: str, home: Path) -> tuple[Snapshot, float]:
    started = time.perf_counter()
    snap = current(make_engine(url), home)
    return snap, time.perf_counter() - started


def repeated(snap: Snapshot, persons: int, folder: Path) -> Snapshot:
    """The snapshot's rows repeated until it holds at least `persons` persons (and as many
    more marriages and divorces), each file kept in its order."""
    times = math.ceil(persons / snap.persons)
    db = duckdb.connect()
    for name in FILES:
        order = {"person": "birth_date", "marriage": "registered", "divorce": "day"}[name]
        db.execute(
            f"COPY (SELECT p.* FROM read_parquet('{snap.path(name)}') p, range({times}) "
            f"ORDER BY {order}) TO '{folder / name}.parquet' (FORMAT parquet)"
        )
    db.close()
    return replace(snap, directory=folder, persons=snap.persons * times)


def time_year(snap: Snapshot, year: int, area: Area, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        service.compute.cache_clear()
        started = time.perf_counter()
        service.compute(snap, year, area, clock.today_tehran())
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="a register (e.g. 1 M living in PostgreSQL)")
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=1403)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="observatory-bench-"))
    try:
        snap, build_s = build_snapshot(args.db, work / "home")
        print(f"snapshot of {snap.persons:,} persons built in {build_s:.1f} s", file=sys.stderr)
        big_dir = work / "big"
        big_dir.mkdir()
        started = time.perf_counter()
        big = repeated(snap, args.persons, big_dir)
        print(f"repeated to {big.persons:,} persons in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)  # fmt: skip
        nation = time_year(big, args.year, Area("nation"), args.rounds)
        tehran = time_year(big, args.year, Area("province", "IR-23"), args.rounds)
        size = sum(f.stat().st_size for f in big_dir.iterdir())
        print(json.dumps({
            "cores": os.cpu_count(),
            "database_persons": snap.persons,
            "snapshot_build_s": round(build_s, 2),
            "snapshot_build_per_million_persons_s": round(build_s / snap.persons * 1e6, 2),
            "snapshot_persons": big.persons,
            "snapshot_mb": round(size / 2**20, 1),
            "year": args.year,
            "all_indicators_nation_s_median": round(statistics.median(nation), 3),
            "all_indicators_nation_s_max": round(max(nation), 3),
            "all_indicators_province_s_median": round(statistics.median(tehran), 3),
            "goal_s": 2.0,
            "date": date.today().isoformat(),
        }))  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
