"""SAHIM's agencies page: each agency with what it is granted, why, and how often it named
the citizen; the eKYC lock for all agencies or one (verification still answers); an SMS on
every access; a virtual ID made, used by an agency, replaced and revoked. Forms without the
session's CSRF token change nothing."""

import json
import re
import time
from pathlib import Path

import httpx2
from fastapi.testclient import TestClient

from sabt.identity import sms
from tests.exchange.support import ALI, VERIFY, agency_headers
from tests.identity.oidc_support import Browser, csrf_of
from tests.identity.test_hoda import ALI_MOBILE
from tests.portal.conftest import Portal
from tests.registration.support import C

EKYC = "/api/v1/exchange/ekyc"
CASE = {"national_code": C["ali"], "case_reference": "پرونده ۹۹", "purpose": "رسیدگی"}
VID = re.compile(r'id="vid">([0-9 ]+)<')


def post(browser: Browser, url: str, **fields: str) -> httpx2.Response:
    page = browser.http.get("/sahim/agencies")
    return browser.http.post(url, data={"csrf": csrf_of(page), **fields})


def test_the_citizen_sees_each_agency_and_locks_ekyc(portal: Portal, client: TestClient) -> None:
    police = agency_headers(client, portal.engine, "police", ["ekyc-by-law", "verify"],
                            attributes=["first_name"])  # fmt: skip
    agency_headers(client, portal.engine, "bank", ["verify"])
    browser, _ = portal.signed_in()
    assert client.post(VERIFY, json=ALI, headers=police).json()["match"]
    page = browser.http.get("/sahim/agencies").text
    row = page.split('id="agency-police"')[1].split("</tr>")[0]
    assert "بانک police" in row and "قانون مبارزه با پولشویی" in row and "۱ بار" in row
    assert "هیچ" in page.split('id="agency-bank"')[1].split("</tr>")[0]
    forged = browser.http.post("/sahim/agencies/lock",
                               data={"csrf": "x" * 64, "agency": "police", "action": "lock"})  # fmt: skip
    assert forged.status_code == 403
    assert "attributes" in client.post(EKYC, json=CASE, headers=police).json()
    assert post(browser, "/sahim/agencies/lock", agency="police", action="lock").status_code == 303
    assert client.post(EKYC, json=CASE, headers=police).json()["locked"] is True
    assert client.post(VERIFY, json=ALI, headers=police).json()["match"]  # still answers
    post(browser, "/sahim/agencies/lock", agency="police", action="unlock")
    assert "attributes" in client.post(EKYC, json=CASE, headers=police).json()
    post(browser, "/sahim/agencies/lock", agency="*", action="lock")
    assert "قفل است" in browser.http.get("/sahim/agencies").text
    assert client.post(EKYC, json=CASE, headers=police).json()["locked"] is True
    unknown = post(browser, "/sahim/agencies/lock", agency="no-such", action="lock")
    assert unknown.status_code == 404
    access = browser.http.get("/sahim/access").text.split('id="reads"')[1]
    assert "قفل eKYC شما: مشخصاتی داده نشد" in access and "مشخصات درست بود" in access


def test_an_sms_on_every_access_when_asked(portal: Portal, client: TestClient) -> None:
    bank = agency_headers(client, portal.engine, "bank", ["verify"])
    browser, _ = portal.signed_in()
    outbox = sms.outbox_path(portal.home)
    before = len(outbox.read_text("utf-8").splitlines())
    client.post(VERIFY, json=ALI, headers=bank)  # not asked yet: no text
    post(browser, "/sahim/agencies/notices", action="on")
    assert "روشن" in browser.http.get("/sahim/agencies").text
    client.post(VERIFY, json=ALI, headers=bank)
    texts = _texts_after(outbox, before, 1)
    assert texts == [(ALI_MOBILE, texts[0][1])] and "بانک bank" in texts[0][1]
    post(browser, "/sahim/agencies/notices", action="off")
    client.post(VERIFY, json=ALI, headers=bank)
    time.sleep(0.3)
    assert len(_texts_after(outbox, before, 1)) == 1


def _texts_after(outbox: Path, before: int, want: int) -> list[tuple[str, str]]:
    deadline = time.monotonic() + 5  # the notifier sends on its own thread
    while True:
        lines = outbox.read_text("utf-8").splitlines()[before:]
        sent = [json.loads(line) for line in lines]
        texts = [(m["to"], m["text"]) for m in sent if "سهیم" in m["text"]]
        if len(texts) >= want or time.monotonic() > deadline:
            return texts
        time.sleep(0.05)


def test_a_virtual_id_is_made_used_replaced_and_revoked(portal: Portal, client: TestClient) -> None:
    bank = agency_headers(client, portal.engine, "bank", ["verify"])
    browser, _ = portal.signed_in()
    assert 'id="no-vid"' in browser.http.get("/sahim/agencies").text
    assert post(browser, "/sahim/agencies/vid", action="make").status_code == 303
    first = VID.search(browser.http.get("/sahim/agencies?vid=new").text)
    assert first is not None
    vid = first.group(1).replace(" ", "")
    assert len(vid) == 16 and C["ali"] not in vid
    by_vid = {**{k: v for k, v in ALI.items() if k != "national_code"}, "vid": vid}
    assert client.post(VERIFY, json=by_vid, headers=bank).json()["match"] is True
    post(browser, "/sahim/agencies/vid", action="make")
    replaced = VID.search(browser.http.get("/sahim/agencies").text)
    assert replaced is not None and replaced.group(1).replace(" ", "") != vid
    assert client.post(VERIFY, json=by_vid, headers=bank).json()["match"] is False
    post(browser, "/sahim/agencies/vid", action="revoke")
    assert 'id="no-vid"' in browser.http.get("/sahim/agencies").text
    bad = post(browser, "/sahim/agencies/vid", action="steal")
    assert bad.status_code == 422
