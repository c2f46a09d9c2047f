from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.api.app import create_app
from sabt.kit.settings import Settings
from tests.identity import accounts
from tests.registry import family


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    family.load(engine)
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, base_url=accounts.BASE_URL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def staff(client: TestClient, engine: Engine) -> dict[str, str]:
    return accounts.staff_headers(client, engine, "registrar", family.OFFICE)


def person(code: str) -> str:
    return f"/api/v1/persons/{code}?purpose=test"


def assert_error(response: object, status: int) -> dict[str, str]:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (
        set(body) == {"code", "message_fa", "message_en"}
        and body["message_fa"]
        and body["message_en"]
    )
    return body  # type: ignore[no-any-return]


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_person_for_staff(client: TestClient, staff: dict[str, str]) -> None:
    code = family.CODES["ali"]
    body = client.get(person(code), headers=staff).json()
    assert body["national_code"] == code and body["first_name"] == "علی"
    assert body["birth_date"] == "1975-01-04" and body["birth_date_jalali"] == "۱۳۵۳/۱۰/۱۴"
    assert body["father_national_code"] == family.CODES["hasan"]


def test_persian_digits_in_the_path(client: TestClient, staff: dict[str, str]) -> None:
    persian = family.CODES["ali"].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert client.get(person(persian), headers=staff).status_code == 200


def test_denied_without_a_staff_token(client: TestClient) -> None:
    assert_error(client.get(person(family.CODES["ali"])), 401)


def test_invalid_code_is_422_with_reason(client: TestClient, staff: dict[str, str]) -> None:
    body = assert_error(client.get(person("1234567890"), headers=staff), 422)
    assert body["code"] == "invalid_national_code" and "check digit" in body["message_en"]


def test_unknown_person_and_route_are_404_json(client: TestClient, staff: dict[str, str]) -> None:
    assert_error(client.get(person("0499370899"), headers=staff), 404)
    assert_error(client.get("/api/v1/nothing-here"), 404)


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/persons/{national_code}" in spec["paths"]
