"""SAHIM in a real browser (Debian's Chromium, driven by Playwright), on a 360 px phone and
on a desktop: the citizen goes from the welcome page through HODA's login and back to the
identity page, which is right to left, in the font the portal serves, no wider than the
screen, reachable by keyboard, and blocked by nothing in its Content-Security-Policy; then
signs out. Screenshots of each size are kept as test artifacts."""

import json
import subprocess
import sys
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
from tests.registration.support import C, staff

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
            _at_hoda(page, tmp_path)
            _looks_right(page)
            assert to_persian(C["ali"]) in page.inner_text("#identity")
            page.screenshot(path=str(ARTIFACTS / f"sahim-identity-{size}.png"), full_page=True)
            page.click("text=خروج")
            page.wait_for_selector("#login")
            assert "#identity" not in page.content()
            context.close()
            assert blocked == [], blocked


NAV = ["خانوادهٔ من", "اسناد من", "نوزادان و فرزندان", "وراثت", "چه کسی اطلاعاتم را دید",
       "دستگاه‌ها و شناسهٔ مجازی", "امنیت", "درخواست‌ها"]  # fmt: skip


def test_every_page_reads_well_and_works_by_hand_on_a_phone_and_a_desktop(
    chromium: Browser, client: TestClient, engine: Engine, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The walk a citizen takes: each page of the menu, a document issued, downloaded and
    verified, a method locked and unlocked, the access log after a staff lookup."""
    if db_url.startswith("postgresql"):
        pytest.skip("the pages do not depend on the database; once is enough")
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    enrol(client, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(db_url, tmp_path) as base:
        for size, viewport in SIZES.items():
            context = chromium.new_context(viewport=viewport, locale="fa-IR",  # type: ignore[arg-type]
                                           is_mobile=size == "phone", accept_downloads=True)  # fmt: skip
            page = context.new_page()
            blocked = _csp_violations(page)
            _sign_in(page, base, tmp_path)
            for label in NAV:
                page.click(f"nav.pages >> text={label}")
                page.wait_for_selector(f'nav.pages a[aria-current="page"]:has-text("{label}")')
                _looks_right(page)
                name = page.url.rsplit("/", 1)[-1]
                page.screenshot(path=str(ARTIFACTS / f"sahim-{name}-{size}.png"), full_page=True)
            if size == "phone":
                _issue_download_and_verify(page, db_url, tmp_path)
                _lock_and_unlock(page)
                _make_a_virtual_id(page)
                _see_a_staff_lookup(page, client, engine)
            context.close()
            assert blocked == [], blocked


def _sign_in(page: Page, base: str, home: Path) -> None:
    page.goto(f"{base}/sahim/login")
    _at_hoda(page, home)


def _at_hoda(page: Page, home: Path) -> None:
    """HODA's login pages: password, then the code from the outbox; back at the portal."""
    page.fill("#national_code", to_persian(C["ali"]))
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#otp")
    page.fill("#otp", to_persian(last_code(home, ALI_MOBILE)))
    page.click("form:first-of-type button[type=submit]")
    page.wait_for_selector("#identity")


def _issue_download_and_verify(page: Page, db_url: str, tmp_path: Path) -> None:
    page.click("nav.pages >> text=اسناد من")
    page.select_option("#offer", f"booklet/{C['ali']}/")
    page.click("#issue button[type=submit]")
    page.wait_for_selector("#issued")
    with page.expect_download() as download:
        page.click("text=دریافت PDF امضاشده")
    path = tmp_path / "downloaded.pdf"
    download.value.save_as(path)
    # in another process: Playwright's sync API holds this thread's event loop, which the
    # PDF signature's validation (asyncio.run inside pyHanko) cannot share
    sabt = Path(sys.executable).with_name("sabt")
    verified = subprocess.run([str(sabt), "documents", "verify", str(path), "--db", db_url],
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    verdict = json.loads(verified.stdout)
    assert verdict["status"] == "valid" and verdict["pdf_signature"]["intact"], verdict


def _make_a_virtual_id(page: Page) -> None:
    page.click("nav.pages >> text=دستگاه‌ها و شناسهٔ مجازی")
    page.click("#vid-make")
    page.wait_for_selector("#vid")
    assert len(page.inner_text("#vid").replace(" ", "")) == 16
    _looks_right(page)


def _lock_and_unlock(page: Page) -> None:
    page.click("nav.pages >> text=امنیت")
    page.click("#otp-toggle")
    page.wait_for_selector("#done")
    assert "قفل است" in page.inner_text("#methods")
    page.click("#otp-toggle")
    page.wait_for_selector("#done")
    assert "قفل است" not in page.inner_text("#methods")


def _see_a_staff_lookup(page: Page, client: TestClient, engine: Engine) -> None:
    page.click("nav.pages >> text=چه کسی اطلاعاتم را دید")
    assert page.query_selector("#reads") is None
    headers = staff(client, engine, "registrar")
    looked = client.get(f"/api/v1/persons/{C['ali']}", params={"purpose": "پرونده ۷۷"},
                        headers=headers)  # fmt: skip
    assert looked.status_code == 200
    page.reload()
    assert "پرونده ۷۷" in page.inner_text("#reads")


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
