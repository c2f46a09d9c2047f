"""The dashboard in Debian's Chromium: Plotly (served from the Python package) draws the
three charts under the page's nonce-based Content-Security-Policy with no violation, the
province form reloads the page, nothing overflows a phone's width, and no chart's text is
clipped or drawn over other text, on a desktop and on a phone."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sabt.registry.db import make_engine
from sabt.synth.service import build
from tests.chromium import ARTIFACTS, chromium  # noqa: F401 (a fixture)
from tests.identity.oidc_support import live_server

# Every policy violation and script error the page meets, gathered before any script runs.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', e => window.__violations.push('error ' + e.message));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder}/sabt.db"
    build(make_engine(url), 5000, 2, date(2025, 9, 22))
    with live_server(url, folder) as base:
        yield base


def open_page(browser: Browser, url: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.add_init_script(WATCH)
    page.goto(url)
    for chart in ("chart-pyramid", "chart-months", "chart-tfr"):
        page.wait_for_selector(f"#{chart} svg.main-svg", timeout=20_000)
    return page


@pytest.mark.parametrize("width", [1280, 360])
def test_charts_drawn_under_the_policy(chromium: Browser, site: str, width: int) -> None:  # noqa: F811
    page = open_page(chromium, f"{site}/observatory?year=1403", width)
    assert page.evaluate("window.__violations") == []
    assert page.locator("#chart-pyramid .bars path").count() > 10  # a bar per age group and sex
    births = page.locator("tr[data-indicator='births'] td.num").first.inner_text()
    assert births.strip() and births.strip() != "—"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"observatory-{width}.png"), full_page=True)
    page.close()


# Every piece of text each chart drew (tick labels, axis titles, legend) with its box on the
# screen, and the chart's own box.
TEXTS = """
Array.from(document.querySelectorAll('.chart')).map(chart => ({
  id: chart.id,
  box: chart.getBoundingClientRect().toJSON(),
  texts: Array.from(chart.querySelectorAll('svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => ({text: t.textContent, box: t.getBoundingClientRect().toJSON()})),
}))
"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """More than a quarter of the smaller box both across and down: a box is the text's line
    box, and Naskh's is tall (room for stacked marks), so neighbours' boxes may touch or
    graze where their letters are well apart."""
    across = min(a["right"], b["right"]) - max(a["left"], b["left"])
    down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return (across > 0.25 * min(a["width"], b["width"])
            and down > 0.25 * min(a["height"], b["height"]))  # fmt: skip


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5
            and inner["top"] >= outer["top"] - 0.5 and inner["bottom"] <= outer["bottom"] + 0.5)  # fmt: skip


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("province", ["", "IR-23"])
def test_no_chart_text_is_clipped_or_overlapped(
    chromium: Browser,  # noqa: F811
    site: str,
    width: int,
    province: str,
) -> None:
    page = open_page(chromium, f"{site}/observatory?year=1403&province={province}", width)
    charts = page.evaluate(TEXTS)
    assert {c["id"] for c in charts} == {"chart-pyramid", "chart-months", "chart-tfr"}
    for chart in charts:
        texts = chart["texts"]
        assert len(texts) > 8, chart["id"]  # ticks, axis titles and legend were drawn
        for i, one in enumerate(texts):
            assert _inside(one["box"], chart["box"]), (chart["id"], width, one["text"])
            for other in texts[i + 1 :]:
                assert not _overlap(one["box"], other["box"]), (
                    chart["id"], width, one["text"], other["text"],
                )  # fmt: skip
    page.close()


def test_choosing_a_province(chromium: Browser, site: str) -> None:  # noqa: F811
    page = open_page(chromium, f"{site}/observatory?year=1403", 1280)
    page.select_option("#province", "IR-23")
    page.click("form.filters button")
    page.wait_for_url("**province=IR-23**")
    page.wait_for_selector("#chart-pyramid svg.main-svg")
    header = page.locator("#indicators thead th").all_inner_texts()
    assert "تهران" in header and "کل کشور" in header
    assert page.evaluate("window.__violations") == []
    page.close()
