"""The API tests' client: the family register and the authorisation tests' offices, the
whole app, server errors answered (not raised) so a test sees the status a caller would."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.api.app import create_app
from sabt.kit.settings import Settings
from tests.identity import accounts, offices


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    offices.load(engine)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, base_url=accounts.BASE_URL, raise_server_exceptions=False) as c:
        yield c
