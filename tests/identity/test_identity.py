"""The authorisation core over HTTP and the CLI: organisations' client credentials (Authlib),
staff logins with password + TOTP, citizens, scopes, jurisdiction, the access log."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.api.app import create_app
from sabt.cli.main import app as cli_app
from sabt.identity import credentials
from sabt.identity.models import AccessLog, Account, AuditEvent, Client, Token
from sabt.identity.roles import ROLES, Jurisdiction, Place
from sabt.kit import clock
from sabt.kit.settings import Settings
from tests.identity import accounts, offices
from tests.registry import family

runner = CliRunner()


@pytest.fixture
def client(
    engine: Engine, db_url: str, tmp_path: Path, fixed_clock: clock.FixedClock
) -> Iterator[TestClient]:
    offices.load(engine)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, base_url=accounts.BASE_URL, raise_server_exceptions=False) as c:
        yield c


def error_code(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["message_fa"] and body["message_en"]
    return str(body["code"])


def person_url(code: str = family.CODES["ali"], purpose: str = "تست دسترسی") -> str:
    return f"/api/v1/persons/{code}?purpose={purpose}"


# --- organisations -----------------------------------------------------------------


def test_client_credentials_by_basic_and_by_post(client: TestClient, engine: Engine) -> None:
    client_id, secret = accounts.add_client(engine, "hospital", offices.HOSPITAL)
    basic = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert basic.status_code == 200 and basic.headers["cache-control"] == "no-store"
    token = basic.json()
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 3600
    assert set(token["scope"].split()) == {"births:notify", "deaths:notify"}
    posted = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "births:notify",
        },
    )
    assert posted.status_code == 200 and posted.json()["scope"] == "births:notify"
    with Session(engine) as s:  # stored as digests only
        digests = set(s.scalars(select(Token.digest)))
        assert credentials.token_digest(token["access_token"]) in digests
        assert token["access_token"] not in digests
        assert secret not in s.scalar(select(Client.secret_hash).limit(1))  # type: ignore[operator]


def test_token_errors_are_oauth2_and_ours(client: TestClient, engine: Engine) -> None:
    client_id, secret = accounts.add_client(engine, "marriage_notary", offices.MARRIAGE_NOTARY)
    cases = [
        ({"grant_type": "client_credentials"}, (client_id, "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, ("nobody", secret), 401, "invalid_client"),
        ({"grant_type": "password"}, (client_id, secret), 400, "unsupported_grant_type"),
        (
            {"grant_type": "client_credentials", "scope": "births:notify"},
            (client_id, secret),
            400,
            "invalid_scope",
        ),
    ]
    for form, auth, status, code in cases:
        response = client.post("/oauth/token", data=form, auth=auth)
        assert response.status_code == status, (form, response.text)
        body = response.json()
        assert body["error"] == code and body["code"] == code and body["message_fa"]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Token)) == 0


def test_plain_http_is_refused_for_the_token_endpoint(
    engine: Engine, db_url: str, tmp_path: Path, fixed_clock: clock.FixedClock
) -> None:
    offices.load(engine)
    client_id, secret = accounts.add_client(engine, "hospital", offices.HOSPITAL)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, base_url="http://sabt.example") as c:
        response = c.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
    assert response.json()["code"] == "insecure_transport" and response.status_code == 400


def test_a_client_token_expires(
    client: TestClient, engine: Engine, fixed_clock: clock.FixedClock
) -> None:
    headers = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    staff = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    assert error_code(client.get(person_url(), headers=headers), 403) == "missing_scope"
    fixed_clock.advance(timedelta(minutes=61))
    assert error_code(client.get(person_url(), headers=headers), 401) == "unauthorized"
    assert client.get(person_url(), headers=staff).status_code == 200  # 8 hours


def test_cli_adds_clients_and_refuses_a_mismatched_office(engine: Engine, db_url: str) -> None:
    offices.load(engine)
    ok = runner.invoke(
        cli_app,
        [
            "identity",
            "clients",
            "add",
            "--kind",
            "hospital",
            "--office",
            offices.HOSPITAL,
            "--db",
            db_url,
        ],
    )
    assert ok.exit_code == 0, ok.output
    lines = dict(line.split("=", 1) for line in ok.stdout.splitlines())
    assert set(lines) == {"client_id", "client_secret"} and len(lines["client_secret"]) >= 40
    for kind, office in (
        ("hospital", family.OFFICE),
        ("bank", offices.HOSPITAL),
        ("hospital", "NO-SUCH"),
    ):
        bad = runner.invoke(
            cli_app,
            ["identity", "clients", "add", "--kind", kind, "--office", office, "--db", db_url],
        )
        assert bad.exit_code == 2 and "Traceback" not in bad.output, bad.output
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 1
        assert s.scalar(select(AuditEvent.action)) == "client.added"


# --- staff ---------------------------------------------------------------------------


def test_admin_init_once_then_staff_add(engine: Engine, db_url: str) -> None:
    family.load(engine)
    args = ["identity", "admin", "init", "--username", "root-admin", "--office", family.OFFICE]
    first = runner.invoke(cli_app, [*args, "--db", db_url])
    assert first.exit_code == 0, first.output
    lines = dict(line.split("=", 1) for line in first.stdout.splitlines())
    assert lines["totp_uri"].startswith("otpauth://totp/Sabt:root-admin?secret=")
    again = runner.invoke(cli_app, [*args[:4], "other-admin", *args[5:], "--db", db_url])
    assert again.exit_code == 2 and "already exists" in again.stderr
    added = runner.invoke(
        cli_app,
        ["identity", "staff", "add", "--username", "reg.one", "--role", "registrar",
         "--office", family.OFFICE, "--db", db_url],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    for role, username in (("janitor", "reg-two"), ("registrar", "reg.one"), ("registrar", "x")):
        bad = runner.invoke(
            cli_app,
            ["identity", "staff", "add", "--username", username, "--role", role,
             "--office", family.OFFICE, "--db", db_url],
        )  # fmt: skip
        assert bad.exit_code == 2, bad.output
    with Session(engine) as s:
        roles = {u: r for u, r in s.execute(select(Account.username, Account.role))}
        assert roles == {"root-admin": "national_admin", "reg.one": "registrar"}
        stored = s.scalar(select(Account.password_hash).where(Account.username == "reg.one"))
        assert stored is not None and stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_staff_login_needs_password_and_a_fresh_totp(client: TestClient, engine: Engine) -> None:
    staff = accounts.add_staff(engine, "registrar", family.OFFICE)
    code = credentials.totp_code(accounts.totp_secret(staff), clock.now())
    login = {"username": staff.username, "password": staff.password, "totp": code}
    url = "/api/v1/identity/staff/token"
    assert error_code(client.post(url, json={**login, "password": "x"}), 401) == "bad_credentials"
    assert error_code(client.post(url, json={**login, "totp": "000000"}), 401) == "bad_credentials"
    assert error_code(client.post(url, json={**login, "username": "nobody"}), 401) == (
        "bad_credentials"
    )
    ok = client.post(url, json=login)
    assert ok.status_code == 200
    assert set(ok.json()["scope"].split()) == ROLES["registrar"].scopes
    assert error_code(client.post(url, json=login), 401) == "bad_credentials"  # replayed code
    assert error_code(client.post(url, json={**login, "totp": 123456}), 422) == "invalid_request"


def test_failed_logins_lock_the_account_for_a_while(
    client: TestClient, engine: Engine, fixed_clock: clock.FixedClock
) -> None:
    staff = accounts.add_staff(engine, "registrar", family.OFFICE)
    url = "/api/v1/identity/staff/token"
    wrong = {"username": staff.username, "password": "wrong", "totp": "000000"}
    for _ in range(5):
        error_code(client.post(url, json=wrong), 401)
    code = credentials.totp_code(accounts.totp_secret(staff), clock.now())
    right = {"username": staff.username, "password": staff.password, "totp": code}
    locked = client.post(url, json=right)
    unknown = client.post(url, json={**right, "username": "nobody-at-all"})
    assert error_code(locked, 401) == error_code(unknown, 401) == "bad_credentials"
    assert locked.json() == unknown.json()  # a locked account looks like no account
    fixed_clock.advance(timedelta(minutes=16))
    assert accounts.login(client, staff)["Authorization"].startswith("Bearer ")
    with Session(engine) as s:
        assert "account.locked" in set(s.scalars(select(AuditEvent.action)))


# --- reading records: scopes and the access log --------------------------------------


def test_staff_read_is_logged_with_its_purpose(client: TestClient, engine: Engine) -> None:
    headers = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    ali = family.CODES["ali"]
    body = client.get(person_url(ali, "پرونده تصحیح ۱۲"), headers=headers).json()
    assert body["national_code"] == ali
    assert error_code(client.get(f"/api/v1/persons/{ali}", headers=headers), 422)
    with Session(engine) as s:
        log = s.scalars(select(AccessLog)).one()
    assert (log.subject, log.action, log.purpose) == (ali, "person.read", "پرونده تصحیح ۱۲")
    assert log.actor.startswith("staff:registrar-") and log.office == family.OFFICE


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}]
)
def test_denied_without_a_valid_token(client: TestClient, headers: dict[str, str]) -> None:
    assert error_code(client.get(person_url(), headers=headers), 401) == "unauthorized"


# --- citizens ------------------------------------------------------------------------


def test_citizen_login_and_scope(client: TestClient, engine: Engine) -> None:
    headers = accounts.citizen_headers(client, engine, family.CODES["ali"])
    assert error_code(client.get(person_url(), headers=headers), 403) == "missing_scope"
    wrong = client.post(
        "/api/v1/identity/citizens/token",
        json={"national_code": family.CODES["ali"], "password": "nope"},
    )
    assert error_code(wrong, 401) == "bad_credentials"


def test_a_deceased_person_gets_no_account(engine: Engine, db_url: str) -> None:
    family.load(engine)
    result = runner.invoke(
        cli_app, ["identity", "citizens", "add", family.CODES["zahra"], "--db", db_url]
    )
    assert result.exit_code == 2 and "death is registered" in result.stderr


# --- jurisdiction (pure) -------------------------------------------------------------


TEHRAN_PLACE = Place("CR-TEHRAN-1", "2303", "IR-23")
TEHRAN_OTHER_OFFICE = Place("CR-TEHRAN-2", "2303", "IR-23")
KARAJ_PLACE = Place("CR-KARAJ", "3001", "IR-30")
ISFAHAN_PLACE = Place("CR-ISF", "1003", "IR-10")
ABROAD = Place("CONS-A", None, None)


@pytest.mark.parametrize(
    ("jurisdiction", "covered"),
    [
        (Jurisdiction("office", "CR-TEHRAN-1", "2303", "IR-23"), {TEHRAN_PLACE}),
        (
            Jurisdiction("county", "CR-TEHRAN-1", "2303", "IR-23"),
            {TEHRAN_PLACE, TEHRAN_OTHER_OFFICE},
        ),
        (
            Jurisdiction("province", "CR-TEHRAN-1", "2303", "IR-23"),
            {TEHRAN_PLACE, TEHRAN_OTHER_OFFICE},
        ),
        (Jurisdiction("consulate", "CONS-A"), {ABROAD}),
        (
            Jurisdiction("nation"),
            {TEHRAN_PLACE, TEHRAN_OTHER_OFFICE, KARAJ_PLACE, ISFAHAN_PLACE, ABROAD},
        ),
    ],
)
def test_jurisdiction_covers_exactly_its_places(
    jurisdiction: Jurisdiction, covered: set[Place]
) -> None:
    places = {TEHRAN_PLACE, TEHRAN_OTHER_OFFICE, KARAJ_PLACE, ISFAHAN_PLACE, ABROAD}
    assert {p for p in places if jurisdiction.covers(p)} == covered
