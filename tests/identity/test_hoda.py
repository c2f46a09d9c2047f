"""HODA enrolment and login over HTTP: the register and the mobile's owner, one-time codes
from the SMS outbox, passwords; refusals that say nothing about who is registered; limits
and locks; a death or the hotlist stops every path; the citizen's own locks and history;
the HTTP SMS adapter against a local server."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.api.app import create_app
from sabt.cli.main import app
from sabt.identity import hoda, sms
from sabt.identity.models import AuditEvent, OtpChallenge
from sabt.kit import clock
from sabt.kit import settings as settings_module
from sabt.kit.errors import BadInput
from sabt.kit.settings import Settings
from sabt.persian import national_code
from sabt.persian.digits import to_persian
from sabt.registry.models import MobileOwnership
from tests.identity import accounts
from tests.registration.conftest import client, hospital
from tests.registration.support import DEATHS, NOW, C
from tests.registration.test_deaths import death

__all__ = ["client", "hospital"]
ALI_MOBILE, HASAN_MOBILE = "09121234567", "09351112233"
PASSWORD = "a long passphrase of mine"
ALI = {"national_code": C["ali"], "birth_date": "1353/10/14", "booklet_serial": "123456",
       "mobile": ALI_MOBILE}  # fmt: skip
REFUSED = "enrolment_refused"


@pytest.fixture(autouse=True)
def hasan_has_a_phone(client: TestClient, engine: Engine) -> None:
    """A second number in the operators' records, owned by Ali's father."""
    with Session(engine) as s, s.begin():
        s.add(MobileOwnership(mobile=HASAN_MOBILE, national_code=C["hasan"], operator="MCI",
                              reported_at=NOW.replace(tzinfo=None)))  # fmt: skip


def outbox(home: Path) -> list[dict[str, str]]:
    path = sms.outbox_path(home)
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def last_code(home: Path, mobile: str) -> str:
    text = [m for m in outbox(home) if m["to"] == mobile][-1]["text"]
    return next(w for w in text.replace("\n", " ").split() if w.isdigit() and len(w) == 6)


def enrol(client: TestClient, home: Path, body: dict[str, str] = ALI) -> dict[str, Any]:
    started = client.post("/api/v1/hoda/enrolments", json=body)
    assert started.status_code == 202, started.text
    challenge = started.json()["challenge"]
    done = client.post("/api/v1/hoda/enrolments/confirm", json={
        "challenge": challenge, "otp": last_code(home, body["mobile"]), "password": PASSWORD})  # fmt: skip
    assert done.status_code == 201, done.text
    return dict(done.json())


def login(client: TestClient, home: Path, code: str = C["ali"], mobile: str = ALI_MOBILE,
          password: str = PASSWORD) -> Any:  # fmt: skip
    first = client.post("/api/v1/hoda/login", json={"national_code": code, "password": password})
    if first.status_code != 200 or first.json()["status"] != "otp_sent":
        return first
    return client.post("/api/v1/hoda/login/confirm", json={
        "challenge": first.json()["challenge"], "otp": last_code(home, mobile)})  # fmt: skip


def bearer(answer: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def at(delta: timedelta) -> None:
    clock.set_clock(clock.FixedClock(NOW + delta))


def test_enrol_then_login_with_password_and_code(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    with Session(engine) as s:  # what the demo prints is what enrolment takes
        assert hoda.enrolment_example(s) == ALI
    assert enrol(client, tmp_path) == {"status": "enrolled"}
    message = outbox(tmp_path)[-1]
    assert message["to"] == ALI_MOBILE and "هدی" in message["text"]
    signed_in = login(client, tmp_path)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["acr"] == "urn:sabt:acr:password+otp"
    me = client.get("/api/v1/hoda/me", headers=bearer(signed_in)).json()
    assert me["mobile"] == "0912***4567" and me["methods"] == {
        "password_locked": False, "otp_locked": False}  # fmt: skip
    steps = [(h["method"], h["outcome"], h["agency"]) for h in me["history"]]  # newest first
    assert steps[:3] == [("otp", "success", "hoda"), ("otp_sent", "success", "hoda"),
                         ("password", "success", "hoda")]  # fmt: skip
    assert ("enrol", "success", "hoda") in steps
    with Session(engine) as s:  # codes are kept only as HMACs
        digests = list(s.scalars(select(OtpChallenge.code_digest)))
    sent = {last_code(tmp_path, ALI_MOBILE)}
    assert digests and not any(code in d for d in digests for code in sent)


@pytest.mark.parametrize("change", [
    {"birth_date": "1353/10/15"}, {"booklet_serial": "123457"}, {"mobile": HASAN_MOBILE},
    {"national_code": national_code.allocate("001", 999)},  # well formed, not registered
    {"national_code": C["zahra"], "birth_date": "1332/02/12"},  # deceased
])  # fmt: skip
def test_a_refused_enrolment_says_nothing_about_who_is_registered(
    client: TestClient, tmp_path: Path, change: dict[str, str]
) -> None:
    answer = client.post("/api/v1/hoda/enrolments", json={**ALI, **change})
    assert answer.status_code == 422 and answer.json()["code"] == REFUSED
    reference = client.post("/api/v1/hoda/enrolments", json={**ALI, "birth_date": "1300/01/01"})
    assert answer.json() == reference.json()
    assert outbox(tmp_path) == []


def test_malformed_input_names_the_field(client: TestClient, tmp_path: Path) -> None:
    for change, code in (({"birth_date": "1353/13/40"}, "bad_birth_date"),
                         ({"booklet_serial": "12345x"}, "bad_serial"),
                         ({"mobile": "02112345678"}, "bad_mobile"),
                         ({"national_code": "1234567890"}, "invalid_national_code")):  # fmt: skip
        answer = client.post("/api/v1/hoda/enrolments", json={**ALI, **change})
        assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
        assert answer.json()["message_fa"] and answer.json()["message_en"]
    assert client.post("/api/v1/hoda/enrolments", json={"national_code": 1}).status_code == 422
    assert outbox(tmp_path) == []


def test_codes_are_single_use_short_lived_and_limited(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    confirm = "/api/v1/hoda/enrolments/confirm"
    challenge = client.post("/api/v1/hoda/enrolments", json=ALI).json()["challenge"]
    right = last_code(tmp_path, ALI_MOBILE)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):  # three wrong entries spend the code
        bad = client.post(
            confirm, json={"challenge": challenge, "otp": wrong, "password": PASSWORD}
        )
        assert bad.status_code == 422 and bad.json()["code"] == "bad_otp"
    spent = client.post(confirm, json={"challenge": challenge, "otp": right, "password": PASSWORD})
    assert spent.json()["code"] == "bad_otp"
    challenge = client.post("/api/v1/hoda/enrolments", json=ALI).json()["challenge"]
    right = last_code(tmp_path, ALI_MOBILE)
    at(timedelta(minutes=2, seconds=1))
    late = client.post(confirm, json={"challenge": challenge, "otp": right, "password": PASSWORD})
    assert late.json()["code"] == "bad_otp"
    at(timedelta(minutes=3))
    challenge = client.post("/api/v1/hoda/enrolments", json=ALI).json()["challenge"]
    right = to_persian(last_code(tmp_path, ALI_MOBILE))  # Persian digits are the same code
    weak = client.post(confirm, json={"challenge": challenge, "otp": right, "password": "short"})
    assert weak.json()["code"] == "weak_password"
    done = client.post(confirm, json={"challenge": challenge, "otp": right, "password": PASSWORD})
    assert done.status_code == 201
    again = client.post(confirm, json={"challenge": challenge, "otp": right, "password": PASSWORD})
    assert again.json()["code"] == "bad_otp"  # used
    client.post("/api/v1/hoda/enrolments", json=ALI)
    client.post("/api/v1/hoda/enrolments", json=ALI)
    too_many = client.post("/api/v1/hoda/enrolments", json=ALI)  # the sixth in the hour
    assert too_many.status_code == 429 and too_many.json()["code"] == "too_many_codes"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OtpChallenge)) == 5


def test_failed_logins_lock_for_a_while_and_all_failures_read_the_same(
    client: TestClient, tmp_path: Path
) -> None:
    enrol(client, tmp_path)
    unknown = login(client, tmp_path, code=national_code.allocate("001", 999))
    for _ in range(5):
        wrong = login(client, tmp_path, password="not my password")
        assert wrong.status_code == 401 and wrong.json() == unknown.json()
    locked = login(client, tmp_path)
    assert locked.status_code == 401 and locked.json() == unknown.json()
    at(timedelta(minutes=16))
    assert login(client, tmp_path).status_code == 200
    first = client.post("/api/v1/hoda/login", json={"national_code": C["ali"],
                                                    "password": PASSWORD}).json()  # fmt: skip
    right = last_code(tmp_path, ALI_MOBILE)
    for n in range(5):  # wrong codes, across fresh challenges, lock the OTP method
        if n and n % 3 == 0:
            first = client.post("/api/v1/hoda/login", json={
                "national_code": C["ali"], "password": PASSWORD}).json()  # fmt: skip
            right = last_code(tmp_path, ALI_MOBILE)
        wrong_code = "000000" if right != "000000" else "111111"
        client.post("/api/v1/hoda/login/confirm", json={"challenge": first["challenge"],
                                                        "otp": wrong_code})  # fmt: skip
    sent = len(outbox(tmp_path))
    refused = client.post("/api/v1/hoda/login", json={"national_code": C["ali"],
                                                      "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 401 and len(outbox(tmp_path)) == sent  # no code sent


def test_a_death_stops_every_path(
    client: TestClient, tmp_path: Path, hospital: dict[str, str]
) -> None:
    enrol(client, tmp_path)
    token = bearer(login(client, tmp_path))
    pending = client.post("/api/v1/hoda/login", json={"national_code": C["ali"],
                                                      "password": PASSWORD}).json()  # fmt: skip
    code = last_code(tmp_path, ALI_MOBILE)
    assert client.post(DEATHS, json=death(), headers=hospital).status_code == 201
    sent = len(outbox(tmp_path))
    finish = client.post("/api/v1/hoda/login/confirm",
                         json={"challenge": pending["challenge"], "otp": code})  # fmt: skip
    assert finish.status_code == 401 and finish.json()["code"] == "bad_credentials"
    assert login(client, tmp_path).status_code == 401
    assert client.post("/api/v1/hoda/enrolments", json=ALI).json()["code"] == REFUSED
    assert len(outbox(tmp_path)) == sent  # not one code to a dead person's phone
    assert client.get("/api/v1/hoda/me", headers=token).status_code == 403


def test_the_hotlist_stops_every_path_and_is_audited(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    enrol(client, tmp_path)
    token = bearer(login(client, tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["identity", "hotlist", "add", C["ali"], "--reason",
                                "گزارش سرقت هویت", "--db", db_url])  # fmt: skip
    assert added.exit_code == 0, added.output
    sent = len(outbox(tmp_path))
    assert login(client, tmp_path).status_code == 401
    assert client.post("/api/v1/hoda/enrolments", json=ALI).json()["code"] == REFUSED
    assert len(outbox(tmp_path)) == sent
    assert client.get("/api/v1/hoda/me", headers=token).json()["code"] == "identity_hotlisted"
    listed = runner.invoke(app, ["identity", "hotlist", "list", "--db", db_url])
    assert json.loads(listed.stdout)[0]["national_code"] == C["ali"]
    again = runner.invoke(app, ["identity", "hotlist", "add", C["ali"], "--reason", "دوباره",
                                "--db", db_url])  # fmt: skip
    assert again.exit_code == 2
    removed = runner.invoke(app, ["identity", "hotlist", "remove", C["ali"], "--reason",
                                  "هویت تأیید شد", "--db", db_url])  # fmt: skip
    assert removed.exit_code == 0
    assert login(client, tmp_path).status_code == 200
    with Session(engine) as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.target == C["ali"])))
    assert {"hotlist.added", "hotlist.removed"} <= actions


def test_the_citizen_locks_methods_and_recovers_with_a_new_phone(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    enrol(client, tmp_path)
    token = bearer(login(client, tmp_path))
    locked = client.post("/api/v1/hoda/me/methods/otp/lock", headers=token)
    assert locked.json() == {"password_locked": False, "otp_locked": True}
    password_only = login(client, tmp_path)
    assert password_only.json()["acr"] == "urn:sabt:acr:password"
    assert client.post("/api/v1/hoda/enrolments", json=ALI).json()["code"] == REFUSED  # no OTP
    client.post("/api/v1/hoda/me/methods/otp/unlock", headers=token)
    client.post("/api/v1/hoda/me/methods/password/lock", headers=token)
    assert login(client, tmp_path).status_code == 401
    bad = client.post("/api/v1/hoda/me/methods/face/lock", headers=token)
    assert bad.status_code == 422
    with Session(engine) as s, s.begin():  # the operators report Ali's new number
        s.delete(s.get_one(MobileOwnership, ALI_MOBILE))
        s.add(MobileOwnership(mobile="09127654321", national_code=C["ali"], operator="MCI",
                              reported_at=NOW.replace(tzinfo=None)))  # fmt: skip
    old_phone = client.post("/api/v1/hoda/login", json={"national_code": C["ali"],
                                                        "password": PASSWORD})  # fmt: skip
    assert old_phone.status_code == 401  # the password method is locked
    assert enrol(client, tmp_path, {**ALI, "mobile": "09127654321"}) == {"status": "recovered"}
    signed_in = login(client, tmp_path, mobile="09127654321")
    assert signed_in.status_code == 200, signed_in.text


@pytest.fixture
def provider() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"auth": self.headers["Authorization"], **json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()


def test_the_http_sms_adapter_posts_to_the_provider(
    provider: tuple[str, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = provider
    settings = Settings(database_url="sqlite://", home=tmp_path, sms_gateway="http",
                        sms_url=url, sms_api_key="k-1")  # fmt: skip
    sms.gateway(settings).send(ALI_MOBILE, "کد ۱۲۳")
    assert received == [{"auth": "Bearer k-1", "to": ALI_MOBILE, "text": "کد ۱۲۳"}]
    down = Settings(database_url="sqlite://", home=tmp_path, sms_gateway="http",
                    sms_url="http://127.0.0.1:9/send")  # fmt: skip
    with pytest.raises(sms.NotSent):
        sms.gateway(down).send(ALI_MOBILE, "x")
    monkeypatch.setenv("SABT_SMS_GATEWAY", "pigeon")
    with pytest.raises(BadInput, match="pigeon"):
        settings_module.load()


def test_a_code_the_gateway_did_not_take_leaves_nothing_behind(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    down = Settings(database_url=db_url, home=tmp_path, sms_gateway="http",
                    sms_url="http://127.0.0.1:9/send")  # fmt: skip
    with TestClient(create_app(down), base_url=accounts.BASE_URL) as c:
        answer = c.post("/api/v1/hoda/enrolments", json=ALI)
    assert answer.status_code == 503 and answer.json()["code"] == "sms_not_sent"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OtpChallenge)) == 0
