"""Fixtures of the registration tests: a fixed clock, the family register with offices
beside it, the API over HTTPS, a hospital's token."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.api.app import create_app
from sabt.kit import clock
from sabt.kit.settings import Settings
from tests.identity import accounts, offices
from tests.registration.support import NOW


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    previous = clock.set_clock(clock.FixedClock(NOW))
    offices.load(engine)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, base_url=accounts.BASE_URL, raise_server_exceptions=False) as c:
        yield c
    clock.set_clock(previous)


@pytest.fixture
def hospital(client: TestClient, engine: Engine) -> dict[str, str]:
    return accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
