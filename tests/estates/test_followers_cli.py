"""Every reaction of the ledger's followers, through the real `sabt` command in a process of
its own (not this test process, where the tests' conftest installed the followers): a
correction approved with `sabt queue approve` reissues the inheritance certificate
(documents, and the estates part's reissue) and upholds the objection that asked for it
(estates' objections); a death revoked with `sabt deaths revoke` and `sabt queue approve`
revokes the certificate and the estate (estates' own follower); a term closed with `sabt
marriages close-expired` supersedes the spouses' e-booklet extracts (documents). A command
that wrote the ledger without its followers would leave the old documents valid, and this
would fail. (A marriage, a divorce and a return are written by the notaries' API only.)
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents import keys
from sabt.documents import service as documents
from sabt.documents.models import Document
from sabt.estates import objections
from sabt.estates.models import Estate, Objection
from sabt.registry import queries
from sabt.registry.models import Person
from tests.estates.support import MINA, import_mina, on_day, register_death, run_worker
from tests.estates.test_end_to_end import _jpeg
from tests.identity import accounts, offices
from tests.registration.support import C, staff
from tests.registration.test_marriages import MARRIAGES, marriage, newcomers
from tests.registry import family


def sabt(home: Path, *args: str) -> Any:
    """Run `sabt ARGS` as a person would, in a process of its own."""
    env = {**os.environ, "SABT_HOME": str(home)}
    command = [sys.executable, "-c", "from sabt.cli.main import main; main()", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _certificates(engine: Engine) -> dict[str, str]:
    with Session(engine) as s:
        rows = s.execute(select(Document.number, Document.status).where(
            Document.kind == "inheritance", Document.subject == C["amir"]))  # fmt: skip
        return dict(rows.all())


def test_each_follower_reacts_to_what_the_command_line_writes(
    client: TestClient, engine: Engine, db_url: str, hospital: dict[str, str], home: Path,
    kin: None,
) -> None:  # fmt: skip
    import_mina(engine)
    register_death(client, hospital, "amir", "D-9")
    on_day(20.1)
    assert run_worker(db_url, engine, home).issued == 1
    [first] = _certificates(engine)
    with Session(engine) as s, s.begin():
        ali = queries.get_person(s, C["ali"])
        objection = objections.file(s, ali, C["amir"], "missing_heir",
                                    "دختر امیر، مینا، در گواهی نیامده است", named=MINA,
                                    files=[_jpeg()]).id  # fmt: skip
    board = staff(client, engine, "dispute_board")
    decided = client.post(f"/api/v1/estates/objections/{objection}/decision", headers=board,
                          json={"decision": "correct", "note": "شناسنامهٔ مینا دیده شد",
                                "corrections": [{"national_code": MINA, "field": "father_code",
                                                 "new_value": C["amir"]}]})  # fmt: skip
    assert decided.status_code == 200, decided.text
    [case] = decided.json()["decision"]["corrections"]

    senior = accounts.add_staff(engine, "senior_registrar", family.OFFICE).username
    sabt(home, "queue", "approve", str(case), "--as", senior, "--note", "دیده شد", "--db", db_url)
    certificates = _certificates(engine)
    assert certificates[first] == "revoked"  # documents: revoked, and reissued by estates
    [second] = [n for n, status in certificates.items() if status == "valid"]
    with Session(engine) as s:
        assert s.get_one(Objection, objection).status == "upheld"  # estates' objections
        assert s.get_one(Estate, C["amir"]).certificate == second

    filer = accounts.add_staff(engine, "senior_registrar", family.OFFICE).username
    filed = sabt(home, "deaths", "revoke", C["amir"], "--as", filer, "--reason",
                 "امیر در اداره حاضر شد و زنده است", "--document-ref", "صورت‌جلسه ۸۸",
                 "--db", db_url)  # fmt: skip
    revocation = filed.stdout.split('"case_id": ')[1].split(",")[0]
    sabt(home, "queue", "approve", revocation, "--as", senior, "--note", "دیده شد", "--db", db_url)
    assert set(_certificates(engine).values()) == {"revoked"}
    with Session(engine) as s:
        assert s.get_one(Person, C["amir"]).status == "alive"
        assert s.get_one(Estate, C["amir"]).status == "revoked"  # estates' own follower


def test_a_term_closed_from_the_command_line_supersedes_the_spouses_extracts(
    client: TestClient, engine: Engine, db_url: str, home: Path
) -> None:
    husband, wife = newcomers(engine, (21, "male", "بهرام", date(1970, 1, 1), None),
                              (22, "female", "رعنا", date(1990, 1, 1), None))  # fmt: skip
    expired = marriage(husband, wife, kind="temporary", married_at="2025-01-01T10:00:00+03:30",
                       term_end="2025-06-01")  # fmt: skip
    notary = accounts.client_headers(client, engine, "marriage_notary", offices.MARRIAGE_NOTARY)
    assert client.post(MARRIAGES, json=expired, headers=notary).status_code == 201
    with Session(engine) as s, s.begin():
        extract = documents.issue(s, keys.load(home), "booklet", husband, "test").document.number
    registrar = accounts.add_staff(engine, "registrar", family.OFFICE).username
    sabt(home, "marriages", "close-expired", "--as", registrar, "--db", db_url)
    with Session(engine) as s:
        assert s.get_one(Document, extract).status == "superseded"
