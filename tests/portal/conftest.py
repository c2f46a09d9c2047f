"""The portal's fixtures: the family register and API (the registration tests'), Ali
enrolled at HODA, and the whole app on a real socket, so SAHIM and HODA talk over HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.identity.oidc_support import Browser, live_server
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, enrol
from tests.registration.conftest import client, hospital
from tests.registration.support import C

__all__ = ["client", "hospital"]


@dataclass
class Portal:
    base: str
    home: Path
    engine: Engine

    def signed_in(self) -> tuple[Browser, httpx2.Response]:
        """Ali, signed in through HODA's pages: the browser and the page it lands on."""
        browser = Browser(self.base, self.home)
        page = browser.sign_in("/sahim/login", C["ali"], PASSWORD, ALI_MOBILE, consent=None)
        return browser, page


@pytest.fixture
def portal(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Portal]:  # fmt: skip
    # the CLI's `documents verify` reads the same instance's keys as the server
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    enrol(client, tmp_path)
    with live_server(db_url, tmp_path) as base:
        yield Portal(base, tmp_path, engine)
