"""A SAHIM session already open stops at once when its citizen may no longer act: their
death registered, their identity on the hotlist, or their account disabled. Every page and
every form of the portal (found from the app's routes) then sends the browser back to the
welcome page and writes nothing; HODA's own browser session stops the same way."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.identity import account_state, hoda
from sabt.identity.oidc_endpoints import SID_COOKIE
from sabt.portal import endpoints as portal_endpoints
from tests.identity.oidc_support import csrf_of
from tests.portal.conftest import Portal
from tests.registration.support import DEATHS, C, ledger_size
from tests.registration.test_deaths import death

OPEN = {"/sahim", "/sahim/", "/sahim/login", "/sahim/callback", "/sahim/static/{name}"}
FILL = {"{number}": "XX-1404-000001", "{code}": C["ali"]}


def portal_routes() -> list[tuple[str, str]]:
    """(method, path) of every page and form that needs a signed-in citizen."""
    found = []
    for route in portal_endpoints.router.routes:
        path = str(getattr(route, "path", ""))
        if path in OPEN:
            continue
        for hole, value in FILL.items():
            path = path.replace(hole, value)
        found += [(m, path) for m in sorted(getattr(route, "methods", ())) if m in {"GET", "POST"}]
    return found


def _death(client: TestClient, hospital: dict[str, str], engine: Engine) -> None:
    assert client.post(DEATHS, json=death(), headers=hospital).status_code == 201


def _hotlist(client: TestClient, hospital: dict[str, str], engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        hoda.hotlist_add(s, C["ali"], "گزارش سرقت هویت", actor="operator:test")


def _disable(client: TestClient, hospital: dict[str, str], engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        account_state.set_disabled(s, "citizen", C["ali"], True, "درخواست شهروند", "operator:test")


Stop = Callable[[TestClient, dict[str, str], Engine], None]


@pytest.mark.parametrize("stop", [_death, _hotlist, _disable], ids=["death", "hotlist", "disabled"])
def test_an_open_session_stops_on_every_page_and_form(
    portal: Portal, client: TestClient, hospital: dict[str, str], stop: Stop
) -> None:
    routes = portal_routes()
    assert ("POST", "/sahim/documents") in routes and ("GET", "/sahim/family") in routes
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/documents")
    assert page.status_code == 200
    csrf = csrf_of(page)
    hoda_sid = browser.http.cookies.get(SID_COOKIE)
    stop(client, hospital, portal.engine)
    size = ledger_size(portal.engine)
    for method, path in routes:
        if method == "GET":
            answer = browser.http.get(path)
        else:
            answer = browser.http.post(path, data={"csrf": csrf, "offer": f"booklet/{C['ali']}/"})
        assert answer.status_code == 303, (method, path, answer.status_code)
        assert answer.headers["location"].rstrip("/").endswith("/sahim"), (method, path)
    assert ledger_size(portal.engine) == size  # no document issued, nothing filed
    if hoda_sid:  # HODA's own sign-in in this browser is no longer good either
        again = browser.http.get("/sahim/login")
        authorize = browser.http.get(again.headers["location"])
        assert authorize.status_code != 302 or "code=" not in authorize.headers.get("location", "")
