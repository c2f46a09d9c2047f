"""HODA's provider served for real on 127.0.0.1 (uvicorn in a thread), agencies registered
with it, and a scripted browser that goes through the Persian login pages the way a person
does: it follows HODA's own redirects, fills in the forms with their CSRF tokens, reads the
one-time code from the SMS outbox, and stops at the redirect back to the agency."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.api.app import create_app
from sabt.identity import provider
from sabt.kit.settings import Settings
from tests.identity.test_hoda import last_code

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(db_url: str, home: Path) -> Iterator[str]:
    """The API on a real socket; yields its base URL (which is also the issuer)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(Settings(database_url=db_url, home=home, public_url=base))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def add_agency(
    engine: Engine, sector: str, redirect: str, **options: object
) -> tuple[str, str | None]:
    with Session(engine) as s, s.begin():
        new = provider.add_relying_party(
            s, name=options.pop("name", f"سازمان {sector}"), sector=sector,  # type: ignore[arg-type]
            redirect_uris=[redirect], actor="test", **options,  # type: ignore[arg-type]
        )  # fmt: skip
    return new.client_id, new.client_secret


class Browser:
    """A person's browser: its own cookies; HODA's redirects followed, the agency's not."""

    def __init__(self, base: str, home: Path) -> None:
        self.base, self.home = base, home
        self.http = httpx2.Client(base_url=base, follow_redirects=False, timeout=30)

    def open(self, url: str) -> httpx2.Response:
        return self._follow(self.http.get(url))

    def submit(self, page: httpx2.Response, **fields: str) -> httpx2.Response:
        action = ACTION.search(page.text)
        assert action, page.text
        data = {"csrf": csrf_of(page), **fields}
        return self._follow(self.http.post(action.group(1), data=data))

    def _follow(self, response: httpx2.Response) -> httpx2.Response:
        while response.status_code in (302, 303) and self._ours(response.headers["location"]):
            response = self.http.get(response.headers["location"])
        return response

    def _ours(self, location: str) -> bool:
        return location.startswith("/") or location.startswith(self.base + "/")

    def sign_in(self, url: str, code: str, password: str, mobile: str,
                consent: str | None = "allow") -> httpx2.Response:  # fmt: skip
        """The whole login at HODA: password, code from the outbox, consent if asked."""
        page = self.open(url)
        if step(page) == "login":
            page = self.submit(page, action="login", national_code=code, password=password)
        if step(page) == "otp":
            page = self.submit(page, action="otp", otp=last_code(self.home, mobile))
        if step(page) == "consent" and consent:
            page = self.submit(page, action=consent)
        return page


def csrf_of(page: httpx2.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def step(page: httpx2.Response) -> str:
    """Which of HODA's pages this is, or `redirect` (back to the agency), or `other`."""
    if page.status_code in (302, 303):
        return "redirect"
    text = page.text
    for name, marker in (("login", 'value="login"'), ("otp", 'value="otp"'),
                         ("consent", 'value="allow"')):  # fmt: skip
        if marker in text:
            return name
    return "other"


def callback_params(response: httpx2.Response) -> dict[str, str]:
    """The parameters HODA sent back to the agency's redirect URI."""
    assert response.status_code in (302, 303), response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}
