"""Helpers of the estates tests."""

import json
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.estates import worker
from sabt.identity import sms
from sabt.kit import clock
from sabt.kit.settings import Settings
from sabt.registry import service as registry
from sabt.registry.schemas import PersonRecord
from tests.registration.support import DEATHS, NOW, C
from tests.registration.test_deaths import death
from tests.registry import family

SINA = family.code(11)  # Ali's son, born 2015: a minor when Ali dies
MOBILES = {"wife_ali": "09120000001", "amir": "09120000002", "hasan": "09120000003",
           "sina": "09120000004", "reza": "09120000005", "sara": "09120000006"}  # fmt: skip


MINA = family.code(12)  # Amir's daughter, her father not linked in the register


def import_mina(engine: Engine) -> None:
    """Mina, Amir's daughter whose father the register does not know: the heir an
    objection says is missing."""
    mina = PersonRecord(
        national_code=MINA, first_name="مینا", last_name="محمدی", father_name=None, sex="female",
        birth_date=date(2024, 2, 2), birth_county=family.TEHRAN, residence_county=family.TEHRAN,
        mother=C["neda"],
    )  # fmt: skip
    registry.bulk_import(engine, [mina])


def register_death(client: TestClient, hospital: dict[str, str], who: str = "ali",
                   notification: str = "D-1") -> None:  # fmt: skip
    answer = client.post(
        DEATHS, json=death(national_code=C[who], notification_id=notification), headers=hospital
    )
    assert answer.status_code == 201 and answer.json()["status"] == "registered", answer.text


def on_day(days: float) -> None:
    """Move the fixed clock to `days` after the registration fixtures' NOW."""
    clock.set_clock(clock.FixedClock(NOW + timedelta(days=days)))


def settings_of(db_url: str, home: Path) -> Settings:
    return Settings(database_url=db_url, home=home)


def run_worker(db_url: str, engine: Engine, home: Path) -> worker.Round:
    settings = settings_of(db_url, home)
    return worker.run_once(engine, settings, sms.gateway(settings))


def outbox(home: Path) -> list[dict[str, str]]:
    path = sms.outbox_path(home)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
