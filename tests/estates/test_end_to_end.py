"""End to end, over HTTP: Amir's death comes from the hospital API; twenty days on, the
worker issues the certificate unasked; his father finds it in SAHIM and it verifies from its
QR; he objects that Amir's daughter is missing, with a document; a stranger, a too-large or
non-PDF/JPEG file and a late objection are refused with nothing stored; the province's board
corrects the register (a second, senior registrar approves), which reissues the certificate
with her: the old one is revoked with a pointer to the new one, the objection is upheld, and
the decision can be objected to once more, before the national administration."""

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents.models import Document
from sabt.estates import objections
from sabt.estates.models import Estate, Objection
from sabt.kit.errors import SabtError
from sabt.portal import citizen
from sabt.registry import queries
from tests.documents.test_documents import verify
from tests.estates.support import MINA, import_mina, on_day, outbox, register_death, run_worker
from tests.identity.oidc_support import csrf_of
from tests.portal.conftest import Portal, portal
from tests.registration.support import C, ledger_size, staff

__all__ = ["portal"]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, "JPEG")
    return out.getvalue()


def _certificate(engine: Engine) -> Document:
    with Session(engine) as s:
        return s.scalars(select(Document).where(Document.kind == "inheritance",
                                                Document.subject == C["amir"],
                                                Document.status == "valid")).one()  # fmt: skip


