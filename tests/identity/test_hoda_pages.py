"""HODA's login pages in a real browser (Debian's Chromium, driven by Playwright) on a
phone-sized screen: right to left, nothing wider than the screen, the style allowed by the
page's Content-Security-Policy and nothing blocked by it; a citizen types the national
code in Persian digits, the password, the code from the SMS, consents, and the browser
lands at the agency with a code and its state."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route
from sqlalchemy import Engine

from sabt.persian.digits import to_persian
from tests.chromium import chromium
from tests.identity.oidc_support import add_agency, live_server
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, enrol, last_code
from tests.registration.conftest import client
from tests.registration.support import C

__all__ = ["chromium", "client"]
AGENCY = "http://127.0.0.1:9"  # answered by the test itself, inside the browser


def test_a_citizen_signs_in_to_an_agency_on_a_phone(
    chromium: Browser, client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    if db_url.startswith("postgresql"):
        pytest.skip("the pages do not depend on the database; once is enough")
    enrol(client, tmp_path)
    client_id, _ = add_agency(engine, "bank-saderat", f"{AGENCY}/cb", name="بانک صادرات")
    with live_server(db_url, tmp_path) as base:
        context = chromium.new_context(viewport={"width": 360, "height": 740},
                                       locale="fa-IR", is_mobile=True)  # fmt: skip
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text
                else None)  # fmt: skip
        page.route(f"{AGENCY}/**", _agency_page)
        page.goto(f"{base}/oidc/authorize?response_type=code&client_id={client_id}"
                  f"&redirect_uri={AGENCY}/cb&scope=openid+profile&state=xyz&nonce=n-1")  # fmt: skip
        _looks_right(page)
        assert page.get_by_text("بانک صادرات").is_visible()
        page.fill("#national_code", to_persian(C["ali"]))
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#otp")
        _looks_right(page)
        assert "۲ دقیقه" in page.inner_text("main")
        page.fill("#otp", to_persian(last_code(tmp_path, ALI_MOBILE)))
        page.click("form:first-of-type button[type=submit]")
        page.wait_for_selector("#scopes")
        _looks_right(page)
        assert "نام، نام خانوادگی" in page.inner_text("#scopes")
        page.click("button[value=allow]")
        page.wait_for_url(f"{AGENCY}/**")
        back = parse_qs(urlsplit(page.url).query)
        assert back["state"] == ["xyz"] and len(back["code"][0]) > 30
        context.close()
    assert blocked == []


def _agency_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<p>agency</p>")


def _looks_right(page: Page) -> None:
    """Right to left, styled (the CSP let the style in), nothing wider than the phone."""
    assert page.evaluate("document.documentElement.dir") == "rtl"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] if page.viewport_size else True
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 247)"  # the page's own style applied
    font = page.evaluate("getComputedStyle(document.querySelector('button')).fontFamily")
    assert "Vazirmatn" in font  # form controls inherit the page font
