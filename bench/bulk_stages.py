"""Where a bulk-import worker's time goes: microseconds per record, per series (persons,
marriages, mobile numbers), in one process, no database.

`prepare` is what a worker spends on a chunk of the synthetic source (given in columns:
`registry.columns`), `columns` the part of it that makes the columns. `records` times the
record path's stages (`bulk.prepare_records`, which takes any other source) on the same
chunk as records, each over the whole chunk, so they add up to about its `prepare`. Run it
on a quiet machine: the figures are CPU time on one core, and anything else running
inflates them.

    .venv/bin/python bench/bulk_stages.py --people 200000
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sabt.registry import bulk, ledger, validation
from sabt.registry.state import TABLE, Batch, effects_of
from sabt.synth.records import Source, offices
from sabt.synth.simulate import simulate


def timed(stages: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    stages[name] = time.perf_counter() - start
    return result


def stages_of(source: Source, chunk: bulk.Chunk, context: bulk.Context) -> dict[str, float]:
    """Seconds per stage of the record path for `chunk`, made and prepared in this process
    (once before, to fill the caches a worker has warm after its first chunk)."""
    bulk.prepare_records(chunk, source.make(chunk), 1, context)
    s: dict[str, float] = {}
    prefixes, actor, at = context.prefixes, context.actor, context.recorded_at
    records = timed(s, "make", lambda: list(source.make(chunk)))
    entries = timed(
        s, "validate", lambda: [validation.import_entry(r, prefixes, actor) for r in records]
    )
    fields = timed(
        s, "ledger_fields", lambda: [ledger.entry_fields(k, e, at) for k, e in enumerate(entries)]
    )
    timed(
        s,
        "payload",
        lambda: [ledger.entry_payload(f, e.data) for f, e in zip(fields, entries, strict=True)],
    )
    batch = Batch()
    timed(s, "state_rows", lambda: [batch.add(effects_of(e.kind, e.data)) for e in entries])
    timed(s, "ledger_columns", lambda: [bulk._ledger_columns(f, 600) for f in fields])
    timed(
        s,
        "copy_text",
        lambda: {name: bulk.copy_text(TABLE[name], rows) for name, rows in batch.rows.items()},
    )
    timed(s, "prepare", lambda: bulk.prepare_records(chunk, source.make(chunk), 1, context))
    return s


def columns_of(source: Source, chunk: bulk.Chunk, context: bulk.Context) -> dict[str, float]:
    """Seconds to make the chunk's columns, and to prepare it (columns made included)."""
    bulk.prepare(chunk, 1, context)
    s: dict[str, float] = {}
    timed(s, "columns", lambda: source.columns(chunk))
    timed(s, "prepare", lambda: bulk.prepare(chunk, 1, context))
    return s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    population = simulate(args.people, args.seed, date(2025, 9, 22))
    source = Source(population, args.seed)
    prefixes: set[str] = set()
    for office in offices():
        validation.import_entry(office, prefixes, "bench")
    bulk._adopt(source)  # what a worker holds
    context = bulk.Context(frozenset(prefixes), "bench", "2025-09-22T00:00:00Z")
    per_series: dict[str, bulk.Chunk] = {}
    for chunk in source.chunks():  # each series' last chunk: the persons' holds the living
        per_series[chunk.series] = chunk
    figures: dict[str, Any] = {"benchmark": "bulk_stages", "cores": os.cpu_count()}
    for series, chunk in per_series.items():
        print(f"{series}: {chunk.size} records", file=sys.stderr)
        fast, stages = columns_of(source, chunk, context), stages_of(source, chunk, context)
        figures[series] = {name: round(t / chunk.size * 1e6, 1) for name, t in fast.items()}
        figures[series]["records"] = {
            name: round(t / chunk.size * 1e6, 1) for name, t in stages.items()
        }
        figures[series]["size"] = chunk.size
    figures["unit"] = "µs per record, one core"
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
