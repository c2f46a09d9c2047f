"""The observatory on a synthetic register, against what the generator was calibrated to.

The generator (`sabt.synth`) is calibrated to the published national births, deaths,
marriages and divorces of each Jalali year, scaled to the size of the population; fertility
by age follows a Hadwiger schedule scaled to the year's births. So:

- the register's counts must equal the generator's own counts exactly (the same events,
  dated and placed by the observatory instead of the generator);
- its TFR must equal the generator's own within 2 %: the generator measures mothers' ages in
  fractional years of 365.25 days, the observatory in completed Jalali years, which moves a
  few births across a group boundary;
- births and deaths must be within 3 % of the published figures scaled to the population:
  the generator apportions each year's expected count exactly, and what is left is the
  difference between the simulated and the calibrated population at the year's start (under
  1 % at this size);
- plain SQL over the database must agree exactly with the engine.
"""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sabt.observatory import service
from sabt.observatory.cells import Area
from sabt.registry.db import make_engine
from sabt.synth import report as synth_report
from sabt.synth.service import SynthResult, build
from tests.observatory.test_indicators import plain_sql_counts

END = date(2025, 9, 22)  # 1404/06/31
N = 20_000
YEARS = (1401, 1402, 1403)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, SynthResult, Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    engine = make_engine(f"sqlite:///{folder}/sabt.db")
    return engine, build(engine, N, 5, END), folder


@pytest.mark.parametrize("year", YEARS)
def test_counts_equal_the_generators(built: tuple[Engine, SynthResult, Path], year: int) -> None:
    engine, result, home = built
    v = service.report(engine, home, year, Area("nation")).values
    scale = N / synth_report.national_population_on(END)
    generated = {f.name: f for f in synth_report.year_figures(result.population, year, scale)}
    assert v["births"].value == generated["births"].generated
    assert v["deaths"].value == generated["deaths"].generated
    marriages = (v["marriages"].value or 0) + (v["marriages_temporary"].value or 0)
    assert marriages == generated["marriages"].generated
    assert v["divorces"].value == generated["divorces"].generated
    assert v["tfr"].value == pytest.approx(synth_report.tfr(result.population, year), rel=0.02)
    assert generated["births"].published is not None  # births are published for each year
    for name in ("births", "deaths"):  # deaths of 1401 are not
        published = generated[name].published
        if published is not None:
            assert v[name].value == pytest.approx(published, rel=0.03), name


@pytest.mark.parametrize("year", YEARS)
def test_plain_sql_agrees(built: tuple[Engine, SynthResult, Path], year: int) -> None:
    engine, _, home = built
    v = service.report(engine, home, year, Area("nation")).values
    counts = plain_sql_counts(engine, year)
    assert counts == {k: v[k].value for k in counts}
