"""Offices beside the family's registry office, for authorisation tests: a hospital and
notaries in Tehran, a registry office and a hospital in Isfahan, a consulate, forensic
medicine."""

from sqlalchemy import Engine

from sabt.persian import places
from sabt.registry import service
from sabt.registry.schemas import OfficeRecord
from tests.registry import family

ISFAHAN = places.county_by_name("اصفهان").code
ISFAHAN_PREFIX = places.prefixes_of_county(ISFAHAN)[0]
HOSPITAL = "HOSP-TEHRAN-1"
MARRIAGE_NOTARY = "MN-TEHRAN-1"
DIVORCE_NOTARY = "DN-TEHRAN-1"
ISFAHAN_OFFICE = "CR-ISFAHAN-1"
ISFAHAN_HOSPITAL = "HOSP-ISFAHAN-1"
CONSULATE = "CONS-TEST"
FORENSIC = "LM-TEHRAN-1"


def records() -> list[OfficeRecord]:
    return [
        OfficeRecord(HOSPITAL, "hospital", "بیمارستان تهران", family.TEHRAN, "IR-23"),
        OfficeRecord(MARRIAGE_NOTARY, "marriage_notary", "دفتر ازدواج", family.TEHRAN, "IR-23"),
        OfficeRecord(DIVORCE_NOTARY, "divorce_notary", "دفتر طلاق", family.TEHRAN, "IR-23"),
        OfficeRecord(
            ISFAHAN_OFFICE, "civil_registration", "ثبت احوال اصفهان", ISFAHAN, "IR-10",
            ((ISFAHAN_PREFIX, False),),
        ),
        OfficeRecord(ISFAHAN_HOSPITAL, "hospital", "بیمارستان اصفهان", ISFAHAN, "IR-10"),
        OfficeRecord(CONSULATE, "consulate", "سرکنسولگری", None, None),
        OfficeRecord(FORENSIC, "forensic_medicine", "پزشکی قانونی تهران", family.TEHRAN, "IR-23"),
    ]  # fmt: skip


def load(engine: Engine) -> None:
    """The family register and these offices."""
    family.load(engine)
    service.bulk_import(engine, records())
