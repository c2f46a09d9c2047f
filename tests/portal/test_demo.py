"""The demo's three SAHIM citizens, chosen from a synthetic register and enrolled through
HODA's own enrolment: each fits their story and can start a login with the demo password."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.api import cli as api_cli
from sabt.cli.main import app as cli_app
from sabt.identity import credentials, hoda
from sabt.identity import service as identity
from sabt.identity.sms import Outbox
from sabt.kit import clock
from sabt.kit.settings import Settings
from sabt.portal import demo
from sabt.registry.models import Marriage, Person
from sabt.synth.service import build
from tests.synth.test_population import END


def test_the_demo_citizens_fit_their_stories_and_can_sign_in(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    build(engine, 3000, 7, END)
    settings = Settings(database_url=db_url, home=tmp_path)
    with Session(engine) as s, s.begin():
        citizens = demo.enrol_citizens(s, settings)
    assert [c.story for c in citizens] == [story for story, _ in demo.STORIES]
    parent, orphan, elder = (c.national_code for c in citizens)
    with Session(engine) as s:
        newest = s.scalars(select(Person).order_by(Person.birth_date.desc()).limit(1)).one()
        children = s.scalars(select(Person.birth_date).where(
            or_(Person.father_code == parent, Person.mother_code == parent))).all()  # fmt: skip
        assert max(children) >= newest.birth_date.replace(year=newest.birth_date.year - 1)
        person = s.get_one(Person, orphan)
        assert s.get_one(Person, person.father_code).status == "deceased"
        marriages = s.scalar(select(func.count()).select_from(Marriage).where(
            or_(Marriage.husband_code == elder, Marriage.wife_code == elder)))  # fmt: skip
        assert marriages is not None and marriages >= 2
    with Session(engine) as s, s.begin():
        h = hoda.Hoda(s, settings, Outbox(tmp_path / "outbox.jsonl"), hoda.otp_key(tmp_path))
        for c in citizens:
            assert isinstance(h.login_start(c.national_code, demo.PASSWORD), hoda.Challenge)


def test_the_demo_credentials_print_json_and_a_command_gives_the_admins_code(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(engine, 3000, 7, END)
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    settings = Settings(database_url=db_url, home=tmp_path)
    text = api_cli._demo_accounts(engine, settings)
    line = next(x for x in text.splitlines() if "/api/v1/hoda/enrolments" in x)
    sample = json.loads(line.split("): ", 1)[1])
    assert set(sample) >= {"national_code", "birth_date", "booklet_serial", "mobile"}
    printed = CliRunner().invoke(
        cli_app, ["identity", "staff", "totp", "demo-admin", "--db", db_url]
    )
    assert printed.exit_code == 0 and re.fullmatch(r"\d{6}\n", printed.stdout)
    with Session(engine) as s:
        secret = identity.totp_secret_of(s, "demo-admin")
    assert printed.stdout.strip() == credentials.totp_code(secret, clock.now())
    with Session(engine) as s, s.begin():
        identity.add_staff(
            s, "real-registrar", "registrar", api_cli.DEMO_OFFICES["civil_registration"], "test"
        )
    refused = CliRunner().invoke(
        cli_app, ["identity", "staff", "totp", "real-registrar", "--db", db_url]
    )
    assert refused.exit_code == 2 and not refused.stdout
