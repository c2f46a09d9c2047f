"""SAHIM in a real browser (Debian's Chromium, driven by Playwright), on a 360 px phone and
on a desktop: the citizen goes from the welcome page through HODA's login and back to the
identity page, which is right to left, in the font the portal serves, no wider than the
screen, reachable by keyboard, and blocked by nothing in its Content-Security-Policy; then
signs out. Screenshots of each size are kept as test artifacts."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from sabt.persian.digits import to_persian
from tests.chromium import ARTIFACTS, chromium
from tests.identity.oidc_support import live_server
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, enrol, last_code
from tests.registration.conftest import client
from tests.registration.support import C

__all__ = ["chromium", "client"]
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def test_a_citizen_signs_in_and_reads_their_identity_on_a_phone_and_a_desktop(
    chromium: Browser, client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    if db_url.startswith("postgresql"):
        pytest.skip("the pages do not depend on the database; once is enough")
    enrol(client, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(db_url, tmp_path) as base:
        for size, viewport in SIZES.items():
            context = chromium.new_context(viewport=viewport, locale="fa-IR",  # type: ignore[arg-type]
                                           is_mobile=size == "phone")  # fmt: skip
            page = context.new_page()
            blocked = _csp_violations(page)
            page.goto(f"{base}/sahim/")
            _looks_right(page)
            page.keyboard.press("Tab")  # the first stop is the skip link, then the login
            assert page.evaluate("document.activeElement.className") == "skip"
            page.click("#login")
            page.fill("#national_code", to_persian(C["ali"]))
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("#otp")
            page.fill("#otp", to_persian(last_code(tmp_path, ALI_MOBILE)))
            page.click("form:first-of-type button[type=submit]")
            page.wait_for_selector("#identity")
            _looks_right(page)
            assert to_persian(C["ali"]) in page.inner_text("#identity")
            page.screenshot(path=str(ARTIFACTS / f"sahim-identity-{size}.png"), full_page=True)
            page.click("text=خروج")
            page.wait_for_selector("#login")
            assert "#identity" not in page.content()
            context.close()
            assert blocked == [], blocked


def _csp_violations(page: Page) -> list[str]:
    """What the browser's console says the page's Content-Security-Policy blocked."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security" in m.text else None)
    return seen


def _looks_right(page: Page) -> None:
    """Right to left, in the portal's own font (loaded from the portal), nothing wider than
    the screen."""
    assert page.evaluate("document.documentElement.dir") == "rtl"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert page.viewport_size and width <= page.viewport_size["width"]
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px SahimNaskh', 'سهیم')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('SahimNaskh') && "
        "f.status === 'loaded').length"
    )
    assert loaded >= 1
