"""The inheritance certificate: from a death registered through the hospital API, its heirs
and shares read from the register, printed, signed, verified from its QR; a reissue revokes
the one before; a correction of an heir revokes it; an estate the register cannot settle is
refused. The old regime's two tables and a provisional reserve, rendered from engine cases."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.documents import estate, qr, render
from sabt.inheritance.case import parse_case
from sabt.inheritance.heirs import Resolution
from sabt.inheritance.law import compute
from sabt.inheritance.service import certificate_tables
from sabt.persian.digits import to_persian
from tests.documents.test_documents import issue, pdf_text, sabt, verify
from tests.registration.support import DEATHS, C, ledger_size, staff
from tests.registration.test_deaths import death


def squeezed(text: str) -> str:
    """The PDF's text without spaces or bidi marks: pdftotext keeps the logical order of
    words but may move a space across a number embedded in Persian text."""
    return re.sub(r"[\s\u200c\u202a-\u202e\u2066-\u2069]", "", text)


@pytest.fixture
def ali_died(client: TestClient, hospital: dict[str, str]) -> None:
    answer = client.post(DEATHS, json=death(), headers=hospital)
    assert answer.status_code == 201 and answer.json()["status"] == "registered", answer.text


def test_the_certificate_states_heirs_shares_and_the_objection_notice(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path, ali_died: None
) -> None:
    issued = issue(db_url, tmp_path, "inheritance", C["ali"])
    text = squeezed(pdf_text(issued["pdf"]))
    # Ali leaves his wife (1/8), his father (1/6) and his son (the rest): 3 + 4 + 17 of 24.
    for word in ["گواهیانحصاروراثت", "لیلاحسینی", "امیرمحمدی", "حسنمحمدی", "همسر",
                 "پسر", "پدر", "به۲۴سهم", "۱/۸", "۱/۶", "۱۷/۲۴", "هیأتحلاختلافثبتاحوال",
                 "۱۰روز", "۱۴۰۴/۰۷/۱۰", "۹۰۱", "۹۴۲"]:  # fmt: skip
        assert word in text, word
    for who in ("ali", "wife_ali", "amir", "hasan"):
        assert to_persian(C[who]) in text
    assert "گواهیموقت" not in text
    status, verdict = verify(db_url, issued["pdf"])
    assert status == 0 and verdict["status"] == "valid", verdict
    heirs = verdict["claims"]["f"]["any"]  # type: ignore[index]
    assert heirs["t"] == 24
    assert set(heirs["h"].split()) == {f"{C['wife_ali']}:3", f"{C['hasan']}:4", f"{C['amir']}:17"}
    assert set(verdict["claims"]["s"]) == {C[w] for w in ("ali", "wife_ali", "amir", "hasan")}  # type: ignore[index]

    (tmp_path / "reissued").mkdir()
    again = issue(db_url, tmp_path / "reissued", "inheritance", C["ali"])
    status, verdict = verify(db_url, issued["token"])
    assert status == 1 and verdict["status"] == "revoked"
    assert again["number"] in str(verdict["message_en"])
    filer, approver = staff(client, engine, "registrar"), staff(client, engine, "senior_registrar")
    correction = {"national_code": C["amir"], "field": "first_name", "new_value": "امیرعلی",
                  "legal_basis": "رأی هیئت حل اختلاف", "document_ref": "HH-2"}  # fmt: skip
    case = client.post("/api/v1/corrections", json=correction, headers=filer).json()["case_id"]
    client.post(f"/api/v1/queue/{case}/approve", json={"note": "دیده شد"}, headers=approver)
    assert verify(db_url, again["token"])[1]["status"] == "revoked"  # an heir's name changed


def test_an_estate_the_register_cannot_settle_is_not_certified(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    size = ledger_size(engine)
    out = str(tmp_path / "x.pdf")
    # Zahra's parents are not linked in the register: their shares cannot be known.
    status, _ = sabt(db_url, "issue", "inheritance", C["zahra"], "--out", out)
    assert status == 2
    status, _ = sabt(db_url, "issue", "inheritance", C["hasan"], "--out", out)  # alive
    assert status == 2
    registrar = staff(client, engine, "registrar")
    answer = client.post("/api/v1/documents", headers=registrar,
                         json={"kind": "inheritance", "national_code": C["zahra"]})  # fmt: skip
    assert answer.status_code == 409 and answer.json()["code"] == "inheritance_needs_review"
    assert "مادر" in answer.json()["message_fa"] and "mother" in answer.json()["message_en"]
    assert ledger_size(engine) == size and not Path(out).exists()


OLD_REGIME = {
    "id": "case-1", "deceased_sex": "male", "deceased": {"date_of_death": "1385/01/01"},
    "heirs": [
        {"id": "0011111111", "relation": "spouse", "sex": "female"},
        {"id": "0022222222", "relation": "son", "sex": "male", "died_on": "1386/02/03"},
        {"id": "unborn-1", "relation": "daughter", "sex": "female", "unborn": True},
        {"id": "0033333333", "relation": "father", "sex": "male", "missing": True},
    ],
}  # fmt: skip
NAMES = {"0011111111": "مریم کریمی", "0022222222": "رضا محمدی", "0033333333": "حسن محمدی"}
DECEASED = {
    "national_code": "0012345679", "first_name": "علی", "last_name": "محمدی",
    "father_name": "حسن", "sex": "male", "birth_date": "1950-01-01", "birth_county": None,
    "booklet": None, "death": {"date": "2006-03-21", "place": None},
}  # fmt: skip


def test_the_old_regime_splits_land_and_a_reserve_makes_it_provisional(tmp_path: Path) -> None:
    resolution = Resolution(OLD_REGIME, compute(parse_case(OLD_REGIME)), [], NAMES)
    tables = certificate_tables(resolution)
    assert [assets for assets, _ in tables] == ["movables", "land"]
    facts = estate.certificate_facts(DECEASED, resolution, tables, date(2026, 11, 23))
    assert facts["status"] == "provisional" and facts["objection"]["until"] == "2026-12-03"
    movables, land = facts["tables"]
    assert (movables["total"], land["total"]) == (72, 18)
    assert [h["parts"] for h in land["heirs"]] == [5, 10, 3]  # the wife takes no land
    assert land["excluded"][0]["article"] == "946"
    key = estate.key_facts(facts)
    assert key["land"] == {"t": 18, "h": "0022222222:5 unborn:10 0033333333:3"} and key["p"] == 1
    url = "https://sabt.example/verify?t=" + "x" * 700  # a long token still makes one QR
    page = render.html("inheritance", "IC-1405-000009", "2026-11-23", facts, url,
                       "https://sabt.example/verify?n=IC-1405-000009")  # fmt: skip
    pdf = tmp_path / "ic.pdf"
    pdf.write_bytes(render.pdf(page))
    text = squeezed(pdf_text(str(pdf)))
    for word in ["گواهیموقت", "اموالمنقول", "زمین", "به۷۲سهم", "به۱۸سهم", "حمل",
                 "مفقودالاثر", "۱۳۸۶/۰۲/۰۳", "۵/۱۸", "۹۴۶", "۸۷۸", "۸۷۹"]:  # fmt: skip
        assert word in text, word
    assert qr.read_file(pdf) == url


def test_the_token_of_a_large_family_fits_one_readable_qr(tmp_path: Path) -> None:
    heirs = [{"id": f"00{i:08d}", "relation": "son" if i % 2 else "daughter",
              "sex": "male" if i % 2 else "female"} for i in range(1, 11)]  # fmt: skip
    case = {"id": "c", "deceased_sex": "male", "heirs": [
        {"id": "0099999999", "relation": "spouse", "sex": "female"}, *heirs]}  # fmt: skip
    resolution = Resolution(case, compute(parse_case(case)), [], {})
    facts = estate.certificate_facts(DECEASED, resolution, certificate_tables(resolution),
                                     date(2026, 11, 23))  # fmt: skip
    claims = json.dumps(estate.key_facts(facts), separators=(",", ":"))
    assert len(claims) < 260, claims  # eleven heirs: code and parts each
