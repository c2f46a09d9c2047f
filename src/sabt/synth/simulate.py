"""The microsimulation: a population from 1300 SH to the end date, year by year. Pure numpy.

Every year: temporary marriages end on their term; marriages are formed (brides and grooms
in the same province, paired by age); births are given to married women 15-49 (Hadwiger
shape), at least six months after their marriage and ten months apart; divorces end some
marriages (some revocable ones are taken back within the waiting period); deaths are drawn
by the Siler hazard; a few young adults move to their province's capital county.

The number of births, deaths, marriages and divorces of each year is the calibrated rate
times the population (rounded), so the population follows a scalar recurrence; the
starting population is solved from that recurrence so that exactly N people are alive at
the end date.

Invariants kept by construction (and tested): a child's mother is 15-49 at the birth; the
birth is at least 183 days after the parents' marriage was registered and, if the marriage
ended, no more than 300 days after its end; nobody marries, divorces or has a child after
their death; nobody marries a parent, child or sibling.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from sabt.persian import places
from sabt.persian.jalali import from_jalali_parts, jalali_parts
from sabt.synth import calibration as cal

I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

YEAR = 365.2422
PREGNANCY_GAP = 183  # days from marriage registration to the earliest birth
POSTHUMOUS = 280  # a child may be born up to this many days after its father's death
BIRTH_SPACING = 300  # days between two births of one mother
DIVORCE_WAIT, WIDOW_WAIT, TEMPORARY_WAIT = 90, 130, 45  # waiting periods (عده), days
# Civil Code 1151 (three tuhr, taken as 90 days), 1154 (4 months 10 days), 1152 (45 days).

REASONS = ("", "divorce_revocable", "divorce_irrevocable", "death", "term_expired", "term_waived")
R_REVOCABLE, R_IRREVOCABLE, R_DEATH, R_TERM, R_WAIVED = 1, 2, 3, 4, 5

# ASSUMPTIONS on behaviour (no published figure):
REVOCABLE_SHARE = 0.35  # most registered divorces are khul'/mubarat, irrevocable
RETURN_SHARE = 0.04  # revocable divorces taken back (رجوع) within the waiting period
TEMPORARY_SHARE = 0.01  # registered temporary marriages among all marriages
POLYGAMY_SHARE = 0.003  # permanent marriages of a man who already has a wife
TWIN_SHARE = 0.012  # deliveries of twins
MIGRATION_RATE = 0.006  # yearly share of unmarried 18-35 year-olds moving to the capital county


class Growable:
    """Column arrays that grow by doubling."""

    def __init__(self, columns: Mapping[str, np.dtype[Any]], capacity: int) -> None:
        self.n = 0
        self.cols: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(capacity, dtype=dtype) for name, dtype in columns.items()
        }

    def extend(self, count: int) -> slice:
        while self.n + count > len(next(iter(self.cols.values()))):
            for name, arr in self.cols.items():
                grown = np.zeros(max(2 * len(arr), 1024), dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.cols[name] = grown
        start, self.n = self.n, self.n + count
        return slice(start, self.n)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.cols[name][: self.n]

    def col(self, name: str) -> npt.NDArray[Any]:
        return self.cols[name]


PERSON_COLUMNS: dict[str, np.dtype[Any]] = {
    "birth": np.dtype(np.int32),
    "sex": np.dtype(np.int8),
    "mother": np.dtype(np.int32),
    "father": np.dtype(np.int32),
    "birth_county": np.dtype(np.int16),
    "residence": np.dtype(np.int16),
    "death": np.dtype(np.int32),
    "religion": np.dtype(np.int8),
    "school": np.dtype(np.int8),
    "first_name": np.dtype(np.int16),
    "surname": np.dtype(np.int16),
    "father_name": np.dtype(np.int16),
    "marriage": np.dtype(np.int32),
    "wives": np.dtype(np.int8),
    "free_from": np.dtype(np.int32),
    "last_birth": np.dtype(np.int32),
    "ever_married": np.dtype(np.bool_),
}
MARRIAGE_COLUMNS: dict[str, np.dtype[Any]] = {
    "husband": np.dtype(np.int32),
    "wife": np.dtype(np.int32),
    "start": np.dtype(np.int32),
    "end": np.dtype(np.int32),
    "reason": np.dtype(np.int8),
    "temporary": np.dtype(np.bool_),
    "term_end": np.dtype(np.int32),
    "waiting_end": np.dtype(np.int32),
    "county": np.dtype(np.int16),
    "last_birth": np.dtype(np.int32),
}
RETURN_COLUMNS: dict[str, np.dtype[Any]] = {
    "marriage": np.dtype(np.int32),
    "divorced": np.dtype(np.int32),
    "returned": np.dtype(np.int32),
}


@dataclass
class Population:
    """The simulated register. Days are proleptic Gregorian ordinals (`date.toordinal`).
    `death` is 0 for the living; `mother`/`father` are -1 when unknown; `marriage` is a
    person's current marriage (-1 none); `free_from` the day a woman may marry again."""

    persons: Growable
    marriages: Growable
    returns: Growable
    counties: tuple[str, ...]
    end: date
    yearly: dict[int, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Year:
    number: int
    start: int  # first day (ordinal)
    end: int  # last day (ordinal), the end date in the final year
    fraction: float  # share of a full year simulated


def years(end: date) -> list[Year]:
    last_year = jalali_parts(end)[0]
    out = []
    for y in range(cal.FIRST_YEAR, last_year + 1):
        first = from_jalali_parts(y, 1, 1).toordinal()
        full_last = from_jalali_parts(y + 1, 1, 1).toordinal() - 1
        last = min(full_last, end.toordinal())
        out.append(Year(y, first, last, (last - first + 1) / (full_last - first + 1)))
    return out


def event_counts(p0: int, calendar: list[Year]) -> list[tuple[int, int, int, int, int]]:
    """(population at start, births, deaths, marriages, divorces) per year from `p0`."""
    out = []
    pop = p0
    for year in calendar:
        r = cal.rates(year.number)
        births, deaths = (
            round(r.births * pop * year.fraction),
            round(r.deaths * pop * year.fraction),
        )
        marriages = round(r.marriages * pop * year.fraction)
        divorces = round(r.divorces * pop * year.fraction)
        out.append((pop, births, deaths, marriages, divorces))
        pop += births - deaths
    return out


def solve_start(n_living: int, calendar: list[Year]) -> int:
    """The smallest starting population whose recurrence ends at `n_living` or more."""
    lo, hi = 1, max(n_living, 10)
    while _end_population(hi, calendar) < n_living:
        hi *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if _end_population(mid, calendar) >= n_living:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _end_population(p0: int, calendar: list[Year]) -> int:
    pop, births, deaths, _, _ = event_counts(p0, calendar)[-1]
    return pop + births - deaths


def pick(rng: np.random.Generator, weights: Floats, k: int) -> npt.NDArray[np.intp]:
    """k distinct indices drawn with probability proportional to `weights`
    (Efraimidis-Spirakis exponential keys)."""
    positive = np.flatnonzero(weights > 0)
    k = min(k, len(positive))
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    keys = rng.exponential(size=len(positive)) / weights[positive]
    chosen = np.argpartition(keys, k - 1)[:k] if k < len(positive) else np.arange(len(positive))
    return positive[chosen]


def apportion(total: int, sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Split `total` in proportion to `sizes` (largest remainder), never above a size."""
    if total <= 0 or sizes.sum() == 0:
        return np.zeros(len(sizes), dtype=np.int64)
    exact = total * sizes / sizes.sum()
    out = np.floor(exact).astype(np.int64)
    rest = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return np.asarray(np.minimum(out, sizes), dtype=np.int64)


def uniform_days(rng: np.random.Generator, lo: I32, hi: I32) -> I32:
    """A day in [lo, hi] for each pair (hi >= lo)."""
    span = (hi - lo + 1).astype(np.float64)
    return (lo + np.floor(rng.random(len(lo)) * span)).astype(np.int32)


class Simulation:
    def __init__(
        self,
        n_living: int,
        seed: int,
        end: date,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.calendar = years(end)
        self.n_living = n_living
        self.progress = progress
        self.counties = tuple(sorted(places.counties()))
        self.county_index = {c: i for i, c in enumerate(self.counties)}
        self.county_province = np.array(
            [int(places.counties()[c].province_iso[3:]) for c in self.counties], dtype=np.int16
        )
        capitals = {
            iso: places.county_by_name(name).code for iso, (name, _) in cal.CAPITALS.items()
        }
        self.capital_of_province = np.array(
            [self.county_index[capitals[f"IR-{i:02d}"]] for i in range(31)], dtype=np.int16
        )
        self.male_names = cal.name_weights("male")[1]
        self.female_names = cal.name_weights("female")[1]
        self.surnames = cal.surname_weights()[1]
        capacity = int(n_living * 2.2) + 1024
        self.pop = Population(
            Growable(PERSON_COLUMNS, capacity),
            Growable(MARRIAGE_COLUMNS, capacity // 2),
            Growable(RETURN_COLUMNS, 1024),
            self.counties,
            end,
        )

    # --- helpers -------------------------------------------------------------------------
    def _draw(self, weights: Floats, size: int) -> npt.NDArray[np.int16]:
        p = weights / weights.sum()
        return self.rng.choice(len(weights), size=size, p=p).astype(np.int16)

    def ages(self, day: int) -> Floats:
        birth = self.pop.persons["birth"].astype(np.float64)
        return (day - birth) / YEAR

    def pick_by_province(
        self, members: npt.NDArray[np.intp], weights: Floats, count: int
    ) -> npt.NDArray[np.intp]:
        """Positions in `members` drawn by `weights`, `count` in all, shared between provinces
        in proportion to their living population (so no province drifts by chance)."""
        people = self.pop.persons
        province = self.county_province[people["residence"][members]]
        alive = people["death"] == 0
        living = np.bincount(self.county_province[people["residence"][alive]], minlength=31)
        targets = apportion(count, living.astype(np.int64))
        # The members of each province, in order: one stable sort, not 31 scans of them all.
        by_province = np.argsort(province, kind="stable")
        bounds = np.searchsorted(province[by_province], np.arange(32))
        chosen = []
        for p in range(31):
            here = by_province[bounds[p] : bounds[p + 1]]
            if len(here) and targets[p]:
                chosen.append(here[pick(self.rng, weights[here], int(targets[p]))])
        short = count - sum(len(c) for c in chosen)
        if short > 0:  # a province without enough candidates: draw the rest nationally
            taken = np.zeros(len(members), dtype=bool)
            for c in chosen:
                taken[c] = True
            chosen.append(pick(self.rng, np.where(taken, 0.0, weights), short))
        return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.intp)

    # --- the first generation --------------------------------------------------------------
    def seed_population(self, p0: int, year: Year) -> None:
        """People alive on 1 Farvardin 1300: a stable age structure (growth 1.8 %/yr and
        the mortality of 1300), provinces in their 1395 shares; most women 15+ married."""
        rng, people = self.rng, self.pop.persons
        age_grid = np.arange(0, 100)
        hazard = cal.siler(age_grid.astype(np.float64), year.number, np.zeros(100, dtype=bool))
        density = np.exp(-0.018 * age_grid - np.cumsum(hazard))
        ages = rng.choice(age_grid, size=p0, p=density / density.sum()) + rng.random(p0)
        order = np.argsort(-ages)  # eldest first
        ages = ages[order]
        s = people.extend(p0)
        people.col("birth")[s] = (year.start - ages * YEAR).astype(np.int32)
        sex = (rng.random(p0) < 0.51).astype(np.int8)
        people.col("sex")[s] = sex
        people.col("mother")[s] = -1
        people.col("father")[s] = -1
        county = self._first_counties(p0)
        people.col("birth_county")[s] = county
        people.col("residence")[s] = county
        self._set_religion(s, county)
        self._set_names(s, sex)
        people.col("surname")[s] = self._draw(self.surnames, p0)
        people.col("father_name")[s] = self._draw(self.male_names, p0)
        people.col("marriage")[s] = -1
        self._seed_marriages(year)

    def _first_counties(self, count: int) -> npt.NDArray[np.int16]:
        shares = cal.province_shares()
        provinces = sorted(shares)
        sizes = apportion(
            count, np.array([round(shares[p] * 1e9) for p in provinces], dtype=np.int64)
        )
        province = self.rng.permutation(np.repeat(np.arange(len(provinces)), sizes))
        out = np.empty(count, dtype=np.int16)
        weights = cal.county_weights()
        for i, iso in enumerate(provinces):
            members = np.flatnonzero(province == i)
            codes, w = zip(*weights[iso], strict=True)
            idx = self.rng.choice(len(codes), size=len(members), p=np.array(w) / sum(w))
            out[members] = [self.county_index[codes[j]] for j in idx]
        return out

    def _set_religion(self, s: slice | npt.NDArray[np.intp], county: npt.NDArray[np.int16]) -> None:
        province = self.county_province[county]
        sunni = np.array([cal.SUNNI_SHARE.get(f"IR-{p:02d}", 0.005) for p in range(31)])[province]
        other = np.array([cal.OTHER_RELIGION_SHARE.get(f"IR-{p:02d}", 0.0) for p in range(31)])[
            province
        ]
        u = self.rng.random(len(county))
        religion = (u < other).astype(np.int8)
        school = np.where(religion == 1, 2, np.where(u < other + sunni, 1, 0)).astype(np.int8)
        self.pop.persons.col("religion")[s] = religion
        self.pop.persons.col("school")[s] = school

    def _set_names(self, s: slice | npt.NDArray[np.intp], sex: I8) -> None:
        names = np.where(
            sex == 1, self._draw(self.male_names, len(sex)), self._draw(self.female_names, len(sex))
        )
        self.pop.persons.col("first_name")[s] = names

    def _seed_marriages(self, year: Year) -> None:
        people = self.pop.persons
        ages = self.ages(year.start)
        sex = people["sex"]
        women = np.flatnonzero((sex == 0) & (ages >= 16) & (ages < 60))
        married_p = np.clip(1 - np.exp(-(ages[women] - 15) / 3.0), 0, 0.92)
        brides = women[self.rng.random(len(women)) < married_p]
        men = np.flatnonzero((sex == 1) & (ages >= 19) & (ages < 80))
        husband_age = ages[men]
        weight = cal.first_marriage(husband_age, ages[brides].mean() + 6, spread=9)
        self._pair(brides, men, weight, lambda b, g: self._seed_start(b, g, year), year)

    def _seed_start(
        self, brides: npt.NDArray[np.intp], grooms: npt.NDArray[np.intp], year: Year
    ) -> I32:
        birth = self.pop.persons["birth"]
        earliest = np.maximum(birth[brides] + int(15.5 * YEAR), birth[grooms] + int(18 * YEAR))
        latest = np.full(len(brides), year.start - 2 * PREGNANCY_GAP, dtype=np.int32)
        earliest = np.minimum(earliest, latest)
        usual = birth[brides] + int(cal.first_marriage_age(year.number)[0] * YEAR)
        return np.clip(usual + self.rng.integers(-400, 400, len(brides)), earliest, latest).astype(
            np.int32
        )

    # --- marriages -------------------------------------------------------------------------
    def _pair(
        self,
        brides: npt.NDArray[np.intp],
        men: npt.NDArray[np.intp],
        men_weight: Floats,
        start_days: Callable[[npt.NDArray[np.intp], npt.NDArray[np.intp]], I32],
        year: Year,
        temporary: bool = False,
    ) -> int:
        """Marry each bride to a man of her province: grooms are drawn by `men_weight`,
        then brides and grooms are paired in age order. Returns the marriages made."""
        people = self.pop.persons
        province_b = self.county_province[people["residence"][brides]]
        province_m = self.county_province[people["residence"][men]]
        birth = people["birth"]
        made = 0
        for p in np.unique(province_b):
            b = brides[province_b == p]
            in_p = province_m == p
            g = men[in_p][pick(self.rng, men_weight[in_p], len(b))]
            b = self.rng.permutation(b)[: len(g)]
            b = b[np.argsort(birth[b])]
            g = g[np.argsort(birth[g])]
            keep = ~self._related(b, g)
            b, g = b[keep], g[keep]
            if len(b):
                self._marry(b, g, start_days(b, g), temporary, year)
                made += len(b)
        return made

    def _related(self, b: npt.NDArray[np.intp], g: npt.NDArray[np.intp]) -> Bools:
        people = self.pop.persons
        mother, father = people["mother"], people["father"]
        same_mother = (mother[b] >= 0) & (mother[b] == mother[g])
        same_father = (father[b] >= 0) & (father[b] == father[g])
        parent_child = (father[b] == g) | (mother[g] == b)
        return np.asarray(same_mother | same_father | parent_child, dtype=np.bool_)

    def _marry(
        self,
        b: npt.NDArray[np.intp],
        g: npt.NDArray[np.intp],
        start: I32,
        temporary: bool,
        year: Year,
    ) -> None:
        people, m = self.pop.persons, self.pop.marriages
        s = m.extend(len(b))
        ids = np.arange(s.start, s.stop, dtype=np.int32)
        m.col("husband")[s] = g
        m.col("wife")[s] = b
        m.col("start")[s] = start
        m.col("end")[s] = 0
        m.col("reason")[s] = 0
        m.col("temporary")[s] = temporary
        m.col("waiting_end")[s] = 0
        m.col("county")[s] = people["residence"][g]
        m.col("last_birth")[s] = 0
        if temporary:
            term = start + self.rng.integers(30, 730, len(b)).astype(np.int32)
            m.col("term_end")[s] = term
        else:
            m.col("term_end")[s] = 0
            people.col("wives")[g] += 1
            people.col("marriage")[g] = ids
            people.col("residence")[b] = people["residence"][g]
        people.col("marriage")[b] = ids
        people.col("ever_married")[b] = True
        people.col("ever_married")[g] = True
        people.col("free_from")[b] = np.iinfo(np.int32).max

    def marriages(self, year: Year, count: int) -> int:
        people = self.pop.persons
        ages = self.ages((year.start + year.end) // 2)
        alive = people["death"] == 0
        sex = people["sex"]
        women_mean, men_mean = cal.first_marriage_age(year.number)
        free_woman = (
            alive & (sex == 0) & (people["marriage"] < 0) & (people["free_from"] <= year.start)
        )
        free_woman &= (ages >= 15.5) & (ages < 55)
        women = np.flatnonzero(free_woman)
        first = ~people["ever_married"][women]
        w = cal.first_marriage(ages[women], women_mean) * np.where(first, 1.0, 0.35)
        temporary = round(count * TEMPORARY_SHARE)
        brides = women[pick(self.rng, w, count)]
        polygamous = round((count - temporary) * POLYGAMY_SHARE)
        temp_brides, poly_brides = brides[:temporary], brides[temporary : temporary + polygamous]
        brides = brides[temporary + polygamous :]

        def starts(b: npt.NDArray[np.intp], _g: npt.NDArray[np.intp]) -> I32:
            lo = np.full(len(b), year.start, dtype=np.int32)
            return uniform_days(self.rng, lo, np.full(len(b), year.end, dtype=np.int32))

        single_man = alive & (sex == 1) & (people["wives"] == 0) & (ages >= 18)
        men = np.flatnonzero(single_man)
        first_m = ~people["ever_married"][men]
        men_w = cal.first_marriage(ages[men], men_mean, spread=5.5) * np.where(first_m, 1.0, 0.4)
        made = self._pair(brides, men, men_w, starts, year)
        husbands = np.flatnonzero(
            alive & (sex == 1) & (people["wives"] == 1) & (ages >= 30) & (ages < 65)
        )
        made += self._pair(poly_brides, husbands, np.ones(len(husbands)), starts, year)
        any_man = np.flatnonzero(alive & (sex == 1) & (ages >= 22) & (ages < 65))
        made += self._pair(
            temp_brides, any_man, np.ones(len(any_man)), starts, year, temporary=True
        )
        return made

    def end_temporary(self, year: Year) -> None:
        m = self.pop.marriages
        due = np.flatnonzero(m["temporary"] & (m["end"] == 0) & (m["term_end"] <= year.end))
        if not len(due):
            return
        term = m["term_end"][due]
        waived = self.rng.random(len(due)) < 0.15
        start = m["start"][due]
        early = (start + (term - start) * self.rng.uniform(0.2, 0.9, len(due))).astype(np.int32)
        end = np.where(waived, np.maximum(early, start + 1), term)
        self._end(due, end, np.where(waived, R_WAIVED, R_TERM).astype(np.int8), TEMPORARY_WAIT)

    def _end(self, ids: npt.NDArray[np.intp], day: I32, reason: I8, wait: int | I32) -> None:
        m, people = self.pop.marriages, self.pop.persons
        m.col("end")[ids] = day
        m.col("reason")[ids] = reason
        wives = m["wife"][ids]
        waiting = day + wait
        m.col("waiting_end")[ids] = waiting
        current = people["marriage"][wives] == ids
        people.col("marriage")[wives[current]] = -1
        people.col("free_from")[wives[current]] = waiting[current] if np.ndim(waiting) else waiting
        permanent = ~m["temporary"][ids]
        husbands = m["husband"][ids][permanent]
        np.subtract.at(people.col("wives"), husbands, 1)

    # --- births ----------------------------------------------------------------------------
    def births(self, year: Year, count: int, floor: I32) -> int:
        people, m = self.pop.persons, self.pop.marriages
        n_before = people.n
        marriage = people["marriage"]
        sex, alive = people["sex"], people["death"] == 0
        candidates = np.flatnonzero((sex == 0) & alive & (marriage >= 0))
        candidates = candidates[~m["temporary"][marriage[candidates]]]
        birth = people["birth"][candidates]
        start = m["start"][marriage[candidates]]
        lo = np.maximum.reduce(
            [
                np.full(len(candidates), year.start),
                start + PREGNANCY_GAP,
                people["last_birth"][candidates] + BIRTH_SPACING,
                birth + int(15 * YEAR) + 1,
            ]
        ).astype(np.int32)
        hi = np.minimum(year.end, birth + int(50 * YEAR) - 1).astype(np.int32)
        ok = lo <= hi
        candidates, lo, hi = candidates[ok], lo[ok], hi[ok]
        age = (((lo + hi) // 2) - people["birth"][candidates]) / YEAR
        shape = cal.hadwiger(age, year.number)
        whole = np.floor(age).astype(int)
        share = np.bincount(whole, minlength=60)[whole] / np.maximum(
            self._women_by_age(year)[whole], 1
        )
        weight = shape / np.maximum(share, 0.05)
        twins = self.rng.binomial(count, TWIN_SHARE / (1 + TWIN_SHARE))
        chosen = self.pick_by_province(candidates, weight, count - twins)
        mothers = candidates[chosen]
        days = uniform_days(self.rng, lo[chosen], hi[chosen])
        twin_of = self.rng.choice(len(mothers), size=min(twins, len(mothers)), replace=False)
        mothers = np.concatenate([mothers, mothers[twin_of]])
        days = np.concatenate([days, days[twin_of]])
        self._add_children(mothers, days, year)
        floor[mothers] = np.maximum(floor[mothers], days)
        fathers = m["husband"][marriage[mothers]]
        floor[fathers] = np.maximum(floor[fathers], days - POSTHUMOUS)
        return people.n - n_before

    def _women_by_age(self, year: Year) -> npt.NDArray[np.int64]:
        people = self.pop.persons
        women = (people["sex"] == 0) & (people["death"] == 0)
        age = np.floor((year.start + 182 - people["birth"][women]) / YEAR).astype(int)
        return np.bincount(np.clip(age, 0, 59), minlength=60)

    def _add_children(self, mothers: npt.NDArray[np.intp], days: I32, year: Year) -> None:
        people, m = self.pop.persons, self.pop.marriages
        k = len(mothers)
        marriage = people["marriage"][mothers]
        fathers = m["husband"][marriage]
        s = people.extend(k)
        srb = cal.sex_ratio_at_birth(year.number)
        sex = (self.rng.random(k) < srb / (1 + srb)).astype(np.int8)
        people.col("birth")[s] = days
        people.col("sex")[s] = sex
        people.col("mother")[s] = mothers
        people.col("father")[s] = fathers
        county = people["residence"][mothers]
        people.col("birth_county")[s] = county
        people.col("residence")[s] = county
        people.col("religion")[s] = people["religion"][fathers]
        people.col("school")[s] = people["school"][fathers]
        people.col("surname")[s] = people["surname"][fathers]
        people.col("father_name")[s] = people["first_name"][fathers]
        people.col("marriage")[s] = -1
        self._set_names(s, sex)
        people.col("last_birth")[mothers] = days
        m.col("last_birth")[marriage] = np.maximum(m["last_birth"][marriage], days)

    # --- divorces --------------------------------------------------------------------------
    def divorces(self, year: Year, count: int, floor: I32) -> int:
        m, people = self.pop.marriages, self.pop.persons
        open_ = np.flatnonzero((m["end"] == 0) & ~m["temporary"] & (m["start"] < year.end - 30))
        duration = (year.start - m["start"][open_]) / YEAR
        chosen = open_[pick(self.rng, np.exp(-np.clip(duration, 0, None) / 7) + 0.15, count)]
        lo = np.maximum.reduce(
            [
                np.full(len(chosen), year.start),
                m["start"][chosen] + 30,
                m["last_birth"][chosen] - (POSTHUMOUS - 10),
            ]
        ).astype(np.int32)
        ok = lo <= year.end
        chosen, lo = chosen[ok], lo[ok]
        day = uniform_days(self.rng, lo, np.full(len(chosen), year.end, dtype=np.int32))
        revocable = self.rng.random(len(chosen)) < REVOCABLE_SHARE
        wife_age = (day - people["birth"][m["wife"][chosen]]) / YEAR
        wait = np.where(wife_age < 50, DIVORCE_WAIT, 0).astype(np.int32)
        taken_back = revocable & (self.rng.random(len(chosen)) < RETURN_SHARE) & (wait > 0)
        back_day = day + self.rng.integers(5, DIVORCE_WAIT - 5, len(chosen)).astype(np.int32)
        taken_back &= back_day <= self.pop.end.toordinal()
        self._record_returns(chosen[taken_back], day[taken_back], back_day[taken_back])
        ended = ~taken_back
        reason = np.where(revocable, R_REVOCABLE, R_IRREVOCABLE).astype(np.int8)
        self._end(chosen[ended], day[ended], reason[ended], wait[ended])
        last = np.where(taken_back, back_day, day)
        for who in (m["husband"][chosen], m["wife"][chosen]):
            floor[who] = np.maximum(floor[who], last)
        return len(chosen)

    def _record_returns(self, ids: npt.NDArray[np.intp], divorced: I32, returned: I32) -> None:
        r = self.pop.returns
        s = r.extend(len(ids))
        r.col("marriage")[s] = ids
        r.col("divorced")[s] = divorced
        r.col("returned")[s] = returned

    # --- deaths ----------------------------------------------------------------------------
    def deaths(self, year: Year, count: int, floor: I32) -> int:
        """The year's `count` deaths, drawn by the Siler hazard; and first, whoever would
        pass the life table's oldest age (cal.MAX_AGE) this year dies before reaching it:
        a weighted draw of a fixed count leaves a few of the very old alive for ever."""
        people = self.pop.persons
        alive = np.flatnonzero(people["death"] == 0)
        birth = people["birth"][alive]
        lo = np.maximum.reduce([np.full(len(alive), year.start), birth, floor[alive]]).astype(
            np.int32
        )
        last_day = (birth + cal.MAX_AGE * YEAR).astype(np.int32) - 1  # the day before
        aged = np.flatnonzero(last_day <= year.end)
        age = np.clip((year.start - birth) / YEAR, 0, None)
        exposure = (year.end - lo + 1) / (year.end - year.start + 1)
        hazard = cal.siler(age, year.number, people["sex"][alive] == 1) * exposure
        hazard[aged] = 0.0
        chosen = self.pick_by_province(alive, hazard, max(count - len(aged), 0))
        ends = np.full(len(chosen), year.end, dtype=np.int32)
        day = uniform_days(self.rng, lo[chosen], ends)
        old_day = np.maximum(lo[aged], np.minimum(last_day[aged], year.end))
        who = np.concatenate([alive[aged], alive[chosen]])
        day = np.concatenate([old_day.astype(np.int32), day])
        people.col("death")[who] = day
        self._widow(who, day)
        return len(who)

    def _widow(self, dead: npt.NDArray[np.intp], day: I32) -> None:
        m = self.pop.marriages
        open_ = np.flatnonzero(m["end"] == 0)
        died_on = np.zeros(self.pop.persons.n, dtype=np.int32)
        died_on[dead] = day
        h, w = died_on[m["husband"][open_]], died_on[m["wife"][open_]]
        first = np.where((h > 0) & (w > 0), np.minimum(h, w), np.maximum(h, w))
        ending = first > 0
        ids, end = open_[ending], first[ending]
        husband_died = (h[ending] > 0) & (h[ending] == end)
        wait = np.where(husband_died, np.where(m["temporary"][ids], TEMPORARY_WAIT, WIDOW_WAIT), 0)
        self._end(ids, end, np.full(len(ids), R_DEATH, dtype=np.int8), wait.astype(np.int32))

    # --- migration -------------------------------------------------------------------------
    def migrate(self, year: Year) -> None:
        people = self.pop.persons
        ages = self.ages(year.start)
        movers = np.flatnonzero(
            (people["death"] == 0) & (people["marriage"] < 0) & (ages >= 18) & (ages < 35)
        )
        movers = movers[self.rng.random(len(movers)) < MIGRATION_RATE]
        province = self.county_province[people["residence"][movers]]
        people.col("residence")[movers] = self.capital_of_province[province]

    # --- the run ---------------------------------------------------------------------------
    def run(self) -> Population:
        p0 = solve_start(self.n_living, self.calendar)
        plan = event_counts(p0, self.calendar)
        self.seed_population(p0, self.calendar[0])
        for i, (year, (_pop, births, deaths, marriages, divorces)) in enumerate(
            zip(self.calendar, plan, strict=True)
        ):
            self.end_temporary(year)
            made = self.marriages(year, marriages)
            floor = np.zeros(self.pop.persons.n + births + 16, dtype=np.int32)
            born = self.births(year, births, floor)
            divorced = self.divorces(year, divorces, floor)
            alive_now = int((self.pop.persons["death"] == 0).sum())
            if i == len(self.calendar) - 1:
                deaths = alive_now - self.n_living  # land exactly on N
            died = self.deaths(year, deaths, floor)
            self.migrate(year)
            self.pop.yearly[year.number] = {
                "births": born,
                "deaths": died,
                "marriages": made,
                "divorces": divorced,
            }
            if self.progress:
                self.progress(i + 1, len(self.calendar))
        return self.pop


def simulate(
    n_living: int, seed: int, end: date, progress: Callable[[int, int], None] | None = None
) -> Population:
    """Run the microsimulation: exactly `n_living` people alive at `end`."""
    return Simulation(n_living, seed, end, progress).run()
