"""The API tests' client: the family register and the authorisation tests' offices, the
whole app, server errors answered (not raised) so a test sees the status a caller would."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.identity import accounts, offices


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    offices.load(engine)
    with accounts.app_client(db_url, tmp_path) as c:
        yield c
