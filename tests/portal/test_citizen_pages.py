"""Every page of SAHIM for a signed-in citizen, over HTTP through HODA's real login: the
family, documents issued and downloaded as signed PDFs that verify, a newborn registered
from the hospital's notification, an estate's heirs and shares, the access log growing
after a staff lookup, locking a login method, a correction request with its file. Forms
without the session's CSRF token and another citizen's identifiers change and show
nothing."""

import io
import re
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sabt.documents import keys, service
from sabt.documents.models import Document
from sabt.identity import provider
from sabt.identity.models import Account
from sabt.kit.errors import NotFound
from sabt.persian.digits import to_persian
from sabt.portal import citizen
from sabt.registration.models import Case
from sabt.registry.models import Person
from tests.documents.test_documents import pdf_text, verify
from tests.identity.oidc_support import Browser, add_agency, csrf_of
from tests.portal.conftest import Portal
from tests.registration.support import BIRTHS, DEATHS, C, declare, ledger_size, notice, staff
from tests.registration.test_deaths import death


def post(browser: Browser, page: httpx2.Response, url: str, **fields: str) -> httpx2.Response:
    """A form of `page` sent with its CSRF token (the redirect that follows not followed)."""
    return browser.http.post(url, data={"csrf": csrf_of(page), **fields})


def test_the_family_page_shows_parents_spouses_and_children_as_the_register_holds_them(
    portal: Portal,
) -> None:
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/family")
    assert page.status_code == 200
    parents = page.text.split('id="parents"')[1].split("</ul>")[0]
    assert "حسن محمدی" in parents and "زهرا احمدی" in parents
    assert 'class="person deceased"' in parents and "درگذشت ۱۳۶۸/۱۰/۱۱" in parents
    spouses = page.text.split('id="spouses"')[1].split("</ul>")[0]
    assert "لیلا حسینی" in spouses and "ازدواج دائم از" in spouses and "برقرار" in spouses
    assert "امیر محمدی" in page.text.split('id="children"')[1]
    assert "سارا" not in page.text  # a sister is not in the tree's three generations


