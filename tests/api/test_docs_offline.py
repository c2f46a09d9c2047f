"""The API's documentation works with no internet: /docs (Swagger UI) and /redoc (ReDoc) in
Chromium with every request to another host refused draw the operations from the app's own
files, and the pages ask no other host for anything (scripts, styles, fonts, favicon)."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route

from tests.chromium import chromium  # noqa: F401 (a fixture)
from tests.identity.oidc_support import live_server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("docs")
    with live_server(f"sqlite:///{folder}/sabt.db", folder) as base:
        yield base


@pytest.mark.parametrize(
    ("path", "drawn"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")]
)
def test_the_docs_draw_with_no_other_host(
    chromium: Browser,  # noqa: F811
    site: str,
    path: str,
    drawn: str,
) -> None:
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(site).netloc:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page = chromium.new_page()
    page.route("**/*", only_this_server)
    page.goto(f"{site}{path}")
    page.wait_for_selector(drawn, timeout=20_000)
    assert page.locator(drawn).count() > 10  # the operations, from /openapi.json
    page.close()
    assert elsewhere == []


def test_nothing_points_at_a_cdn(site: str) -> None:
    import httpx2

    for path in ("/docs", "/redoc"):
        html = httpx2.get(f"{site}{path}").text
        assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html
        assert "fastapi.tiangolo.com" not in html
