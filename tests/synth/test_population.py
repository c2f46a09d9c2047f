"""Invariants of the synthetic register, checked on the database it was loaded into."""

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, text

from sabt.persian import national_code, places
from sabt.persian.jalali import age_on
from sabt.registry import ledger
from sabt.synth import calibration
from sabt.synth.records import all_records
from sabt.synth.service import SynthResult, build
from sabt.synth.simulate import simulate

END = date(2025, 9, 22)  # 1404/06/31
N = 3000


@pytest.fixture
def built(engine: Engine) -> tuple[Engine, SynthResult]:
    return engine, build(engine, N, 11, END)


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_exactly_n_living_and_ancestors_back_to_1300(built: tuple[Engine, SynthResult]) -> None:
    engine, result = built
    assert rows(engine, "SELECT count(*) FROM person WHERE status = 'alive'") == [(N,)]
    (deceased,) = rows(engine, "SELECT count(*) FROM person WHERE status = 'deceased'")[0]
    assert deceased > N * 0.2
    (oldest,) = rows(engine, "SELECT min(birth_date) FROM person")[0]
    assert str(oldest) < "1921-03-21"  # born before 1300 SH
    assert result.imported.persons == rows(engine, "SELECT count(*) FROM person")[0][0]


def test_codes_valid_unique_and_from_the_birth_county(built: tuple[Engine, SynthResult]) -> None:
    engine, _ = built
    people = rows(engine, "SELECT national_code, birth_county FROM person")
    assert len({c for c, _ in people}) == len(people)
    prefixes = places.office_prefixes()
    for code, county in people:
        assert national_code.is_valid(code, prefixes=places.all_prefixes())
        assert prefixes[str(code)[:3]].county_code == county


def test_parents_are_older_so_no_one_is_their_own_ancestor(
    built: tuple[Engine, SynthResult],
) -> None:
    engine, _ = built
    bad = rows(
        engine,
        """SELECT count(*) FROM person c JOIN person p
                          ON p.national_code IN (c.father_code, c.mother_code)
                          WHERE p.birth_date >= c.birth_date""",
    )
    assert bad == [(0,)]


def test_mothers_are_15_to_49_at_birth(built: tuple[Engine, SynthResult]) -> None:
    engine, _ = built
    pairs = rows(
        engine,
        """SELECT m.birth_date, c.birth_date FROM person c
                            JOIN person m ON m.national_code = c.mother_code""",
    )
    assert len(pairs) > N / 2
    for mother_birth, child_birth in pairs:
        assert 15 <= age_on(_d(mother_birth), _d(child_birth)) <= 49


def _d(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_every_child_is_born_inside_the_parents_marriage(built: tuple[Engine, SynthResult]) -> None:
    """Civil Code 1158-1159: at least six months after the marriage, at most ten months
    after its end."""
    engine, _ = built
    children = rows(
        engine,
        "SELECT national_code, birth_date, father_code, mother_code FROM person WHERE father_code IS NOT NULL",
    )
    marriages: dict[tuple[object, object], list[tuple[object, object]]] = {}
    for h, w, start, end in rows(
        engine, "SELECT husband_code, wife_code, registered_at, ended_at FROM marriage"
    ):
        marriages.setdefault((h, w), []).append((start, end))
    for _code, born, father, mother in children:
        birth = _d(born)
        spans = marriages.get((father, mother), [])
        assert any(
            _d(str(start)[:10]) + timedelta(days=180) <= birth
            and (end is None or birth <= _d(str(end)[:10]) + timedelta(days=300))
            for start, end in spans
        ), (_code, birth, spans)


def test_names_follow_the_father(built: tuple[Engine, SynthResult]) -> None:
    engine, _ = built
    bad = rows(
        engine,
        """SELECT count(*) FROM person c JOIN person f ON f.national_code = c.father_code
                          WHERE c.father_name <> f.first_name OR c.last_name <> f.last_name""",
    )
    assert bad == [(0,)]


def test_the_load_went_through_the_ledger(built: tuple[Engine, SynthResult]) -> None:
    engine, result = built
    with engine.connect() as conn:
        verdict = ledger.verify(conn)
    assert verdict.ok and verdict.entries == result.records
    kinds = dict(rows(engine, "SELECT kind, count(*) FROM ledger GROUP BY kind"))
    assert kinds["person.imported"] == result.imported.persons


def test_deterministic_per_seed() -> None:
    def digest(seed: int) -> list[object]:
        pop = simulate(1500, seed, END)
        _, records = all_records(pop, seed)
        return list(records)

    assert digest(5) == digest(5)
    assert digest(5) != digest(6)


def test_families_are_rich_enough() -> None:
    """Half-siblings, polygamy, temporary marriages, returns, divorces and widowhood all occur."""
    pop = simulate(30_000, 3, END)
    p, m = pop.persons, pop.marriages
    has_parents = p["father"] >= 0
    pairs = {
        (f, mo) for f, mo in zip(p["father"][has_parents], p["mother"][has_parents], strict=True)
    }
    fathers_with_two_wives = len({f for f, _ in pairs}) < len(pairs)
    assert fathers_with_two_wives  # half-siblings through remarriage
    husbands_open = m["husband"][m["end"] == 0]
    assert len(husbands_open) > len(np.unique(husbands_open))  # a man with two wives at once
    assert m["temporary"].any() and pop.returns.n > 0
    assert {1, 2, 3, 4}.issubset(set(m["reason"].tolist()))


def test_calibration_inputs_have_their_published_anchor() -> None:
    assert calibration.published_counts()["births"][1402] == 1_057_948
    assert calibration.national_population()[1395] == 79_926_270


def test_nobody_outlives_the_life_tables_oldest_age() -> None:
    """Seed 5 once had about 30 living people born before 1900 (the oldest in 1826 with 5,000
    living at 1405/09/16, in 1842 in the demo): a weighted
    draw of each year's deaths left a few of the very old alive for ever."""
    end = date(2026, 12, 7)
    pop = simulate(5000, 5, end)
    p = pop.persons
    living_births = p["birth"][p["death"] == 0]
    oldest = date.fromordinal(int(living_births.min()))  # the simulation's days are ordinals
    assert age_on(oldest, end) < calibration.MAX_AGE
    assert oldest > date(1916, 1, 1)
    dead = p["death"] > 0
    lifespans = (p["death"][dead] - p["birth"][dead]) / 365.2422
    assert lifespans.max() < calibration.MAX_AGE
