"""What the simulation is calibrated to, and the model assumptions where no figure exists.

Published figures (package data, each row with its source):
- national registered births, deaths, marriages and divorces per Jalali year
  (vital_stats.csv, 1385-1404 with gaps; gaps are interpolated linearly);
- the 1385, 1390 and 1395 census totals and the 1395 province populations;
- sex ratio at birth; mean age at first marriage by sex.

Assumptions (no published series; each is a standard demographic model or a round figure
from the demographic history of Iran, and is marked ASSUMPTION):
- crude birth/death/marriage/divorce rates before the published series (piecewise linear,
  `_MODEL_RATES`), shaped to reproduce the census totals of 1335-1395 within a few per cent;
- mortality by age: a Siler model, mu(x) = a1 exp(-b1 x) + a2 + a3 exp(b3 x), whose
  infant and background terms fall over the century (`siler`);
- fertility by age: a Hadwiger schedule with a year-dependent mean age of childbearing,
  scaled to the year's births (`hadwiger`);
- first-marriage ages: a normal schedule around the year's mean age (`first_marriage`).
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from sabt.persian import names, places

FIRST_YEAR = 1300
Floats = npt.NDArray[np.float64]

# Census totals (SCI; the 1395 figure equals the sum of provinces.csv).
CENSUS = {1385: 70_495_782, 1390: 75_149_669, 1395: 79_926_270}

# ASSUMPTION: crude rates per 1000 before the published series, piecewise linear between
# these years (birth, death, marriage, divorce). 1300-1335 ~ +2 %/yr, 1335-1365 ~ +3 %/yr,
# the 1360s boom and the 1370s fertility fall, as in the censuses of 1335-1385.
_MODEL_RATES: dict[int, tuple[float, float, float, float]] = {
    1300: (48.0, 30.0, 10.0, 0.8),
    1335: (47.0, 21.0, 10.0, 0.8),
    1345: (45.0, 15.0, 10.0, 0.9),
    1355: (43.0, 11.0, 11.0, 1.0),
    1360: (46.0, 10.0, 12.5, 1.0),
    1365: (45.0, 8.5, 11.0, 1.0),
    1370: (29.0, 7.0, 10.0, 1.0),
    1375: (20.0, 5.8, 9.5, 1.1),
    1380: (17.5, 5.4, 10.5, 1.3),
    1385: (17.8, 5.3, 11.0, 1.4),
}
EVENTS = ("births", "deaths", "marriages", "divorces")

# ASSUMPTION: mean age at first marriage (women, men) before the published years.
_MARRIAGE_AGE: dict[int, tuple[float, float]] = {
    1300: (17.5, 24.5), 1345: (18.5, 25.0), 1355: (19.7, 24.2), 1365: (20.0, 23.6),
    1375: (22.4, 25.6), 1390: (23.4, 26.7), 1396: (22.8, 27.3), 1404: (24.2, 28.3),
}  # fmt: skip

# ASSUMPTION: mean age of mothers at birth (all parities).
_MEAN_AGE_AT_BIRTH: dict[int, float] = {1300: 29.0, 1355: 28.0, 1375: 26.5, 1395: 28.3, 1404: 29.3}

# Sex ratio at birth (males per 100 females): NOCR 105 (1387), 106.4 (1398), 106.5-107.6
# (1402-1403); ASSUMPTION 105 before 1387.
_SRB: dict[int, float] = {1300: 105.0, 1387: 105.0, 1398: 106.4, 1404: 106.8}


def _interpolate(table: dict[int, float], year: float) -> float:
    years = sorted(table)
    return float(np.interp(year, years, [table[y] for y in years]))


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sabt.synth").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def published_counts() -> dict[str, dict[int, int]]:
    """National registered events per full Jalali year, from vital_stats.csv."""
    wanted = {f"{e}_registered": e for e in EVENTS}
    out: dict[str, dict[int, int]] = {e: {} for e in EVENTS}
    for row in _rows("vital_stats.csv"):
        event = wanted.get(row["indicator"])
        if event and row["geography"] == "Iran" and row["scope"] == "full year":
            year = int(row["year_jalali"].split()[0])  # "1398 or 1399": the first
            out[event].setdefault(year, int(float(row["value"])))
    return out


@dataclass(frozen=True)
class YearRates:
    """Events per person-year in one Jalali year."""

    births: float
    deaths: float
    marriages: float
    divorces: float


@cache
def national_population() -> dict[int, float]:
    """Iran's population at the start of each Jalali year 1385-1405: census totals, carried
    forward from 1395 with published births minus deaths (net migration taken as zero)."""
    counts = _filled_counts()
    pop = {1385: float(CENSUS[1385]), 1390: float(CENSUS[1390]), 1395: float(CENSUS[1395])}
    for year in range(1395, 1405):
        pop[year + 1] = pop[year] + counts["births"][year] - counts["deaths"][year]
    for year in (1386, 1387, 1388, 1389, 1391, 1392, 1393, 1394):
        pop[year] = float(np.interp(year, [1385, 1390, 1395], [pop[1385], pop[1390], pop[1395]]))
    return pop


@cache
def _filled_counts() -> dict[str, dict[int, float]]:
    """Published counts 1385-1404, gaps interpolated (rates from the model where a series
    starts later), 1404 taken as 1403's level."""
    published = published_counts()
    out: dict[str, dict[int, float]] = {}
    for i, event in enumerate(EVENTS):
        series = {y: float(v) for y, v in published[event].items() if 1385 <= y <= 1403}
        if 1385 not in series:  # series starting later: anchor 1385 on the model rate
            series[1385] = _MODEL_RATES[1385][i] / 1000 * CENSUS[1385]
        years = sorted(series)
        out[event] = {
            y: float(np.interp(y, years, [series[k] for k in years])) for y in range(1385, 1405)
        }
    return out


