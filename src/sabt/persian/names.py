"""First names: the published list of first names by sex (package data, see data/README.md).

Registration checks a newborn's name against it (a name outside it goes to a registrar,
Civil Registration Act Art. 20); the synthetic population draws names from it.
"""

import csv
from functools import cache
from importlib import resources

from sabt.persian.text import search_key


@cache
def rows(sex: str) -> list[dict[str, str]]:
    """The CSV rows of first names for `sex` ("male" or "female")."""
    name = "names_male.csv" if sex == "male" else "names_female.csv"
    text = resources.files("sabt.persian").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def accepted_keys(sex: str) -> frozenset[str]:
    """Search keys of the accepted first names for `sex`."""
    return frozenset(search_key(row["name"]) for row in rows(sex))


def is_accepted(name: str, sex: str) -> bool:
    """True when every part of a simple or compound name is an accepted name for `sex`."""
    keys = accepted_keys(sex)
    whole = search_key(name)
    return whole in keys or all(part in keys for part in whole.split())