def test_death_to_certificate_to_objection_to_board_to_reissue(
    portal: Portal, client: TestClient, engine: Engine, db_url: str, hospital: dict[str, str],
    tmp_path: Path, kin: None,
) -> None:  # fmt: skip
    import_mina(engine)
    register_death(client, hospital, "amir", "D-9")
    on_day(20.1)
    assert run_worker(db_url, engine, portal.home).issued == 1
    first = _certificate(engine)
    told = {m["to"] for m in outbox(portal.home) if first.number in m["text"]}
    assert {"09121234567", "09120000001"} <= told  # Ali and Leila, his parents

    # Ali finds it in SAHIM, downloads it, and it verifies from its QR
    browser, _ = portal.signed_in()
    estate_page = browser.http.get(f"/sahim/inheritance/{C['amir']}")
    assert first.number in estate_page.text and 'id="object-link"' in estate_page.text
    pdf = browser.http.get(f"/sahim/documents/{first.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "first.pdf").write_bytes(pdf.content)
    status, verdict = verify(db_url, str(tmp_path / "first.pdf"))
    assert status == 0 and verdict["status"] == "valid"
    with Session(engine) as s:  # every heir's SAHIM lists it (Leila is not enrolled: the rule)
        widow = queries.get_person(s, C["wife_ali"])
        assert first.number in {d.number for d in citizen.documents_of(s, widow)}

    # bad objections: nothing stored
    page = browser.http.get(f"/sahim/objections?deceased={C['amir']}")
    form = {"csrf": csrf_of(page), "deceased": C["amir"], "grounds": "missing_heir",
            "named": MINA, "text": "دختر امیر، مینا، در گواهی نیامده است"}  # fmt: skip
    before = ledger_size(engine)
    for name, content, kind in (("a.txt", b"hello", "text/plain"),
                                ("big.pdf", b"%PDF-1.4" + b"0" * (5 * 1024 * 1024), "application/pdf")):  # fmt: skip
        refused = browser.http.post("/sahim/objections", data=form,
                                    files={"attachments": (name, content, kind)})  # fmt: skip
        assert refused.status_code == 422, refused.text
        assert "PDF" in refused.text or "۵ مگابایت" in refused.text
    assert ledger_size(engine) == before

    filed = browser.http.post("/sahim/objections", data=form,
                              files={"attachments": ("birth.jpg", _jpeg(), "image/jpeg")})  # fmt: skip
    assert filed.status_code == 303, filed.text
    listing = browser.http.get(filed.headers["location"]).text
    assert 'id="filed"' in listing and "در انتظار رسیدگی هیأت" in listing
    with Session(engine) as s:
        objection = s.scalars(select(Objection).where(Objection.filed_by == C["ali"])).one()
        stranger = queries.get_person(s, C["karim"])  # Sara's husband: no kin of Amir
    try:  # a stranger cannot object, even to shares
        with Session(engine) as s, s.begin():
            objections.file(s, stranger, C["amir"], "share", "سهم پدر بیشتر است از این",
                            files=[_jpeg()])  # fmt: skip
        raise AssertionError("a stranger filed an objection")
    except SabtError as exc:
        assert exc.code == "not_party" and "وراث" in exc.message_fa
    assert ledger_size(engine) == before + 1
    with Session(engine) as s, s.begin():  # ... but may say he is a missing heir, with a document
        claim = objections.file(s, stranger, C["amir"], "missing_heir", "من پسر امیر هستم و ثبت نشده‌ام",
                                claimed_relation="son", files=[_jpeg()])  # fmt: skip
        assert claim.level == 1 and claim.claimed_relation == "son"

    # the province's board sees it with the register and the derivation, and corrects
    board = staff(client, engine, "dispute_board")
    seen = client.get(f"/api/v1/estates/objections/{objection.id}", headers=board).json()
    assert seen["objection"]["named"] == MINA and seen["derivation"]["result"]["status"] == "final"
    digest = seen["objection"]["attachments"][0]["sha256"]
    attached = client.get(f"/api/v1/estates/objections/{objection.id}/attachments/{digest}",
                          headers=board)  # fmt: skip
    assert attached.status_code == 200 and attached.content == _jpeg()
    decided = client.post(f"/api/v1/estates/objections/{objection.id}/decision", headers=board,
                          json={"decision": "correct", "note": "شناسنامهٔ مینا پدرش را امیر نشان می‌دهد",
                                "corrections": [{"national_code": MINA, "field": "father_code",
                                                 "new_value": C["amir"]}]})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == "correcting", decided.text
    [case] = decided.json()["decision"]["corrections"]
    assert _certificate(engine).number == first.number  # nothing changes before the approval
    approver = staff(client, engine, "senior_registrar")
    approved = client.post(f"/api/v1/queue/{case}/approve", json={"note": "دیده شد"},
                           headers=approver)  # fmt: skip
    assert approved.status_code == 200, approved.text

    second = _certificate(engine)
    assert second.number != first.number and MINA in second.subjects.split()
    status, verdict = verify(db_url, str(tmp_path / "first.pdf"))
    assert status == 1 and verdict["status"] == "revoked"
    assert second.number in str(verdict["message_en"])
    with Session(engine) as s:
        upheld = s.get_one(Objection, objection.id)
        estate = s.get_one(Estate, C["amir"])
        assert upheld.status == "upheld" and estate.certificate == second.number
        assert upheld.appeal_until is not None and estate.objection_until is not None
    assert run_worker(db_url, engine, portal.home).sent >= 3  # heirs, Mina's mother, Ali again
    assert any(second.number in m["text"] and "اصلاح" in m["text"] for m in outbox(portal.home))
    listing = browser.http.get("/sahim/objections").text
    assert "گواهی اصلاح و دوباره صادر شد" in listing and second.number in listing
    assert re.search(r'href="/sahim/objections\?appeal_of=\d+"', listing)

    # a second-level objection to the decision goes to the national administration only
    page = browser.http.get(f"/sahim/objections?appeal_of={objection.id}")
    appeal = browser.http.post("/sahim/objections", data={
        "csrf": csrf_of(page), "deceased": C["amir"], "grounds": "share",
        "appeal_of": str(objection.id), "text": "سهم مینا درست حساب نشده است"})  # fmt: skip
    assert appeal.status_code == 303, appeal.text
    with Session(engine) as s:
        level2 = s.scalars(select(Objection).where(Objection.level == 2)).one()
    no = client.post(f"/api/v1/estates/objections/{level2.id}/decision", headers=board,
                     json={"decision": "reject", "note": "سهام طبق قانون مدنی است"})  # fmt: skip
    assert no.status_code == 403
    nation = staff(client, engine, "national_admin")
    yes = client.post(f"/api/v1/estates/objections/{level2.id}/decision", headers=nation,
                      json={"decision": "reject", "note": "سهام طبق قانون مدنی است"})  # fmt: skip
    assert yes.status_code == 200 and yes.json()["status"] == "rejected"
    assert yes.json()["appeal_until"] is None  # no third level

    # after the window, filing is refused with the day it closed
    on_day(60)
    with Session(engine) as s:
        ali = queries.get_person(s, C["ali"])
    try:
        with Session(engine) as s, s.begin():
            objections.file(s, ali, C["amir"], "share", "سهم مادر درست نیست اصلا", files=[])
        raise AssertionError("a late objection was filed")
    except SabtError as exc:
        assert exc.code == "window_closed" and "۱۴۰۴" in exc.message_fa
