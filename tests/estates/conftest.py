"""Fixtures of the estates tests: the registration fixtures (a fixed clock, the family register
with offices, the API), the instance directory in the test's folder (the SMS outbox), and the
family's kin the estates need: a minor son of Ali and the operators' mobile numbers."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.registry import service as registry
from sabt.registry.schemas import MobileRecord, PersonRecord
from tests.documents.conftest import home
from tests.estates.support import MOBILES, SINA
from tests.registration.conftest import client, hospital
from tests.registration.support import C
from tests.registry import family

__all__ = ["client", "home", "hospital"]


@pytest.fixture
def kin(client: TestClient, engine: Engine) -> None:
    sina = PersonRecord(
        national_code=SINA, first_name="سینا", last_name="محمدی", father_name="علی", sex="male",
        birth_date=date(2015, 3, 1), birth_county=family.TEHRAN, residence_county=family.TEHRAN,
        father=C["ali"], mother=C["wife_ali"],
    )  # fmt: skip
    codes = {**C, "sina": SINA}
    mobiles = [MobileRecord(m, codes[who], "MCI", family.at(2022, 1, 1))
               for who, m in MOBILES.items()]  # fmt: skip
    registry.bulk_import(engine, [sina, *mobiles])
