"""Every indicator of 1402 on the hand-built population of `population.py`, worked out by
hand here; and a plain-SQL recount on the database that must agree exactly with the engine.
On SQLite, and on PostgreSQL when it is configured."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, text

from sabt.kit import clock
from sabt.kit.errors import SabtError
from sabt.observatory import service, snapshot
from sabt.observatory.cells import Area
from sabt.persian import national_code
from sabt.persian.jalali import year_span
from sabt.registry import service as registry
from sabt.registry.schemas import PersonRecord
from tests.observatory import population
from tests.observatory.population import ISFAHAN, TEHRAN

YEAR = 1402
Y = 365.2425
MID = date(2023, 9, 19)  # 2023-03-21 + (2024-03-19 - 2023-03-21) // 2 days

Run = Callable[..., service.Report]


@pytest.fixture
def run(engine: Engine, fixed_clock: clock.FixedClock, tmp_path: Path) -> Run:
    population.load(engine)

    def report(area: Area = Area("nation")) -> service.Report:
        return service.report(engine, tmp_path, YEAR, area)

    return report


def values(r: service.Report) -> dict[str, object]:
    return {k: v.value for k, v in r.values.items()}


def test_counts_and_crude_rates(run: Run) -> None:
    r = run()
    v = values(r)
    assert (r.first, r.last, r.mid, r.complete) == (date(2023, 3, 21), date(2024, 3, 19), MID, True)
    assert (v["births"], v["births_male"], v["births_female"]) == (4, 2, 2)  # c1 c4 / c2 c3
    assert (v["deaths"], v["deaths_male"], v["deaths_female"]) == (2, 2, 0)  # o1 c4; d3 in 1401
    assert v["natural_increase"] == 2
    assert (v["marriages"], v["marriages_temporary"]) == (2, 1)  # h1-w1, h2-w3 / h3-w4
    assert v["divorces"] == 2  # h2-w2's, and h1-w1's undone by a return
    # alive on 2023-09-19: 8 women + c2; h1 h2 h3 c0 c1 c4 (o1 died in July, c3 unborn)
    assert v["population"] == 15
    assert v["cbr"] == pytest.approx(4 / 15 * 1000)
    assert v["cdr"] == pytest.approx(2 / 15 * 1000)
    assert v["srb"] == pytest.approx(100.0)
    assert v["infant_deaths"] == 1  # c4, 8 months old
    assert v["imr"] == pytest.approx(1 / 4 * 1000)
    assert v["divorces_per_100_marriages"] == pytest.approx(2 / 2 * 100)


def test_age_specific_fertility_and_tfr(run: Run) -> None:
    v = values(run())
    # mothers' completed Jalali ages at the births: m1 28 (born 1374/03/11, c1 on
    # 1402/03/11, her birthday), m2 39, m3 18; c4 has no recorded mother. One woman in each
    # group at mid-year except 20-24 (w1, w4).
    expected = {"15-19": 1 / 1, "20-24": 0 / 2, "25-29": 1 / 1, "30-34": 0 / 1,
                "35-39": 1 / 1, "40-44": 0 / 1, "45-49": 0 / 1}  # fmt: skip
    for group, rate in expected.items():
        assert v[f"asfr.{group}"] == pytest.approx(rate), group
    assert v["tfr"] == pytest.approx(5 * 3)


def test_mean_ages(run: Run) -> None:
    v = values(run())
    mothers = [date(2023, 6, 1) - date(1995, 6, 1), date(2023, 8, 10) - date(1984, 1, 10),
               date(2024, 1, 15) - date(2005, 5, 5)]  # fmt: skip
    assert v["mean_age_mother"] == pytest.approx(sum(d.days for d in mothers) / 3 / Y)
    # c2 is m2's second delivery (c0 came first): only c1 and c3 are first births
    first = (mothers[0].days + mothers[2].days) / 2 / Y
    assert v["mean_age_mother_first_birth"] == pytest.approx(first)
    # h1 marries for the first time; h2 did in 2005; both wives marry for the first time
    assert v["mean_age_first_marriage_male"] == pytest.approx(
        (date(2023, 6, 15) - date(1995, 1, 1)).days / Y
    )
    women = (date(2023, 6, 15) - date(1999, 3, 3)).days + (
        date(2023, 11, 11) - date(1990, 10, 10)
    ).days
    assert v["mean_age_first_marriage_female"] == pytest.approx(women / 2 / Y)


def test_registration_within_the_legal_period(run: Run) -> None:
    v = values(run())
    # births: c1 registered on day 16, but day 15 was a Friday, so on time; c2 late; c3 and
    # c4 on time. Deaths: o1 registered 23 days after; c4 after 2.
    assert (v["births_on_time_share"], v["births_late"]) == (pytest.approx(75.0), 1)
    assert (v["deaths_on_time_share"], v["deaths_late"]) == (pytest.approx(50.0), 1)


def test_monthly_counts(run: Run) -> None:
    months = {k: [m.value for m in ms] for k, ms in run().months.items()}
    # c4 1402/01/12, c1 1402/03/11, c2 1402/05/19, c3 1402/10/25
    assert months["births"] == [1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    # o1 1402/04/16, c4 1402/09/10
    assert months["deaths"] == [0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    # h1-w1 1402/03/25, h2-w3 1402/08/20
    assert months["marriages"] == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    # 1402/01/21 and 1402/05/10
    assert months["divorces"] == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]


def test_areas_place_births_with_the_mother_and_hold_back_small_cells(run: Run) -> None:
    tehran, isfahan = run(Area("province", "IR-23")), run(Area("county", ISFAHAN))
    assert values(tehran)["births"] == 3  # c1 c2 c4 (c3's mother lives in Isfahan)
    assert values(tehran)["population"] == 14  # all but m3
    assert values(isfahan)["births"] == 1 and values(isfahan)["population"] == 1
    published = service.as_json(tehran)
    assert published["indicators"]["births"] is None and "births" in published["suppressed"]
    assert published["indicators"]["tfr"] is None and "tfr" in published["suppressed"]
    assert published["indicators"]["population"] == 14  # population, not events
    assert published["monthly"]["births"][0] is None
    internal = service.as_json(tehran, keep_all=True)
    assert internal["indicators"]["births"] == 3 and internal["suppressed"] == []
    national = service.as_json(run())
    assert national["suppressed"] == [] and national["indicators"]["births"] == 4


def test_pyramid_on_the_mid_year_day(run: Run) -> None:
    p = run().pyramid
    female = dict(zip(p["groups"], p["female"], strict=True))
    male = dict(zip(p["groups"], p["male"], strict=True))
    assert female["0-4"] == 1 and female["20-24"] == 2 and female["45-49"] == 1
    assert sum(p["female"]) == 9 and sum(p["male"]) == 6
    assert male["0-4"] == 2 and male["10-14"] == 1 and male["40-44"] == 1  # c1 c4; c0; h2


def _utc_span(year: int) -> tuple[datetime, datetime]:
    """The Jalali year as UTC instants (Tehran is UTC+3:30 with no daylight time since 1401)."""
    first, last = year_span(year)
    start = datetime.combine(first, time(0, 0), clock.TEHRAN).astimezone(UTC)
    end = datetime.combine(last, time(23, 59, 59), clock.TEHRAN).astimezone(UTC)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def plain_sql_counts(engine: Engine, year: int) -> dict[str, int]:
    """The same figures counted with plain SQL on the register's own tables."""
    first, last = year_span(year)
    mid = first + (last - first) // 2
    start, end = _utc_span(year)
    days = {"first": first, "last": last, "mid": mid, "start": start, "end": end}
    queries = {
        "births": "SELECT count(*) FROM person WHERE birth_date BETWEEN :first AND :last",
        "deaths": "SELECT count(*) FROM person WHERE death_date BETWEEN :first AND :last",
        "population": "SELECT count(*) FROM person WHERE birth_date <= :mid"
                      " AND (death_date IS NULL OR death_date > :mid)",
        "marriages": "SELECT count(*) FROM marriage WHERE kind = 'permanent'"
                     " AND registered_at BETWEEN :start AND :end",
        "births_male": "SELECT count(*) FROM person WHERE sex = 'male'"
                       " AND birth_date BETWEEN :first AND :last",
    }  # fmt: skip
    with engine.connect() as conn:
        return {k: int(conn.execute(text(q), days).scalar_one()) for k, q in queries.items()}


