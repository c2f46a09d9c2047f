"""Generated figures next to the published ones, scaled to the synthetic population."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.table import Table

from sabt.observatory import formulas
from sabt.persian import places
from sabt.persian.jalali import jalali_parts, year_span
from sabt.synth import calibration as cal
from sabt.synth.simulate import R_IRREVOCABLE, R_REVOCABLE, YEAR, Population

PUBLISHED_RATES = ("total_fertility_rate", "sex_ratio_at_birth")


@dataclass
class Figure:
    name: str
    year: int | str
    generated: float
    published: float | None  # scaled to N for counts; None where nothing is published

    @property
    def deviation(self) -> float | None:
        if not self.published:
            return None
        return self.generated / self.published - 1


def national_population_on(day: date) -> float:
    """Iran's population on a day, interpolated between year starts (calibration)."""
    pop = cal.national_population()
    year = jalali_parts(day)[0]
    first, last = year_span(year)
    share = (day - first).days / ((last - first).days + 1)
    return pop[year] + share * (pop[min(year + 1, max(pop))] - pop[year])


def _published_rate(indicator: str, year: int) -> float | None:
    if indicator == "sex_ratio_at_birth":
        return _published_srb(year)
    for row in cal._rows("vital_stats.csv"):
        if (row["indicator"], row["geography"], row["year_jalali"], row["scope"]) == (
            indicator, "Iran", str(year), "full year"
        ):  # fmt: skip
            return float(row["value"])
    return None


def _published_srb(year: int) -> float | None:
    """Male over female registered births of a full year, else the published ratio."""
    by_sex: dict[str, float] = {}
    for row in cal._rows("vital_stats.csv"):
        if (
            row["geography"] == "Iran"
            and row["year_jalali"] == str(year)
            and row["scope"] == "full year"
        ):
            by_sex[row["indicator"]] = float(row["value"])
    if "births_male" in by_sex and "births_female" in by_sex:
        return by_sex["births_male"] / by_sex["births_female"]
    ratio = by_sex.get("sex_ratio_at_birth")
    return ratio / 100 if ratio else None


def year_figures(pop: Population, year: int, scale: float) -> list[Figure]:
    p, m, r = pop.persons, pop.marriages, pop.returns
    first, last = (d.toordinal() for d in year_span(year))

    def within(days: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
        return np.asarray((days >= first) & (days <= last), dtype=np.bool_)

    born = within(p["birth"]) & (p["mother"] >= 0)
    divorce_end = within(m["end"]) & np.isin(m["reason"], (R_REVOCABLE, R_IRREVOCABLE))
    counts = {
        "births": int(born.sum()),
        "deaths": int(within(p["death"]).sum()),
        "marriages": int(within(m["start"]).sum()),
        "divorces": int(divorce_end.sum() + within(r["divorced"]).sum()),
    }
    published = cal.published_counts()
    out = [
        Figure(k, year, v, published[k][year] * scale if year in published[k] else None)
        for k, v in counts.items()
    ]
    males = int((born & (p["sex"] == 1)).sum())
    out.append(Figure("sex_ratio_at_birth", year, males / max(counts["births"] - males, 1),
                      _published_rate("sex_ratio_at_birth", year)))  # fmt: skip
    out.append(
        Figure(
            "total_fertility_rate",
            year,
            tfr(pop, year),
            _published_rate("total_fertility_rate", year),
        )
    )
    return out


def tfr(pop: Population, year: int) -> float:
    """5 x the sum of age-specific fertility rates 15-19 .. 45-49 (mid-year women)."""
    p = pop.persons
    first, last = (d.toordinal() for d in year_span(year))
    mid = (first + last) // 2
    born = (p["birth"] >= first) & (p["birth"] <= last) & (p["mother"] >= 0)
    mother_age = (p["birth"][born] - p["birth"][p["mother"][born]]) / YEAR
    alive_mid = (p["sex"] == 0) & (p["birth"] <= mid) & ((p["death"] == 0) | (p["death"] > mid))
    women_age = (mid - p["birth"][alive_mid]) / YEAR
    rates = []
    for lo in range(15, 50, 5):
        births = int(((mother_age >= lo) & (mother_age < lo + 5)).sum())
        women = int(((women_age >= lo) & (women_age < lo + 5)).sum())
        rates.append(formulas.ratio(births, women))
    return formulas.total_fertility(rates) or 0.0


def province_figures(pop: Population, n_living: int) -> list[Figure]:
    p = pop.persons
    alive = p["death"] == 0
    provinces = np.array([places.counties()[c].province_iso for c in pop.counties])
    living = provinces[p["residence"][alive]]
    shares = cal.province_shares()
    return [Figure(f"living {iso}", "end", float((living == iso).sum()), shares[iso] * n_living)
            for iso in sorted(shares)]  # fmt: skip


def figures(pop: Population, n_living: int) -> list[Figure]:
    """The last five complete Jalali years, and the living population by province."""
    end_year = jalali_parts(pop.end)[0]
    last_full = end_year if pop.end == year_span(end_year)[1] else end_year - 1
    scale = n_living / national_population_on(pop.end)
    out: list[Figure] = []
    for year in range(last_full - 4, last_full + 1):
        out.extend(year_figures(pop, year, scale))
    return out + province_figures(pop, n_living)


def table(rows: list[Figure]) -> Table:
    t = Table(title="synthetic vs published (counts scaled to N)")
    for column in ("figure", "year", "generated", "published", "deviation"):
        t.add_column(column, justify="right" if column != "figure" else "left")
    for f in rows:
        fmt = "{:.2f}" if f.generated < 10 and f.name not in ("births", "deaths") else "{:,.0f}"
        published = fmt.format(f.published) if f.published is not None else "—"
        deviation = f"{f.deviation:+.1%}" if f.deviation is not None else "—"
        t.add_row(f.name, str(f.year), fmt.format(f.generated), published, deviation)
    return t