def test_a_citizen_issues_and_downloads_a_signed_booklet_that_verifies(
    portal: Portal, db_url: str, tmp_path: Path
) -> None:
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/documents")
    offers = re.findall(r'<option value="([^"]+)">', page.text)
    assert f"booklet/{C['ali']}/" in offers and f"birth/{C['ali']}/" in offers
    assert any(o.startswith(f"marriage/{C['ali']}/") for o in offers)
    issued = post(browser, page, "/sahim/documents", offer=f"booklet/{C['ali']}/")
    assert issued.status_code == 303, issued.text
    listing = browser.http.get(issued.headers["location"])
    number = re.search(r'id="doc-([A-Z]{2}-\d{4}(?:-[0-9A-Z]{4}){3})"', listing.text)
    assert number and 'id="issued"' in listing.text and "معتبر" in listing.text
    assert f"/verify?n={number.group(1)}" in listing.text
    pdf = browser.http.get(f"/sahim/documents/{number.group(1)}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "booklet.pdf"
    path.write_bytes(pdf.content)
    assert "شناسنامهٔ الکترونیک" in pdf_text(str(path)) and "امیر محمدی" in pdf_text(str(path))
    status, verdict = verify(db_url, str(path))  # the QR read back from the page, then checked
    assert status == 0 and verdict["status"] == "valid", verdict
    assert verdict["pdf_signature"]["intact"] is True  # type: ignore[index]
    with Session(portal.engine) as s:
        document = s.get(Document, number.group(1))
        assert document is not None and document.issued_by == f"citizen:{C['ali']}"
    mine = browser.http.get("/sahim/requests")
    assert f'id="doc-{number.group(1)}"' in mine.text  # listed among what I asked for


def test_a_newborn_notified_by_the_hospital_appears_with_its_documents(
    portal: Portal, client: TestClient, hospital: dict[str, str]
) -> None:
    case = client.post(BIRTHS, json=notice(), headers=hospital).json()
    baby = declare(client, portal.engine, case["case_id"], C["wife_ali"]).json()["national_code"]
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/children")
    assert "آوا محمدی" in page.text and to_persian(baby) in page.text
    assert "بی‌مراجعه" in page.text  # registered from the hospital's notification
    birth = post(browser, page, "/sahim/documents", offer=f"birth/{baby}/")
    assert birth.status_code == 303
    listing = browser.http.get(birth.headers["location"]).text
    number = re.search(r'id="doc-(BC-\d{4}(?:-[0-9A-Z]{4}){3})"', listing)
    assert number
    pdf = browser.http.get(f"/sahim/documents/{number.group(1)}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_an_estate_shows_the_heirs_and_shares_the_register_gives(portal: Portal) -> None:
    browser, _ = portal.signed_in()
    estates = browser.http.get("/sahim/inheritance")
    assert f'href="/sahim/inheritance/{C["zahra"]}"' in estates.text
    page = browser.http.get(f"/sahim/inheritance/{C['zahra']}")
    assert page.status_code == 200
    heirs = page.text.split('class="stack heirs"')[1].split("</table>")[0]
    # the husband a quarter (Art. 913), the rest to the son and daughter two to one (Art. 907)
    for name, share in (("حسن محمدی", "۱/۴"), ("علی محمدی", "۱/۲"), ("سارا محمدی", "۱/۴")):
        assert re.search(f"{name}.*?{share}", heirs, re.S), (name, heirs)
    assert "هنوز گواهی صادر نشده است" in page.text
    assert 'id="gaps"' in page.text and "مادر" in page.text  # her own parents are not linked


def test_the_access_log_grows_after_a_staff_lookup_and_pages_newest_first(
    portal: Portal, client: TestClient
) -> None:
    browser, _ = portal.signed_in()
    assert "تاکنون کسی پروندهٔ شما را نخوانده است" in browser.http.get("/sahim/access").text
    registrar = staff(client, portal.engine, "registrar")
    for n in range(23):
        read = client.get(f"/api/v1/persons/{C['ali']}", params={"purpose": f"بررسی {n}"},
                          headers=registrar)  # fmt: skip
        assert read.status_code == 200
    first = browser.http.get("/sahim/access")
    reads = first.text.split('id="reads"')[1].split("</table>")[0]
    assert reads.count("<tr>") == 21  # the header and a page of 20
    assert "بررسی 22" in reads and "بررسی 2<" not in reads  # newest first
    assert "کارشناس ثبت احوال" in reads and "ثبت احوال تهران" in reads  # role, office
    assert "staff:" not in reads and "registrar-" not in reads and "CR-TEHRAN" not in reads
    assert "صفحهٔ ۱ از ۲" in first.text
    second = browser.http.get("/sahim/access?reads=2&logins=1")
    assert "بررسی 0" in second.text and "بررسی 22" not in second.text
    logins = first.text.split('id="logins"')[1]
    assert "موفق" in logins and "کد پیامکی" in logins  # the HODA sign-in just made
    assert browser.http.get("/sahim/access?reads=x&logins=-1").status_code == 200
    past = browser.http.get("/sahim/access?reads=9").text  # past the end: the last page
    assert "صفحهٔ ۲ از ۲" in past and "بررسی 0" in past


def test_a_method_is_locked_and_unlocked_only_with_the_session_s_token(portal: Portal) -> None:
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/security")
    forged = browser.http.post(
        "/sahim/security/methods", data={"csrf": "x" * 64, "method": "otp", "action": "lock"}
    )
    assert forged.status_code == 403 and 'id="message"' in forged.text
    assert not _account(portal).otp_locked
    locked = post(browser, page, "/sahim/security/methods", method="otp", action="lock")
    assert locked.status_code == 303 and _account(portal).otp_locked
    assert "قفل است" in browser.http.get("/sahim/security").text
    bad = post(browser, page, "/sahim/security/methods", method="fingerprint", action="lock")
    assert bad.status_code == 422 and "روش ناشناخته" in bad.text
    post(browser, page, "/sahim/security/methods", method="otp", action="unlock")
    assert not _account(portal).otp_locked


def test_a_consent_given_to_an_agency_is_withdrawn_from_the_security_page(
    portal: Portal,
) -> None:
    add_agency(portal.engine, "bank-melli", "https://bank.example/cb", name="بانک ملی")
    with Session(portal.engine) as s, s.begin():
        account = s.scalars(select(Account).where(Account.national_code == C["ali"])).one()
        provider.grant_consent(s, account, "bank-melli", frozenset({"openid", "profile"}), 90)
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/security")
    assert "بانک ملی" in page.text and 'id="no-consents"' not in page.text
    consent = re.search(r'name="consent" value="(\d+)"', page.text)
    assert consent
    done = post(browser, page, "/sahim/security/consents", consent=consent.group(1))
    assert done.status_code == 303
    after = browser.http.get(done.headers["location"]).text
    assert 'id="done"' in after and 'id="no-consents"' in after
    again = post(browser, page, "/sahim/security/consents", consent=consent.group(1))
    assert again.status_code == 404  # withdrawn once; nothing left to withdraw


def test_an_heir_reaches_the_issued_inheritance_certificate_and_a_stranger_does_not(
    client: TestClient, engine: Engine, hospital: dict[str, str], tmp_path: Path
) -> None:
    died = client.post(DEATHS, json=death(), headers=hospital)  # Ali dies, from the hospital
    assert died.json()["status"] == "registered", died.text
    with Session(engine) as s, s.begin():
        number = service.issue(s, keys.load(tmp_path), "inheritance", C["ali"], "test")
        certificate = number.document.number
    with Session(engine) as s:
        widow, stranger = s.get_one(Person, C["wife_ali"]), s.get_one(Person, C["karim"])
        estate = citizen.estate_of(s, widow, C["ali"])
        assert [d.number for d in estate.certificates] == [certificate]
        assert citizen.document_of(s, widow, certificate).kind == "inheritance"
        with pytest.raises(NotFound):
            citizen.estate_of(s, stranger, C["ali"])
        with pytest.raises(NotFound):
            citizen.document_of(s, stranger, certificate)


def _account(portal: Portal) -> Account:
    with Session(portal.engine) as s:
        account = s.scalars(select(Account).where(Account.national_code == C["ali"])).one()
    return account


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_correction_request_with_its_file_enters_the_queue_and_is_listed(
    portal: Portal, client: TestClient
) -> None:
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/requests")
    form = {"csrf": csrf_of(page), "field": "father_name", "new_value": "حسین",
            "reason": "نام پدرم در شناسنامهٔ کاغذی حسین است"}  # fmt: skip
    before = ledger_size(portal.engine)
    refused = browser.http.post(
        "/sahim/requests", data=form, files={"attachment": ("a.jpg", b"not a photo", "image/jpeg")}
    )
    assert refused.status_code == 422 and "PDF یا عکس JPEG" in refused.text
    assert ledger_size(portal.engine) == before
    filed = browser.http.post(
        "/sahim/requests", data=form, files={"attachment": ("a.jpg", _jpeg(), "image/jpeg")}
    )
    assert filed.status_code == 303, filed.text
    listing = browser.http.get(filed.headers["location"]).text
    assert 'id="filed"' in listing and "اصلاح نام پدر" in listing
    assert "در انتظار بررسی کارشناس" in listing
    queue = client.get("/api/v1/queue", params={"kind": "correction"},
                       headers=staff(client, portal.engine, "registrar")).json()  # fmt: skip
    assert [c["subject"] for c in queue["items"]] == [C["ali"]]


def test_another_citizen_s_identifiers_reach_nothing(portal: Portal, tmp_path: Path) -> None:
    with Session(portal.engine) as s, s.begin():  # Sara's own documents, issued at an office
        signing = keys.load(portal.home)
        saras = service.issue(s, signing, "booklet", C["sara"], "test").document.number
        karims = service.issue(s, signing, "marriage", C["karim"], "test").document.number
    browser, _ = portal.signed_in()
    page = browser.http.get("/sahim/documents")
    before = ledger_size(portal.engine)
    for number in (saras, karims, "EB-1404-999999", "EB-1404-000001'--"):
        got = browser.http.get(f"/sahim/documents/{number}.pdf")
        assert got.status_code == 404 and "پیدا نشد" in got.text, number
    for offer in (f"booklet/{C['sara']}/", f"birth/{C['amir']}/", f"marriage/{C['karim']}/3",
                  f"marriage/{C['ali']}/3", "inheritance/" + C["zahra"] + "/", "x", ""):  # fmt: skip
        sent = post(browser, page, "/sahim/documents", offer=offer)
        assert sent.status_code == 404, (offer, sent.text)
    for code in (C["sara"], C["karim"], "0000000000", "<script>"):
        assert browser.http.get(f"/sahim/inheritance/{code}").status_code == 404
    withdrawn = post(browser, browser.http.get("/sahim/security"), "/sahim/security/consents",
                     consent="1")  # fmt: skip
    assert withdrawn.status_code == 404
    assert ledger_size(portal.engine) == before
    with Session(portal.engine) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
    said = browser.http.get(f"/sahim/documents?issued={saras}").text  # a crafted link
    assert 'id="issued"' not in said and saras not in said
    assert 'id="filed"' not in browser.http.get("/sahim/requests?filed=1").text
    for path in ("/sahim/family", "/sahim/documents", "/sahim/requests", "/sahim/access"):
        text = browser.http.get(path).text
        assert to_persian(C["sara"]) not in text and saras not in text, path


@pytest.mark.parametrize(
    "path", ["/sahim/family", "/sahim/documents", "/sahim/children", "/sahim/inheritance",
             "/sahim/access", "/sahim/security", "/sahim/requests", "/sahim/documents/X.pdf"],
)  # fmt: skip
def test_without_a_session_every_page_sends_to_the_welcome_page(portal: Portal, path: str) -> None:
    answer = httpx2.get(f"{portal.base}{path}", cookies={"sahim_sid": "forged"})
    assert answer.status_code == 303 and answer.headers["location"] == "/sahim/"


def test_a_form_sent_after_the_session_ended_changes_nothing(portal: Portal) -> None:
    browser, page = portal.signed_in()
    security = browser.http.get("/sahim/security")
    browser.http.post("/sahim/logout", data={"csrf": csrf_of(page)})
    late = post(browser, security, "/sahim/security/methods", method="otp", action="lock")
    assert late.status_code == 303 and late.headers["location"] == "/sahim/"
    assert not _account(portal).otp_locked
