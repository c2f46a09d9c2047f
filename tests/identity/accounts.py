"""Accounts and tokens for tests: real accounts in the test database, real logins over HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.api.app import create_app
from sabt.identity import credentials
from sabt.identity import service as identity
from sabt.kit import clock
from sabt.kit.settings import Settings

BASE_URL = "https://testserver"  # OAuth2 refuses plain HTTP off the loopback
_counter = iter(range(1, 1_000_000))


@contextmanager
def app_client(db_url: str, home: Path) -> Iterator[TestClient]:
    """The whole app over a test client, server errors answered (not raised), so a test
    sees the status a caller would."""
    app = create_app(Settings(database_url=db_url, home=home))
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield client


def totp_secret(staff: identity.NewStaff) -> str:
    return parse_qs(urlparse(staff.totp_uri).query)["secret"][0]


def add_staff(engine: Engine, role: str, office: str) -> identity.NewStaff:
    with Session(engine) as session, session.begin():
        return identity.add_staff(
            session, f"{role.replace('_', '-')}-{next(_counter)}", role, office, "test"
        )


def login(client: TestClient, staff: identity.NewStaff) -> dict[str, str]:
    code = credentials.totp_code(totp_secret(staff), clock.now())
    response = client.post(
        "/api/v1/identity/staff/token",
        json={"username": staff.username, "password": staff.password, "totp": code},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def staff_headers(client: TestClient, engine: Engine, role: str, office: str) -> dict[str, str]:
    return login(client, add_staff(engine, role, office))


def add_client(engine: Engine, kind: str, office: str) -> tuple[str, str]:
    with Session(engine) as session, session.begin():
        return identity.add_client(session, kind, office, "test")


def client_headers(client: TestClient, engine: Engine, kind: str, office: str) -> dict[str, str]:
    client_id, secret = add_client(engine, kind, office)
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


_citizen_passwords: dict[tuple[str, str], str] = {}


def citizen_headers(client: TestClient, engine: Engine, national_code: str) -> dict[str, str]:
    """A fresh token for a citizen (the account is made on first use)."""
    key = (str(engine.url), national_code)
    if key not in _citizen_passwords:
        with Session(engine) as session, session.begin():
            _citizen_passwords[key] = identity.add_citizen(session, national_code, "test")
    password = _citizen_passwords[key]
    response = client.post(
        "/api/v1/identity/citizens/token",
        json={"national_code": national_code, "password": password},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