def rates(year: int) -> YearRates:
    """Crude rates of a Jalali year: published counts over the population from 1385 on,
    the model before."""
    if year < 1385:
        values = [
            _interpolate({y: r[i] for y, r in _MODEL_RATES.items()}, year) / 1000 for i in range(4)
        ]
        return YearRates(*values)
    counts = _filled_counts()
    pop = national_population()
    mid = (pop[min(year, 1404)] + pop[min(year + 1, 1405)]) / 2
    return YearRates(*(counts[e][min(year, 1404)] / mid for e in EVENTS))


def sex_ratio_at_birth(year: int) -> float:
    return _interpolate(_SRB, year) / 100


def first_marriage_age(year: int) -> tuple[float, float]:
    """(women, men) mean age at first marriage."""
    women = _interpolate({y: v[0] for y, v in _MARRIAGE_AGE.items()}, year)
    men = _interpolate({y: v[1] for y, v in _MARRIAGE_AGE.items()}, year)
    return women, men


# The oldest age the simulation's life table allows: nobody lives to their 110th birthday.
# (Iran's oldest verified people were about 110-115; under the Siler hazard below, fewer than
# one in a million of those alive at 80 would reach 110, so the cap changes no figure.)
MAX_AGE = 110


def siler(age: Floats, year: int, male: npt.NDArray[np.bool_]) -> Floats:
    """ASSUMPTION: relative death hazard by age (Siler). The infant/child term falls from
    about 200 per 1000 infants in 1300 to about 12 in 1400; the background term falls too;
    the senescent term is a Gompertz slope of 0.09/yr; men 25 % higher."""
    remaining = min(max(1 - (year - FIRST_YEAR) / 100, 0.0), 1.0)  # 1 in 1300, 0 from 1400
    a1 = 0.30 * remaining**2.2 + 0.012
    a2 = 0.010 * remaining**1.5 + 0.0004
    hazard = a1 * np.exp(-1.6 * age) + a2 + 3.0e-5 * np.exp(0.092 * age)
    return np.asarray(hazard * np.where(male, 1.25, 1.0), dtype=np.float64)


def hadwiger(age: Floats, year: int) -> Floats:
    """ASSUMPTION: Hadwiger fertility shape (integrates to 1 over 15-50) with the year's
    mean age of childbearing; zero outside 15-49."""
    mean = _interpolate(_MEAN_AGE_AT_BIRTH, year)
    a, b = 3.2, mean
    x = np.clip(age, 1e-3, None)
    shape = (a * b / mean) / np.sqrt(np.pi) * (b / x) ** 1.5 * np.exp(-(a**2) * (b / x + x / b - 2))
    return np.where((age >= 15) & (age < 50), shape, 0.0)


def first_marriage(age: Floats, mean: float, spread: float = 4.5) -> Floats:
    """ASSUMPTION: relative first-marriage intensity by age, normal around the mean age."""
    return np.exp(-0.5 * ((age - mean) / spread) ** 2)


@cache
def province_shares() -> dict[str, float]:
    """Each province's share of the 1395 census population (kept through the simulation:
    migration between provinces is not modelled)."""
    provinces = places.provinces()
    total = sum(p.population_1395 for p in provinces.values())
    return {iso: p.population_1395 / total for iso, p in provinces.items()}


# ASSUMPTION: share of each province's population living in the capital county, rounded
# from the 1395 census county figures as reported in the press (no machine-readable source
# is in shared/data); the rest is split evenly between the other counties.
CAPITALS: dict[str, tuple[str, float]] = {
    "IR-00": ("اراک", 0.41), "IR-01": ("رشت", 0.38), "IR-02": ("ساری", 0.15),
    "IR-03": ("تبریز", 0.45), "IR-04": ("ارومیه", 0.32), "IR-05": ("کرمانشاه", 0.55),
    "IR-06": ("اهواز", 0.28), "IR-07": ("شیراز", 0.39), "IR-08": ("کرمان", 0.23),
    "IR-09": ("مشهد", 0.52), "IR-10": ("اصفهان", 0.44), "IR-11": ("زاهدان", 0.24),
    "IR-12": ("سنندج", 0.31), "IR-13": ("همدان", 0.39), "IR-14": ("شهرکرد", 0.27),
    "IR-15": ("خرم آباد", 0.29), "IR-16": ("ایلام", 0.41), "IR-17": ("بویراحمد", 0.35),
    "IR-18": ("بوشهر", 0.19), "IR-19": ("زنجان", 0.49), "IR-20": ("سمنان", 0.27),
    "IR-21": ("یزد", 0.58), "IR-22": ("بندرعباس", 0.38), "IR-23": ("تهران", 0.66),
    "IR-24": ("اردبیل", 0.47), "IR-25": ("قم", 0.95), "IR-26": ("قزوین", 0.47),
    "IR-27": ("گرگان", 0.26), "IR-28": ("بجنورد", 0.37), "IR-29": ("بیرجند", 0.34),
    "IR-30": ("کرج", 0.73),
}  # fmt: skip

# ASSUMPTION: share of Sunni Muslims by province (the census does not ask; rough figures
# from the regional literature); elsewhere 0.5 %. Other religions: 0.3 % nationally, in
# Tehran, Isfahan, Yazd, Kerman, West Azerbaijan and Fars.
SUNNI_SHARE: dict[str, float] = {
    "IR-11": 0.60, "IR-12": 0.70, "IR-04": 0.35, "IR-27": 0.35, "IR-22": 0.40,
    "IR-05": 0.20, "IR-29": 0.15, "IR-18": 0.08, "IR-09": 0.05, "IR-28": 0.05,
    "IR-07": 0.03, "IR-16": 0.02,
}  # fmt: skip
OTHER_RELIGION_SHARE: dict[str, float] = {
    "IR-23": 0.008, "IR-10": 0.006, "IR-21": 0.010, "IR-08": 0.004, "IR-04": 0.006, "IR-07": 0.002,
}  # fmt: skip


@cache
def county_weights() -> dict[str, list[tuple[str, float]]]:
    """Per province: (county code, share of the province) for the first generation."""
    by_province: dict[str, list[str]] = {}
    for county in places.counties().values():
        by_province.setdefault(county.province_iso, []).append(county.code)
    out: dict[str, list[tuple[str, float]]] = {}
    for iso, codes in by_province.items():
        capital_name, share = CAPITALS[iso]
        capital = places.county_by_name(capital_name).code
        others = [c for c in codes if c != capital]
        rest = (1 - share) / len(others) if others else 0.0
        out[iso] = [(capital, share if others else 1.0)] + [(c, rest) for c in others]
    return out


@cache
def name_weights(sex: str) -> tuple[tuple[str, ...], Floats]:
    """First names and their relative frequency.

    All-time NOCR counts where published; an all-time rank r without a count gets
    top_count / r; a rank in a newborn list gets 1/20 of that (recent names); unranked
    vocabulary gets the weight of an all-time rank of 300 (ASSUMPTION: Zipf-like tail).
    """
    rows = names.rows(sex)
    top = max(int(r["count"]) for r in rows if r["count"] and r["scope"].startswith("all"))
    weights: dict[str, float] = {}
    for row in rows:
        if row["count"] and row["scope"].startswith("all"):
            w = float(row["count"])
        elif row["rank"] and row["scope"].startswith("all"):
            w = top / int(row["rank"])
        elif row["rank"]:
            w = top / int(row["rank"]) / 20
        else:
            w = top / 300
        weights[row["name"]] = max(weights.get(row["name"], 0.0), w)
    ordered = tuple(sorted(weights))
    return ordered, np.array([weights[n] for n in ordered])


@cache
def surname_weights() -> tuple[tuple[str, ...], Floats]:
    rows = _rows("surnames.csv")
    names = tuple(r["surname"] for r in rows)
    return names, np.array([float(r["frequency_share"]) for r in rows])