def test_plain_sql_agrees_with_the_engine(engine: Engine, run: Run) -> None:
    v = values(run())
    assert plain_sql_counts(engine, YEAR) == {k: v[k] for k in plain_sql_counts(engine, YEAR)}


def test_snapshot_is_reused_until_the_ledger_moves(
    engine: Engine, run: Run, tmp_path: Path
) -> None:
    first = snapshot.current(engine, tmp_path)
    assert snapshot.current(engine, tmp_path).directory == first.directory
    assert first.first_birth == date(1940, 2, 2) and first.first_year == 1318  # o1
    newborn = PersonRecord(national_code.allocate("001", 500), "نو", "آزمون", None, "female",
                           date(2023, 9, 1), TEHRAN, TEHRAN)  # fmt: skip
    registry.bulk_import(engine, [newborn])
    second = snapshot.current(engine, tmp_path)
    assert second.ledger_seq > first.ledger_seq and first.directory.exists()  # still readable
    assert values(service.report(engine, tmp_path, YEAR, Area("nation")))["births"] == 5
    another = PersonRecord(national_code.allocate("001", 501), "دیگر", "آزمون", None, "male",
                           date(2023, 9, 2), TEHRAN, TEHRAN)  # fmt: skip
    registry.bulk_import(engine, [another])
    third = snapshot.current(engine, tmp_path)
    assert third.directory.exists() and second.directory.exists()
    assert not first.directory.exists()  # two behind the newest: removed


def test_snapshot_holds_no_identifiers(engine: Engine, run: Run, tmp_path: Path) -> None:
    run()
    snap = snapshot.current(engine, tmp_path)
    for name in snapshot.FILES:
        columns = pq.read_schema(snap.path(name)).names
        assert not [c for c in columns if "code" in c or "name" in c], (name, columns)


def test_a_year_is_complete_only_as_far_as_the_registers_data_reach(
    engine: Engine, run: Run, tmp_path: Path
) -> None:
    """The register's latest event is 1404/06/30 (c5's birth). A year later by the clock,
    1404 is still counted only to that day, and no later year is offered: a register loaded
    months ago (or a synthetic one) must not show a half year as a whole one."""
    clock.set_clock(clock.FixedClock(datetime(2026, 12, 7, 8, 0, tzinfo=UTC)))
    r = service.report(engine, tmp_path, 1404, Area("nation"))
    assert (r.complete, r.through) == (False, date(2025, 9, 21))
    snap = snapshot.current(engine, tmp_path)
    assert service.years_covered(snap)[1] == 1404
    with pytest.raises(SabtError) as refused:
        service.report(engine, tmp_path, 1405, Area("nation"))
    assert refused.value.code == "year_outside_register"
    assert service.report(engine, tmp_path, YEAR, Area("nation")).complete
