"""The small tables the observatory's queries return, and the area they are about. Pure."""

from dataclasses import dataclass
from typing import Literal

Level = Literal["nation", "province", "county"]
AGE_GROUP_CAP = 20  # groups 0-4 ... 95-99, and 100+ as the 21st


@dataclass(frozen=True)
class Area:
    level: Level
    code: str | None = None  # an ISO province code or a county code; None for the nation


@dataclass(frozen=True)
class BirthCell:
    sex: str
    month: int
    mother_age: int | None  # completed years at the birth; None when no mother is recorded
    first_birth: bool  # the mother's first delivery in the register
    on_time: bool | None  # registered within the legal period; None when unknowable
    births: int
    mother_days: int  # summed exact ages of the mothers, in days


@dataclass(frozen=True)
class DeathCell:
    sex: str
    month: int
    age: int
    on_time: bool | None
    deaths: int


@dataclass(frozen=True)
class PopulationCell:
    sex: str
    group: int  # completed age // 5, capped at AGE_GROUP_CAP
    persons: int


@dataclass(frozen=True)
class MarriageCell:
    kind: str
    month: int
    wife_in: bool  # the wife lives in the area (where the marriage is counted)
    husband_in: bool
    husband_first: bool
    wife_first: bool
    marriages: int
    husband_days: int  # summed exact ages at marriage of the husbands marrying for the first time
    wife_days: int


@dataclass(frozen=True)
class DivorceCell:
    month: int
    divorces: int
