"""Lockouts that hold under concurrency, on SQLite and PostgreSQL: fifty parallel wrong
staff passwords, citizen passwords or one-time codes against a real server, and exactly the
limit is checked; the rest are refused unseen, none with a server error."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Lock
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.api.app import create_app
from sabt.identity import credentials, hoda
from sabt.kit.settings import Settings
from tests.identity import accounts, offices
from tests.identity.oidc_support import live_server
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, enrol, last_code
from tests.registry import family

PARALLEL = 50
DEFAULTS = Settings(database_url="sqlite://", home=Path("."))
LIMIT = DEFAULTS.login_max_failures


class Counter:
    def __init__(self) -> None:
        self.n, self._lock = 0, Lock()

    def wrap(self, inner: Callable[..., Any], counts: Callable[..., bool]) -> Callable[..., Any]:
        def counted(*args: Any, **kw: Any) -> Any:
            if counts(*args, **kw):
                with self._lock:
                    self.n += 1
            return inner(*args, **kw)

        return counted


@pytest.fixture
def server(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[tuple[str, TestClient]]:
    offices.load(engine)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with (
        TestClient(app, base_url=accounts.BASE_URL) as client,
        live_server(db_url, tmp_path) as base,
    ):
        yield base, client


def in_parallel(base: str, url: str, bodies: list[dict[str, str]]) -> list[int]:
    with httpx2.Client(base_url=base, timeout=120) as http, ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(lambda body: http.post(url, json=body).status_code, bodies))


def checked_passwords(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts the passwords checked against a real account's hash."""
    counter = Counter()
    real = credentials.verify_secret
    monkeypatch.setattr(credentials, "verify_secret",
                        counter.wrap(real, lambda stored, _secret: stored is not None))  # fmt: skip
    return counter


def test_fifty_parallel_wrong_staff_passwords_check_exactly_the_limit(
    server: tuple[str, TestClient], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, client = server
    staff = accounts.add_staff(engine, "registrar", family.OFFICE)
    counter = checked_passwords(monkeypatch)
    wrong = {"username": staff.username, "password": "wrong", "totp": "000000"}
    statuses = in_parallel(base, "/api/v1/identity/staff/token", [wrong] * PARALLEL)
    assert statuses == [401] * PARALLEL
    assert counter.n == LIMIT
    counter.n = 0
    # locked now: even the right password is not checked
    with pytest.raises(AssertionError):
        accounts.login(client, staff)
    assert counter.n == 0


def test_fifty_parallel_wrong_citizen_passwords_check_exactly_the_limit(
    server: tuple[str, TestClient], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, client = server
    accounts.citizen_headers(client, engine, family.CODES["ali"])
    counter = checked_passwords(monkeypatch)
    wrong = {"national_code": family.CODES["ali"], "password": "wrong"}
    statuses = in_parallel(base, "/api/v1/identity/citizens/token", [wrong] * PARALLEL)
    assert statuses == [401] * PARALLEL and counter.n == LIMIT


def test_fifty_parallel_wrong_codes_compare_exactly_the_codes_attempts(
    server: tuple[str, TestClient], engine: Engine, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    base, client = server
    enrol(client, tmp_path)
    started = client.post(
        "/api/v1/hoda/login", json={"national_code": family.CODES["ali"], "password": PASSWORD}
    ).json()
    assert started["status"] == "otp_sent"
    right = last_code(tmp_path, ALI_MOBILE)
    wrong = "000000" if right != "000000" else "111111"
    counter = Counter()
    real = hoda.Hoda._code_matches
    monkeypatch.setattr(hoda.Hoda, "_code_matches", counter.wrap(real, lambda *_: True))
    body = {"challenge": started["challenge"], "otp": wrong}
    statuses = in_parallel(base, "/api/v1/hoda/login/confirm", [body] * PARALLEL)
    assert all(400 <= s < 500 for s in statuses), statuses
    assert counter.n == DEFAULTS.otp_max_attempts
    late = client.post("/api/v1/hoda/login/confirm", json={**body, "otp": right})
    assert 400 <= late.status_code < 500  # the code had its attempts: the right one is too late
