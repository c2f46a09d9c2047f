"""A citizen's own correction request (what SAHIM files): checked like a registrar's, with a
real PDF or JPEG attached; it enters the queue of the citizen's office, its attachment is
readable there against the ledger's hash, and two registrars decide it."""

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session
from weasyprint import HTML

from sabt.kit.errors import SabtError
from sabt.registration import corrections
from sabt.registration.models import Attachment
from sabt.registry.models import Person
from tests.registration.support import C, ledger_size, staff

QUEUE = "/api/v1/queue"
REASON = "نام من در شناسنامه لیلی است و هنگام ورود اطلاعات اشتباه ثبت شده"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(out, "JPEG")
    return out.getvalue()


def ask(engine: Engine, attachment: bytes, **changes: str) -> dict[str, object]:
    args = {"field": "first_name", "new_value": "لیلی", "reason": REASON, **changes}
    with Session(engine) as s, s.begin():
        return corrections.request(s, C["wife_ali"], attachment=attachment, **args)


def test_a_citizen_s_request_waits_for_two_registrars_and_its_file_is_readable(
    client: TestClient, engine: Engine
) -> None:
    pdf = HTML(string="<p>رأی هیئت</p>").write_pdf()
    assert pdf is not None
    asked = ask(engine, pdf)
    case_id = asked["case_id"]
    registrar, senior = (
        staff(client, engine, "registrar"),
        staff(client, engine, "senior_registrar"),
    )
    case = client.get(f"{QUEUE}/{case_id}", headers=registrar).json()
    assert case["kind"] == "correction" and case["office"] == "CR-TEHRAN-1"
    assert case["endorsed_by"] is None  # a citizen is not a registrar: nobody endorsed it yet
    assert case["data"]["requested_by"]["by"] == f"citizen:{C['wife_ali']}"
    got = client.get(f"{QUEUE}/{case_id}/attachment", headers=registrar)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    first = client.post(
        f"{QUEUE}/{case_id}/approve", json={"note": "سند دیده شد"}, headers=registrar
    )
    assert first.json()["status"] == "awaiting_second_approval"
    done = client.post(f"{QUEUE}/{case_id}/approve", json={"note": "تأیید"}, headers=senior)
    assert done.status_code == 200, done.text
    with Session(engine) as s:
        person = s.get(Person, C["wife_ali"])
        assert person is not None and person.first_name == "لیلی"
        mine = corrections.requests_of(s, C["wife_ali"])
        assert [(c.id, c.status) for c in mine] == [(case_id, "registered")]


def test_an_altered_attachment_is_caught_when_a_registrar_opens_it(
    client: TestClient, engine: Engine
) -> None:
    case_id = ask(engine, jpeg())["case_id"]
    with Session(engine) as s, s.begin():
        s.execute(update(Attachment).values(content=jpeg() + b"changed"))
    got = client.get(f"{QUEUE}/{case_id}/attachment", headers=staff(client, engine, "registrar"))
    assert (got.status_code, got.json()["code"]) == (409, "attachment_altered")


@pytest.mark.parametrize(
    ("attachment", "changes", "code"),
    [
        (b"%PDF-1.7 not really", {}, "bad_attachment"),
        (b"GIF89a....", {}, "bad_attachment"),
        (b"", {}, "no_attachment"),
        (b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), {}, "attachment_too_large"),
        (None, {"reason": "کوتاه"}, "bad_reason"),
        (None, {"field": "sex", "new_value": "male"}, "bad_field"),
        (None, {"new_value": "لیلا"}, "no_change"),
        (None, {"field": "birth_date", "new_value": "1500/01/01"}, "future_date"),
    ],
)
def test_a_bad_request_is_refused_and_writes_nothing(
    client: TestClient, engine: Engine, attachment: bytes | None, changes: dict[str, str],
    code: str,
) -> None:  # fmt: skip
    before = ledger_size(engine)
    with pytest.raises(SabtError) as refused:
        ask(engine, jpeg() if attachment is None else attachment, **changes)
    assert refused.value.code == code
    assert ledger_size(engine) == before
    with Session(engine) as s:
        assert s.query(Attachment).count() == 0
