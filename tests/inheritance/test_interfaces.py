"""The contract's interfaces: `sabt inheritance compute` and POST /api/v1/inheritance/compute."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.api.app import create_app
from sabt.cli.main import app
from sabt.identity.models import AccessLog
from sabt.kit.settings import Settings
from tests.identity import accounts
from tests.inheritance.cases import case, heir
from tests.inheritance.test_law import EXAMPLES
from tests.registry import family

runner = CliRunner()

INVALID: dict[str, object] = {
    "unknown relation": case("male", heir("a", "brother_in_law", "male")),
    "missing sex": case("male", {"id": "a", "relation": "son"}),
    "missing deceased sex": {"id": "x", "heirs": []},
    "via naming no entry": case("male", heir("g", "grandson", via="nobody")),
    "via cycle": case("male", heir("a", "grandson", via="b"), heir("b", "grandson", via="a")),
    "grandchild via a sibling": case("male", heir("b", "full_brother", deceased=True), heir("g", "grandson", via="b")),
    "nephew via a child": case("male", heir("s", "son", deceased=True), heir("n", "nephew", via="s")),
    "cousin via a grandparent": case("male", heir("g", "paternal_grandfather", deceased=True), heir("c", "cousin", via="g")),
    "son who is female": case("male", heir("s", "son", "female")),
    "an unborn father": case("male", heir("f", "father", unborn=True)),
    "two husbands": case("female", heir("a", "spouse", "male"), heir("b", "spouse", "male")),
    "impossible date of death": case("male", deceased={"date_of_death": "1403/13/01"}),
    "heirs not a list": {"id": "x", "deceased_sex": "male", "heirs": {}},
    "a case that is not an object": [1, 2],
}  # fmt: skip


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["inheritance", "compute", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_cli_computes_a_case_file(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(EXAMPLES[0]), "utf-8")
    code, out, _ = invoke(str(path))
    assert code == 0
    assert json.loads(out)["shares"] == EXAMPLES[0]["expected"]


def test_cli_reads_standard_input_and_keeps_persian_text_utf8() -> None:
    code, out, _ = invoke("-", stdin=json.dumps(EXAMPLES[3]))
    assert code == 0 and len(out.splitlines()) == 1
    result = json.loads(out)
    assert result["id"] == EXAMPLES[3]["id"]
    assert "مادر" in out  # Persian written as text, not \\u escapes


@pytest.mark.parametrize("bad", INVALID.values(), ids=INVALID.keys())
def test_cli_invalid_case_exits_2_with_a_message(bad: object) -> None:
    code, out, err = invoke("-", stdin=json.dumps(bad))
    assert code == 2
    assert out == ""
    assert err.strip() and "Traceback" not in err


def test_cli_malformed_json_exits_2() -> None:
    code, _, err = invoke("-", stdin='{"id": ')
    assert code == 2 and "JSON" in err


def test_cli_batch_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    lines = [json.dumps(e) for e in EXAMPLES[:3]]
    lines.insert(1, json.dumps(INVALID["via naming no entry"]))
    lines.insert(3, "not json")
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = invoke("--batch", str(path))
    assert code == 2
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [
        EXAMPLES[0]["id"],
        "t",
        EXAMPLES[1]["id"],
        None,
        EXAMPLES[2]["id"],
    ]
    assert results[1]["error"]["code"] == "via_not_found"
    assert set(results[1]["error"]) == {"code", "message_en", "message_fa"}
    assert results[2]["shares"] == EXAMPLES[1]["expected"]
    assert "line 2" in err


def test_cli_batch_of_good_cases_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    refused = case(
        "male",
        heir("s", "son", died_on="1403/05/12", death_order_unknown=True),
        deceased={"date_of_death": "1403/05/12"},
    )
    path.write_text("\n".join(json.dumps(e) for e in [*EXAMPLES, refused]), "utf-8")
    code, out, _ = invoke("--batch", str(path))
    assert code == 0
    assert [json.loads(line)["status"] for line in out.splitlines()][-1] == "refused"


def test_cli_needs_a_case_or_a_batch() -> None:
    assert invoke()[0] == 2
    assert invoke("/no/such/file.json")[0] == 2


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/s.db", home=tmp_path)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_api_computes_a_case(client: TestClient) -> None:
    example: dict[str, Any] = EXAMPLES[-1]
    response = client.post("/api/v1/inheritance/compute", json=example)
    assert response.status_code == 200
    body = response.json()
    assert body["shares"] == example["expected"] and body["status"] == "provisional"


@pytest.mark.parametrize("bad", INVALID.values(), ids=INVALID.keys())
def test_api_invalid_case_is_400(client: TestClient, bad: object) -> None:
    response = client.post("/api/v1/inheritance/compute", json=bad)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message_fa", "message_en"} and body["message_fa"]


def test_api_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/api/v1/inheritance/compute",
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_json"


@pytest.fixture
def register_client(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    family.load(engine)
    settings = Settings(database_url=db_url, home=tmp_path)
    with TestClient(
        create_app(settings), base_url=accounts.BASE_URL, raise_server_exceptions=False
    ) as c:
        yield c


@pytest.fixture
def staff(register_client: TestClient, engine: Engine) -> dict[str, str]:
    return accounts.staff_headers(register_client, engine, "registrar", family.OFFICE)


def test_api_resolves_a_registered_death_for_staff(
    register_client: TestClient, staff: dict[str, str], engine: Engine
) -> None:
    zahra = family.CODES["zahra"]
    url = f"/api/v1/inheritance/{zahra}?purpose=estate"
    response = register_client.get(url, headers=staff)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"case", "result", "completeness", "gaps", "assumptions"}
    assert body["result"]["shares"] == {
        family.CODES["hasan"]: "1/4",
        family.CODES["ali"]: "1/2",
        family.CODES["sara"]: "1/4",
    }
    assert body["completeness"] == "needs_review"  # her parents are not linked
    assert {g["code"] for g in body["gaps"]} == {"parent_unknown"}
    with Session(engine) as s:
        log = s.scalars(select(AccessLog)).one()
    assert (log.subject, log.action, log.purpose) == (zahra, "inheritance.read", "estate")


def test_api_resolve_is_staff_only_and_errors_are_json(
    register_client: TestClient, staff: dict[str, str], engine: Engine
) -> None:
    zahra = family.CODES["zahra"]
    assert register_client.get(f"/api/v1/inheritance/{zahra}?purpose=x12").status_code == 401
    citizen = accounts.citizen_headers(register_client, engine, family.CODES["ali"])
    url = f"/api/v1/inheritance/{zahra}?purpose=x12"
    assert register_client.get(url, headers=citizen).status_code == 403
    for code, status in ((family.CODES["ali"], 400), (family.code(999), 404), ("12", 400)):
        response = register_client.get(f"/api/v1/inheritance/{code}?purpose=x12", headers=staff)
        assert response.status_code == status
        assert set(response.json()) == {"code", "message_fa", "message_en"}


def test_cli_resolve_prints_a_persian_table_and_json(engine: Engine, db_url: str) -> None:
    family.load(engine)
    zahra = family.CODES["zahra"]
    result = runner.invoke(app, ["inheritance", "resolve", zahra, "--db", db_url])
    assert result.exit_code == 0, result.output
    assert (
        "همسر" in result.stdout
        and "زهرا" in result.stdout
        and family.CODES["ali"] in result.stdout
        and "۱/۲" in result.stdout
    )
    assert "ترکه به ۴ سهم تقسیم می‌شود" in result.stdout
    result = runner.invoke(app, ["inheritance", "resolve", zahra, "--json", "--db", db_url])
    assert json.loads(result.stdout)["result"]["parts"]["total"] == 4
    bad = runner.invoke(app, ["inheritance", "resolve", family.CODES["ali"], "--db", db_url])
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr
