"""Build a synthetic register: simulate, then load through the register's bulk path."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from sabt.registry import schema
from sabt.registry import service as registry
from sabt.synth.records import Source, offices
from sabt.synth.simulate import Population, simulate

ACTOR = "synth"


@dataclass
class SynthResult:
    population: Population
    imported: registry.ImportResult
    records: int


def build(
    engine: Engine,
    people: int,
    seed: int,
    end: date,
    *,
    on_simulated: Callable[[int], None] | None = None,
    on_loaded: Callable[[int], None] | None = None,
    on_year: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Simulate `people` living persons at `end` (with their ancestors) and import them.

    `on_simulated(total_records)` is called once before loading starts, `on_loaded(k)` as
    records are written, `on_year(done, total)` as simulated years complete."""
    schema.ensure(engine)
    population = simulate(people, seed, end, progress=on_year)
    office_list, source = list(offices()), Source(population, seed)
    total = len(office_list) + len(source)
    if on_simulated:
        on_simulated(total)
    imported = registry.bulk_import(
        engine, office_list, source=source, actor=ACTOR, progress=on_loaded
    )
    return SynthResult(population, imported, total)
