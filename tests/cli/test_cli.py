"""The `sabt` command line, run as a user would (CliRunner, real SQLite register)."""

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sabt.cli.main import COMMANDS, app
from sabt.registry.db import make_engine
from sabt.registry.export import MARRIAGE_FIELDS, PERSON_FIELDS

runner = CliRunner()


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli')}/sabt.db"
    result = runner.invoke(
        app, ["synth", "--people", "1000", "--seed", "3", "--db", url, "--report"]
    )
    assert result.exit_code == 0, result.output
    assert "total_fertility_rate" in result.stdout  # the report goes to standard output
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def a_person(url: str, where: str = "status = 'alive'") -> str:
    with make_engine(url).connect() as conn:
        return str(
            conn.execute(text(f"SELECT national_code FROM person WHERE {where} LIMIT 1")).scalar()
        )


def test_person_show(register: str) -> None:
    code = a_person(register, "father_code IS NOT NULL")
    status, out, _ = run("person", "show", code, "--json", "--db", register)
    assert status == 0
    shown = json.loads(out)
    assert shown["national_code"] == code and shown["birth_date_jalali"][0] in "۱۲۳۴۵۶۷۸۹"
    persian_digits = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    status, out, _ = run("person", "show", persian_digits, "--db", register)
    assert status == 0 and "کد ملی" in out


@pytest.mark.parametrize("code", ["1234567890", "12", "abcdefghij"])
def test_person_show_bad_code_exits_2(register: str, code: str) -> None:
    status, out, err = run("person", "show", code, "--db", register)
    assert status == 2 and out == "" and "کد ملی" in err and "error" in err


def test_unknown_person_exits_2(register: str) -> None:
    status, _, err = run("person", "show", "0499370899", "--db", register)
    assert status == 2 and "no person" in err


def test_verify_checkpoint_and_tamper(
    register: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SABT_HOME", str(tmp_path / "home"))
    status, out, _ = run("ledger", "verify", "--db", register)
    assert status == 0 and out.startswith("OK")
    status, out, _ = run("ledger", "checkpoint", "--db", register)
    assert status == 0
    cp = tmp_path / "cp.json"
    cp.write_text(out)
    assert json.loads(out)["signature"]
    status, out, _ = run("ledger", "verify", "--db", register, "--checkpoint", str(cp))
    assert status == 0
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(register.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the WAL's content too
    tampered = f"sqlite:///{copy}"
    with make_engine(tampered).begin() as conn:
        seq = conn.execute(
            text(
                "SELECT min(seq) FROM ledger WHERE kind = 'person.imported' AND payload LIKE '%\"male\"%' AND seq > 2500"
            )
        ).scalar()
        conn.execute(
            text(
                "UPDATE ledger SET payload = replace(payload, '\"male\"', '\"female\"') WHERE seq = :s"
            ),
            {"s": seq},
        )
    status, out, _ = run("ledger", "verify", "--db", tampered)
    assert status == 1 and f"entry {seq}" in out


def test_replay_into_an_empty_database(register: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path}/replayed.db"
    status, out, _ = run("ledger", "replay", "--into", target, "--db", register)
    assert status == 0 and out.startswith("OK replayed")
    with make_engine(register).connect() as a, make_engine(target).connect() as b:
        for table in ("person", "marriage", "mobile_ownership", "office", "code_counter"):
            query = text(f"SELECT * FROM {table} ORDER BY 1")
            assert a.execute(query).all() == b.execute(query).all(), table
    status, _, err = run("ledger", "replay", "--into", target, "--db", register)
    assert status == 2 and "not empty" in err


def test_export_formats_carry_the_same_fields(register: str, tmp_path: Path) -> None:
    outputs = {}
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"persons.{fmt}"
        status, _, _ = run(
            "export", "persons", "--format", fmt, "--out", str(out), "--db", register
        )
        assert status == 0
        outputs[fmt] = out
    raw = outputs["csv"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    reader = list(csv.reader(raw.decode("utf-8").splitlines()))
    assert tuple(reader[0]) == PERSON_FIELDS
    first_jsonl = orjson.loads(outputs["jsonl"].read_bytes().splitlines()[0])
    assert tuple(first_jsonl) == PERSON_FIELDS
    table = pq.read_table(outputs["parquet"])
    assert tuple(table.column_names) == PERSON_FIELDS
    assert table.num_rows == len(reader) - 1
    row = dict(zip(reader[0], reader[1], strict=True))
    assert row["national_code"] == first_jsonl["national_code"]
    assert row["birth_date"] == first_jsonl["birth_date"] and len(row["birth_date"]) == 10
    assert row["status"] in ("alive", "deceased") and row["birth_province"].startswith("IR-")
    deceased = [dict(zip(reader[0], r, strict=True)) for r in reader[1:] if r[9] == "deceased"]
    assert deceased and all(d["death_date"] for d in deceased)
    assert all(r[10] == "" for r in reader[1:] if r[9] == "alive")  # empty field, not "None"
    status, _, _ = run(
        "export", "marriages", "--format", "csv", "--out", str(tmp_path / "m.csv"), "--db", register
    )
    assert status == 0
    header = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == MARRIAGE_FIELDS


@pytest.mark.parametrize(
    "args",
    [
        ["synth", "--people", "50"],
        ["synth", "--people", "1000", "--end", "1404/13/01"],
        ["export", "people", "--format", "csv"],
        ["export", "persons", "--format", "xml"],
        ["export", "persons", "--out", "/no/such/folder/x.csv"],
        ["ledger", "replay", "--into", "mysql://x"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(register: str, args: list[str]) -> None:
    status, out, err = run(*args, "--db", register)
    assert status == 2, (out, err)
    assert "error" in err


def test_synth_refuses_a_non_empty_register(register: str) -> None:
    status, _, err = run("synth", "--people", "1000", "--db", register)
    assert status == 2 and "not empty" in err


def test_db_upgrade_on_a_new_database(tmp_path: Path) -> None:
    status, _, err = run("db", "upgrade", "--db", f"sqlite:///{tmp_path}/new.db")
    assert status == 0 and "current" in err


HEAVY = ("fastapi", "sqlalchemy", "weasyprint", "uvicorn", "duckdb", "pyhanko")


def _imported_by(*args: str) -> set[str]:
    """The top-level packages a fresh `sabt ARGS` process has imported when it ends."""
    probe = (
        "import sys, typer\nfrom sabt.cli.main import app\n"
        f"typer.main.get_command(app).main({list(args)!r}, standalone_mode=False)\n"
        "print('MODULES', *sorted({m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stdout.splitlines() if x.startswith("MODULES ")]
    return set(line.split()[1:])


def test_help_imports_no_web_database_or_pdf_stack() -> None:
    for args in (["--help"], ["person", "--help"], ["ledger", "--help"]):
        imported = _imported_by(*args)
        assert "typer" in imported and not imported & set(HEAVY), args


def test_person_show_reads_without_the_database_toolkit(register: str) -> None:
    imported = _imported_by("person", "show", a_person(register), "--db", register)
    assert "rich" in imported and not imported & set(HEAVY)


def test_the_help_lists_every_command_and_each_loads() -> None:
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert name in listed.stdout
        one = runner.invoke(app, [name, "--help"])
        assert one.exit_code == 0 and "Usage: sabt " + name in one.stdout, one.output
