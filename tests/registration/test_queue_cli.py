"""`sabt queue`: the back office from the operator's shell, acting as a staff account."""

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sabt.cli.main import app
from tests.identity import accounts, offices
from tests.registration.support import BIRTHS, C, declare, ledger_size, notice
from tests.registry import family

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_take_and_decide_from_the_shell(
    client: TestClient, engine: Engine, hospital: dict[str, str], db_url: str
) -> None:
    n = notice(notification_id="Q", father_national_code=C["karim"])
    case_id = str(client.post(BIRTHS, json=n, headers=hospital).json()["case_id"])
    declare(client, engine, int(case_id), C["wife_ali"])
    tehran = accounts.add_staff(engine, "registrar", family.OFFICE).username
    isfahan = accounts.add_staff(engine, "registrar", offices.ISFAHAN_OFFICE).username
    code, stdout, _ = run("queue", "list", "--as", tehran, "--db", db_url)
    assert code == 0 and json.loads(stdout)["items"][0]["case_id"] == int(case_id)
    code, stdout, _ = run("queue", "list", "--as", isfahan, "--db", db_url)
    assert code == 0 and json.loads(stdout)["total"] == 0
    size = ledger_size(engine)
    for args in (
        ("queue", "assign", case_id, "--as", isfahan),
        ("queue", "assign", case_id, "--as", "nobody"),
        ("queue", "approve", case_id, "--as", tehran, "--note", " "),
        ("queue", "list", "--as", tehran, "--flag", "nonsense"),
        ("queue", "reject", "999", "--as", tehran, "--reason", "تکراری"),
    ):
        code, _, stderr = run(*args, "--db", db_url)
        assert code == 2 and stderr.strip(), args
    assert ledger_size(engine) == size
    assert run("queue", "assign", case_id, "--as", tehran, "--db", db_url)[0] == 0
    code, stdout, _ = run(
        "queue", "approve", case_id, "--as", tehran, "--note", "هر دو والد حاضر شدند",
        "--db", db_url,
    )  # fmt: skip
    assert code == 0 and json.loads(stdout)["status"] == "registered"
    code, stdout, _ = run("queue", "show", case_id, "--as", tehran, "--db", db_url)
    shown = json.loads(stdout)
    assert shown["case"]["status"] == "registered"
    assert [h["actor"] for h in shown["history"]][-1] == f"staff:{tehran}"
