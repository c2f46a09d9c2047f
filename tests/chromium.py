"""Debian's Chromium driven by Playwright for Python (no browser download): the fixture
every test of web pages uses, and where their screenshots go."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]  # fmt: skip
# Screenshots are test artifacts (CI keeps the folder): $SABT_TEST_ARTIFACTS or build/.
ARTIFACTS = Path(os.environ.get("SABT_TEST_ARTIFACTS") or "build/test-artifacts")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is not installed: apt-get install chromium (make deps)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
