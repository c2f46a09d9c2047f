"""Disabling and re-enabling accounts, from the CLI and the admin API, for staff, clients and
citizens: audited, the account's tokens stop at once and stay stopped, a fresh login works
again after re-enabling; bad input is a clear error that changes nothing."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app as cli_app
from sabt.identity.models import AuditEvent
from sabt.kit import clock
from tests.identity import accounts, offices
from tests.registry import family

runner = CliRunner()
PERSON = f"/api/v1/persons/{family.CODES['ali']}?purpose=test"
ADMIN = "/api/v1/identity/accounts"


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    offices.load(engine)
    with accounts.app_client(db_url, tmp_path) as c:
        yield c


def actions(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_disabled_staff_account_stops_at_once_and_a_new_login_works_after_enabling(
    client: TestClient, engine: Engine, db_url: str, fixed_clock: clock.FixedClock
) -> None:
    staff = accounts.add_staff(engine, "registrar", family.OFFICE)
    headers = accounts.login(client, staff)
    assert client.get(PERSON, headers=headers).status_code == 200
    off = runner.invoke(
        cli_app, ["identity", "disable", "staff", staff.username, "--reason", "پایان همکاری",
                  "--db", db_url],
    )  # fmt: skip
    assert off.exit_code == 0, off.output
    assert json.loads(off.stdout) == {"kind": "staff", "id": staff.username, "disabled": True}
    assert client.get(PERSON, headers=headers).status_code == 401
    refused = client.post("/api/v1/identity/staff/token", json={"username": staff.username,
                          "password": staff.password, "totp": "000000"})  # fmt: skip
    assert refused.status_code == 401
    on = runner.invoke(
        cli_app, ["identity", "enable", "staff", staff.username, "--reason", "بازگشت",
                  "--db", db_url],
    )  # fmt: skip
    assert on.exit_code == 0, on.output
    assert client.get(PERSON, headers=headers).status_code == 401  # the old token stays dead
    fixed_clock.advance(timedelta(seconds=31))  # a fresh TOTP step
    assert client.get(PERSON, headers=accounts.login(client, staff)).status_code == 200
    assert actions(engine)[-2:] == ["staff.disabled", "staff.enabled"]


def test_the_admin_api_disables_a_client_and_a_citizen(client: TestClient, engine: Engine) -> None:
    admin = accounts.staff_headers(client, engine, "national_admin", family.OFFICE)
    client_id, secret = accounts.add_client(engine, "hospital", offices.HOSPITAL)
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    hospital = {"Authorization": f"Bearer {token}"}
    citizen = accounts.citizen_headers(client, engine, family.CODES["ali"])
    me = "/api/v1/hoda/me/consents"
    assert client.get(me, headers=citizen).status_code == 200
    for kind, ident in (
        ("client", client_id),
        ("citizen", family.CODES["ali"]),
    ):
        body = {"kind": kind, "id": ident, "reason": "نشت گذرواژه"}
        assert client.post(f"{ADMIN}/disable", json=body, headers=admin).status_code == 200
        again = client.post(f"{ADMIN}/disable", json=body, headers=admin)
        assert (again.status_code, again.json()["code"]) == (409, "already_disabled")
    assert client.get(me, headers=citizen).status_code == 401
    births = client.post("/api/v1/births/notifications", json={}, headers=hospital)
    assert births.status_code == 401
    assert client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).status_code in (400, 401)
    assert actions(engine)[-2:] == ["client.disabled", "citizen.disabled"]


def test_bad_requests_are_clear_and_change_nothing(
    client: TestClient, engine: Engine, db_url: str
) -> None:
    admin = accounts.staff_headers(client, engine, "national_admin", family.OFFICE)
    registrar = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    before = actions(engine)
    body = {"kind": "staff", "id": "nobody-here", "reason": "آزمون"}
    missing = client.post(f"{ADMIN}/disable", json=body, headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "no_account")
    denied = client.post(f"{ADMIN}/disable", json=body, headers=registrar)
    assert denied.status_code == 403
    bad_code = {"kind": "citizen", "id": "123", "reason": "آزمون"}
    assert client.post(f"{ADMIN}/disable", json=bad_code, headers=admin).status_code == 422
    cli = runner.invoke(
        cli_app,
        ["identity", "disable", "staff", "nobody-here", "--reason", "آزمون", "--db", db_url],
    )
    assert cli.exit_code == 2 and "Traceback" not in cli.output
    assert actions(engine) == before
