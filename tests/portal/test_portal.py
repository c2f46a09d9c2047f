"""SAHIM, the citizen portal, signed in to through HODA for real (the portal is HODA's
relying party on a real socket): the citizen's identity page from the register, the
session's cookie and CSRF, logout through HODA, and every way a login can go wrong."""

from datetime import timedelta

import httpx2
import pytest
from sqlalchemy.orm import Session

from sabt.persian.digits import to_persian
from sabt.persian.jalali import format_fa
from sabt.portal import hoda_client
from sabt.registry.models import Person
from tests.identity.oidc_support import Browser, step
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, at
from tests.portal.conftest import Portal
from tests.registration.support import C


def test_a_citizen_signs_in_through_hoda_and_sees_the_register_s_identity(
    portal: Portal,
) -> None:
    welcome = httpx2.get(f"{portal.base}/sahim/")
    assert welcome.status_code == 200 and 'href="/sahim/login"' in welcome.text
    browser, page = portal.signed_in()
    # first-party: no consent screen; back at the portal, on the identity page
    assert page.status_code == 200 and str(page.url).endswith("/sahim/"), page.text[-500:]
    with Session(portal.engine) as s:
        ali = s.get(Person, C["ali"])
        assert ali is not None and ali.mother_code
        mother = s.get(Person, ali.mother_code)
        assert mother is not None
        facts = page.text
        assert to_persian(C["ali"]) in facts and ali.first_name in facts
        assert format_fa(ali.birth_date) in facts
        assert f"{mother.first_name} {mother.last_name}" in facts
    assert C["ali"] not in facts  # Persian digits only
    csp = page.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "nonce-" in csp
    assert browser.http.cookies.get("sahim_sid", path="/sahim")
    assert not browser.http.cookies.get("sahim_login", path="/sahim")


class StopsAtCallback(Browser):
    """A browser whose redirects to the portal's callback the test follows itself."""

    def _ours(self, location: str) -> bool:
        return "/sahim/callback" not in location and super()._ours(location)


def test_the_session_cookie_is_httponly_samesite_and_scoped_to_the_portal(portal: Portal) -> None:
    browser = StopsAtCallback(portal.base, portal.home)
    start = browser.http.get("/sahim/login")
    assert start.status_code == 303
    assert start.headers["location"].startswith(f"{portal.base}/oidc/authorize?")
    assert "code_challenge_method=S256" in start.headers["location"]
    cookie = start.headers["set-cookie"].lower()
    assert "sahim_login=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/sahim" in cookie and "secure" not in cookie  # http://127.0.0.1: no TLS
    page = browser.sign_in(start.headers["location"], C["ali"], PASSWORD, ALI_MOBILE, None)
    assert step(page) == "redirect"  # HODA's redirect to the callback is not followed here
    back = browser.http.get(page.headers["location"])
    assert back.status_code == 303 and back.headers["location"] == "/sahim/"
    session_cookie = [v for k, v in back.headers.multi_items() if k == "set-cookie"]
    assert any("sahim_sid=" in c and "HttpOnly" in c and "SameSite=lax" in c
               for c in session_cookie)  # fmt: skip


def test_logout_needs_the_session_s_csrf_token_and_ends_at_hoda_too(portal: Portal) -> None:
    browser, page = portal.signed_in()
    cookie = browser.http.cookies.get("sahim_sid", path="/sahim")
    forged = browser.http.post("/sahim/logout", data={"csrf": "0" * 64})
    assert forged.status_code == 303
    assert "هویت من" in browser.http.get("/sahim/").text  # still signed in
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    hoda_client._cached.clear()  # HODA's discovery fetched anew, from this very server
    out = browser.http.post("/sahim/logout", data={"csrf": csrf})
    assert out.status_code == 303 and "/oidc/logout?" in out.headers["location"]
    assert "id_token_hint=" in out.headers["location"]
    back = browser.open(out.headers["location"])  # HODA signs out and sends the browser back
    assert back.status_code == 200 and 'href="/sahim/login"' in back.text
    # the old cookie is dead, even when sent again; HODA asks for the password again
    replay = httpx2.get(f"{portal.base}/sahim/", cookies={"sahim_sid": str(cookie)})
    assert 'href="/sahim/login"' in replay.text and "هویت من" not in replay.text
    again = Browser(portal.base, portal.home)
    again.http.cookies = browser.http.cookies
    assert step(again.open("/sahim/login")) == "login"


def test_an_expired_session_shows_the_welcome_page_not_the_data(portal: Portal) -> None:
    browser, page = portal.signed_in()
    assert "هویت من" in page.text
    at(timedelta(minutes=31))  # SABT_PORTAL_SESSION_MINUTES is 30
    later = browser.http.get("/sahim/")
    assert later.status_code == 200 and "هویت من" not in later.text
    assert 'href="/sahim/login"' in later.text


@pytest.mark.parametrize(
    "query",
    ["code=abc&state=forged", "state=&code=abc", "error=access_denied&state=forged", ""],
)
def test_a_forged_or_stray_callback_gets_a_persian_page_and_no_session(
    portal: Portal, query: str
) -> None:
    browser = Browser(portal.base, portal.home)
    browser.http.get("/sahim/login")  # a login started in this browser, with another state
    answer = browser.http.get(f"/sahim/callback?{query}")
    assert answer.status_code == 400 and 'id="message"' in answer.text
    assert "دوباره وارد شوید" in answer.text
    assert not browser.http.cookies.get("sahim_sid", path="/sahim")
    # the started login was used up by the failed callback: its state cannot be tried again
    assert browser.http.get("/sahim/callback?code=abc&state=x").status_code == 400


@pytest.mark.parametrize(
    ("answer_from_hoda", "told"),
    [("error=access_denied", "اجازه ندادید"), ("code=made-up%00code", "نپذیرفت")],
)
def test_a_refusal_at_hoda_or_a_code_it_does_not_know_gets_a_persian_page(
    portal: Portal, answer_from_hoda: str, told: str
) -> None:
    browser = Browser(portal.base, portal.home)
    start = browser.http.get("/sahim/login")
    state = httpx2.URL(start.headers["location"]).params["state"]
    answer = browser.http.get(f"/sahim/callback?{answer_from_hoda}&state={state}")
    assert answer.status_code == 400 and told in answer.text
    assert not browser.http.cookies.get("sahim_sid", path="/sahim")


def test_the_font_is_served_by_the_portal_and_nothing_else_is(portal: Portal) -> None:
    font = httpx2.get(f"{portal.base}/sahim/static/naskh.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    assert font.content[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    for name in ("../../../../etc/passwd", "%2e%2e%2fetc%2fpasswd", "other.ttf"):
        assert httpx2.get(f"{portal.base}/sahim/static/{name}").status_code == 404
