"""Provinces (ISO 3166-2:IR), counties and national-code office prefixes, from package data.

Sources are in `data/README.md`. Loaded once, on first use.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Province:
    iso: str  # IR-00 ... IR-30
    name_fa: str
    name_en: str
    population_1395: int
    population_1395_male: int
    population_1395_female: int


@dataclass(frozen=True, slots=True)
class County:
    code: str  # e.g. "2325": province IR-23, 25th county by Persian name
    province_iso: str
    name_fa: str
    name_en: str


@dataclass(frozen=True, slots=True)
class OfficePrefix:
    prefix: str
    county_code: str | None  # None where no county is known (e.g. codes issued abroad)
    province_iso: str | None
    city_fa: str
    synthetic: bool  # invented for simulation; never use to interpret real codes


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sabt.persian").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def provinces() -> dict[str, Province]:
    """The 31 provinces by ISO code (the national row of the CSV is left out)."""
    out: dict[str, Province] = {}
    for row in _rows("provinces.csv"):
        if not row["iso_3166_2"].startswith("IR-"):
            continue
        out[row["iso_3166_2"]] = Province(
            iso=row["iso_3166_2"],
            name_fa=row["name_fa"],
            name_en=row["name_en"],
            population_1395=int(row["pop_1395_census_2016"]),
            population_1395_male=int(row["pop_1395_male"]),
            population_1395_female=int(row["pop_1395_female"]),
        )
    return out


@cache
def counties() -> dict[str, County]:
    """Every county by its code."""
    by_province: dict[str, list[dict[str, str]]] = {}
    for row in _rows("counties.csv"):
        by_province.setdefault(row["province_iso"], []).append(row)
    out: dict[str, County] = {}
    for iso, rows in sorted(by_province.items()):
        for rank, row in enumerate(sorted(rows, key=lambda r: r["county_fa"]), start=1):
            code = f"{iso[3:]}{rank:02d}"
            out[code] = County(code, iso, row["county_fa"], row["county_en"])
    return out


@cache
def county_by_name(name_fa: str) -> County:
    """The county of that Persian name (names are unique in the county list)."""
    for county in counties().values():
        if county.name_fa == name_fa:
            return county
    raise KeyError(name_fa)


@cache
def office_prefixes() -> dict[str, OfficePrefix]:
    """Every national-code office prefix, published and synthetic."""
    out: dict[str, OfficePrefix] = {}
    for row in _rows("office_prefixes.csv"):
        county = county_by_name(row["county_fa"]).code if row["county_fa"] else None
        out[row["prefix"]] = OfficePrefix(
            prefix=row["prefix"],
            county_code=county,
            province_iso=row["province_iso"] or None,
            city_fa=row["city_fa"],
            synthetic=row["synthetic"] == "true",
        )
    return out


@cache
def published_prefixes() -> frozenset[str]:
    """The prefixes of the published list (synthetic ones excluded)."""
    return frozenset(p.prefix for p in office_prefixes().values() if not p.synthetic)


@cache
def all_prefixes() -> frozenset[str]:
    """Published and synthetic prefixes: what a synthetic (demo, test) register accepts."""
    return frozenset(office_prefixes())


@cache
def prefixes_of_county(county_code: str) -> tuple[str, ...]:
    """The office prefixes of a county, published ones first, each group ascending."""
    found = [p for p in office_prefixes().values() if p.county_code == county_code]
    return tuple(p.prefix for p in sorted(found, key=lambda p: (p.synthetic, p.prefix)))
