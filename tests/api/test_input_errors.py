"""Strict input, told in Persian and English: every JSON body of the API (walked from the
OpenAPI) answers malformed JSON, a missing field and a field of the wrong type with a 4xx
whose Persian names the field in words and carries none of pydantic's English; FHIR's
booleans and integers are taken only as JSON wrote them; a body in any other media type is
415; the command line's usage errors are bilingual too."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sabt.cli.main import app as cli_app
from sabt.kit import input_errors
from tests.api import sweep
from tests.identity import accounts, offices
from tests.registration.support import BIRTHS, DEATHS, fhir, ledger_size, notice, post_fhir
from tests.registration.test_deaths import death, death_fhir
from tests.registry import family

PYDANTIC_ENGLISH = re.compile(
    r"Input should|Field required|Extra inputs|Expecting|body\.\d|value_error|valid integer"
)


def assert_persian(response: Any) -> dict[str, str]:
    assert 400 <= response.status_code < 500, response.text
    body: dict[str, str] = response.json()
    assert body["message_fa"] and body["message_en"]
    assert not PYDANTIC_ENGLISH.search(body["message_fa"]), body
    return body


def test_every_json_body_refuses_bad_input_in_persian(client: TestClient, engine: Engine) -> None:
    spec = client.get("/openapi.json").json()
    bodies = [op for op in sweep.operations(spec) if op.body is not None]
    assert len(bodies) >= 15
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    admin = accounts.staff_headers(client, engine, "national_admin", family.OFFICE)
    tried = 0
    for op in bodies:
        headers = hospital if "notifications" in op.path else admin
        url = op.url({})
        for sent in ('{"national_code": "00', "[]", json.dumps({**op.body, "not_a_field": 1})):  # type: ignore[dict-item]
            response = client.request(op.method, url, headers={**headers,
                                      "Content-Type": "application/json"}, content=sent)  # fmt: skip
            tried += 1
            if response.status_code in (401, 403, 404, 405) or (
                "not_a_field" in sent and response.status_code < 400  # a contract allows extras
            ):
                continue
            assert_persian(response)
    print(f"input sweep: {len(bodies)} bodies, {tried} requests")


def test_a_field_is_named_in_words(client: TestClient, engine: Engine) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    body = assert_persian(client.post(BIRTHS, headers=hospital, json=notice(born_at="tomorrow")))
    assert "زمان تولد" in body["message_fa"] and "the time of birth" in body["message_en"]
    login = client.post("/api/v1/identity/staff/token", content=b'{"username": "a", "pass',
                        headers={"Content-Type": "application/json"})  # fmt: skip
    said = assert_persian(login)
    assert "بدنهٔ درخواست" in said["message_fa"] and "body.1" not in said["message_en"]


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_a_fhir_boolean_must_be_a_json_boolean(
    client: TestClient, engine: Engine, value: object
) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    bundle = fhir(notice())
    bundle["entry"][0]["resource"]["deceasedBoolean"] = value
    size = ledger_size(engine)
    refused = post_fhir(client, hospital, bundle)
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_fhir"
    assert "deceasedBoolean" in refused.json()["message_en"]
    assert ledger_size(engine) == size


def test_one_name_limit_for_both_encodings(client: TestClient, engine: Engine) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    long_name = "آ" * 101
    as_json = client.post(BIRTHS, headers=hospital, json=notice(proposed_first_name=long_name))
    as_fhir = post_fhir(client, hospital, fhir(notice(proposed_first_name=long_name)))
    assert as_json.status_code == as_fhir.status_code == 400
    assert as_fhir.json()["code"] == "name_too_long"


@pytest.mark.parametrize("media", ["text/plain", "application/xml", None, "multipart/form-data"])
def test_a_notification_in_another_media_type_is_415(
    client: TestClient, engine: Engine, media: str | None
) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    size = ledger_size(engine)
    for url, body in ((BIRTHS, notice()), (DEATHS, death())):
        headers = {**hospital, **({"Content-Type": media} if media else {})}
        answer = client.post(url, headers=headers, content=json.dumps(body).encode())
        assert answer.status_code == 415, answer.text
        assert answer.json()["code"] == "unsupported_media_type"
    assert ledger_size(engine) == size
    fhir_death = death_fhir(family.CODES["hasan"], "2025-09-21T04:10:00+03:30", offices.HOSPITAL)
    assert post_fhir(client, hospital, fhir_death, DEATHS).status_code != 415


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["observatory", "report", "--year", "1402/13"], "مقدار --year نادرست است"),
        (["observatory", "report", "--yaer", "1402"], "گزینهٔ ناشناخته"),
        (["no-such-command"], "چنین فرمانی نیست"),
        (["person", "show"], "لازم است"),
    ],
)
def test_usage_errors_of_the_command_line_are_bilingual(args: list[str], said: str) -> None:
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2
    assert said in result.stderr and "error:" in result.stderr
    assert "Traceback" not in result.output


def test_every_pydantic_problem_has_persian_words() -> None:
    for kind, (fa, en) in input_errors.PROBLEMS.items():
        words = re.sub(r"\{\w+\}|JSON|ISO|true|false", "", fa)
        assert fa and en and not re.search(r"[A-Za-z]{3,}", words), kind
