"""Indicators from the engine's cubes, and the rule that keeps small cells unpublished.
Pure: no I/O. Definitions in words are in `definitions`.

Every value carries the event counts it was computed from (`cells`): a value below the
nation is published only if none of them is under MIN_CELL, so that a rate cannot give
away a count that was held back (TFR rests on every age group's births, for instance).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sabt.observatory.cells import (
    AGE_GROUP_CAP,
    BirthCell,
    DeathCell,
    DivorceCell,
    MarriageCell,
    PopulationCell,
)
from sabt.observatory.definitions import ASFR_GROUPS, MIN_CELL, MONTHLY

DAYS_PER_YEAR = 365.2425
Number = int | float | None


@dataclass(frozen=True)
class Value:
    value: Number
    cells: tuple[float, ...] = ()  # the event counts the value rests on


@dataclass(frozen=True)
class Cubes:
    births: list[BirthCell] = field(default_factory=list)
    deaths: list[DeathCell] = field(default_factory=list)
    population: list[PopulationCell] = field(default_factory=list)
    marriages: list[MarriageCell] = field(default_factory=list)
    divorces: list[DivorceCell] = field(default_factory=list)


def ratio(numerator: float, denominator: float, scale: float = 1.0) -> float | None:
    return numerator / denominator * scale if denominator else None


def total_fertility(rates: list[float | None]) -> float | None:
    """TFR: 5 x the sum of the age-specific fertility rates of the seven five-year groups
    15-19 .. 45-49 (ASFR_GROUPS), births per woman; None when a group has no women. The one
    place the rule is written: the observatory's indicators and the synthetic register's
    report both use it."""
    if len(rates) != len(ASFR_GROUPS) or any(r is None for r in rates):
        return None
    return 5 * sum(r or 0.0 for r in rates)


def _count(v: int) -> Value:
    return Value(v, (v,))


def indicators(c: Cubes, exposure: float = 1.0) -> dict[str, Value]:
    """Every indicator of one area and period. `exposure` is the share of the year the
    period covers (1 for a full year): rates per person-year divide by it."""
    out = _counts(c)
    births, deaths = out["births"].value or 0, out["deaths"].value or 0
    person_years = sum(p.persons for p in c.population) * exposure
    out["population"] = Value(sum(p.persons for p in c.population))
    out["cbr"] = Value(ratio(births, person_years, 1000), (births,))
    out["cdr"] = Value(ratio(deaths, person_years, 1000), (deaths,))
    out.update(_fertility(c, exposure))
    male, female = out["births_male"].value or 0, out["births_female"].value or 0
    out["srb"] = Value(ratio(male, female, 100), (male, female))
    infant = sum(d.deaths for d in c.deaths if d.age == 0)
    out["infant_deaths"] = _count(infant)
    out["imr"] = Value(ratio(infant, births, 1000), (infant, births))
    out.update(_mother_ages(c.births))
    out.update(_first_marriage_ages(c.marriages))
    divorces, marriages = out["divorces"].value or 0, out["marriages"].value or 0
    out["divorces_per_100_marriages"] = Value(ratio(divorces, marriages, 100),
                                              (divorces, marriages))  # fmt: skip
    out.update(_timeliness("births", ((b.on_time, b.births) for b in c.births)))
    out.update(_timeliness("deaths", ((d.on_time, d.deaths) for d in c.deaths)))
    return out


def _counts(c: Cubes) -> dict[str, Value]:
    births = sum(b.births for b in c.births)
    deaths = sum(d.deaths for d in c.deaths)
    return {
        "births": _count(births),
        "births_male": _count(sum(b.births for b in c.births if b.sex == "male")),
        "births_female": _count(sum(b.births for b in c.births if b.sex == "female")),
        "deaths": _count(deaths),
        "deaths_male": _count(sum(d.deaths for d in c.deaths if d.sex == "male")),
        "deaths_female": _count(sum(d.deaths for d in c.deaths if d.sex == "female")),
        "natural_increase": Value(births - deaths, (births, deaths)),
        "marriages": _count(_wives_marriages(c.marriages, "permanent")),
        "marriages_temporary": _count(_wives_marriages(c.marriages, "temporary")),
        "divorces": _count(sum(d.divorces for d in c.divorces)),
    }


def _wives_marriages(cells: list[MarriageCell], kind: str) -> int:
    return sum(m.marriages for m in cells if m.kind == kind and m.wife_in)


def _group_bounds(group: str) -> tuple[int, int]:
    lo, hi = group.split("-")
    return int(lo), int(hi)


def _fertility(c: Cubes, exposure: float) -> dict[str, Value]:
    """ASFR per woman of each group, and TFR = 5 x their sum (None if a group has no women)."""
    out: dict[str, Value] = {}
    women_by_group = {p.group: 0 for p in c.population}
    for p in c.population:
        if p.sex == "female":
            women_by_group[p.group] += p.persons
    counts = []
    for group in ASFR_GROUPS:
        lo, hi = _group_bounds(group)
        births = sum(b.births for b in c.births
                     if b.mother_age is not None and lo <= b.mother_age <= hi)  # fmt: skip
        counts.append(births)
        women = women_by_group.get(lo // 5, 0) * exposure
        out[f"asfr.{group}"] = Value(ratio(births, women), (births,))
    out["tfr"] = Value(total_fertility([out[f"asfr.{g}"].value for g in ASFR_GROUPS]),
                       tuple(counts))  # fmt: skip
    return out


def _mean_years(total_days: int, n: int) -> float | None:
    return total_days / n / DAYS_PER_YEAR if n else None


def _mother_ages(cells: list[BirthCell]) -> dict[str, Value]:
    known = [b for b in cells if b.mother_age is not None]
    first = [b for b in known if b.first_birth]
    n_all, n_first = sum(b.births for b in known), sum(b.births for b in first)
    return {
        "mean_age_mother": Value(_mean_years(sum(b.mother_days for b in known), n_all), (n_all,)),
        "mean_age_mother_first_birth": Value(
            _mean_years(sum(b.mother_days for b in first), n_first), (n_first,)
        ),
    }


def _first_marriage_ages(cells: list[MarriageCell]) -> dict[str, Value]:
    men = [m for m in cells if m.kind == "permanent" and m.husband_first and m.husband_in]
    women = [m for m in cells if m.kind == "permanent" and m.wife_first and m.wife_in]
    n_men, n_women = sum(m.marriages for m in men), sum(m.marriages for m in women)
    return {
        "mean_age_first_marriage_male": Value(
            _mean_years(sum(m.husband_days for m in men), n_men), (n_men,)
        ),
        "mean_age_first_marriage_female": Value(
            _mean_years(sum(m.wife_days for m in women), n_women), (n_women,)
        ),
    }


def _timeliness(event: str, cells: Iterable[tuple[bool | None, int]]) -> dict[str, Value]:
    on_time = late = 0
    for ok, n in cells:
        if ok is True:
            on_time += n
        elif ok is False:
            late += n
    share = ratio(on_time, on_time + late, 100)
    return {
        f"{event}_on_time_share": Value(share, (on_time, late)),
        f"{event}_late": _count(late),
    }


def monthly(c: Cubes) -> dict[str, list[Value]]:
    """Births, deaths, permanent marriages and divorces in each Jalali month (1..12)."""
    by_month: dict[str, list[int]] = {k: [0] * 12 for k in MONTHLY}
    for b in c.births:
        by_month["births"][b.month - 1] += b.births
    for d in c.deaths:
        by_month["deaths"][d.month - 1] += d.deaths
    for m in c.marriages:
        if m.kind == "permanent" and m.wife_in:
            by_month["marriages"][m.month - 1] += m.marriages
    for v in c.divorces:
        by_month["divorces"][v.month - 1] += v.divorces
    return {k: [_count(n) for n in months] for k, months in by_month.items()}


def age_group_label(group: int) -> str:
    return f"{group * 5}+" if group == AGE_GROUP_CAP else f"{group * 5}-{group * 5 + 4}"


def pyramid(cells: list[PopulationCell]) -> dict[str, Any]:
    """The living by 5-year age group and sex (population, not events: never held back)."""
    groups = range(AGE_GROUP_CAP + 1)
    sizes = {(p.sex, p.group): p.persons for p in cells}
    return {
        "groups": [age_group_label(g) for g in groups],
        "male": [sizes.get(("male", g), 0) for g in groups],
        "female": [sizes.get(("female", g), 0) for g in groups],
    }


def publishable(value: Value, national: bool) -> bool:
    return national or all(n >= MIN_CELL for n in value.cells)


@dataclass
class Published:
    indicators: dict[str, Any]
    monthly: dict[str, list[Number]]
    suppressed: list[str]


def publish(
    values: dict[str, Value], months: dict[str, list[Value]], national: bool, keep_all: bool
) -> Published:
    """The figures as published: a held-back value is None and named in `suppressed`
    (`keep_all` publishes everything, for the registry's own use)."""
    suppressed: list[str] = []

    def shown(name: str, v: Value) -> Number:
        if keep_all or publishable(v, national):
            return v.value
        suppressed.append(name)
        return None

    flat = {k: shown(k, v) for k, v in values.items()}
    out: dict[str, Any] = {k: v for k, v in flat.items() if not k.startswith("asfr.")}
    if "asfr.15-19" in flat:
        out["asfr"] = {g: flat[f"asfr.{g}"] for g in ASFR_GROUPS}
    by_month = {k: [shown(f"monthly.{k}.{i + 1}", v) for i, v in enumerate(vs)]
                for k, vs in months.items()}  # fmt: skip
    return Published(out, by_month, suppressed)
