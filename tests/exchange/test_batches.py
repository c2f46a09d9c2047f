"""Batch verification: a CSV or JSON-lines file answered row by row (each bad row with its
own error, the rest answered), its progress, its result file, its access rows and its one
evidence leaf; a file refused whole (type, header, size, an agency not granted) leaves
nothing; a worker killed mid-job (SIGKILL) leaves a job the next one finishes, each row
answered once."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sabt.exchange import batches, vids
from sabt.exchange.models import BatchJob, EvidenceLeaf
from sabt.identity.models import AccessLog
from sabt.persian import national_code
from tests.exchange.support import ALI, agency_headers
from tests.registration.support import C

BATCHES = "/api/v1/exchange/verify/batches"
PURPOSE = {"purpose": "تطبیق مشتریان"}
CSV_TYPE = {"content-type": "text/csv"}


def wait_done(client: TestClient, headers: dict[str, str], job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        state = client.get(f"{BATCHES}/{job}", headers=headers).json()
        if state["status"] == "done" or time.monotonic() > deadline:
            return dict(state)
        time.sleep(0.05)


def accesses(engine: Engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(AccessLog)
                        .where(AccessLog.action == "exchange.verify-batch")) or 0  # fmt: skip


def test_a_csv_file_is_answered_row_by_row(client: TestClient, engine: Engine) -> None:
    bank = agency_headers(client, engine, "bank", ["verify", "life-status"])
    with Session(engine) as s, s.begin():
        vid = vids.make_vid(s, C["amir"])
    stranger = national_code.allocate("001", 987)
    body = (
        "national_code,vid,first_name,last_name,birth_date\n"
        f"{C['ali']},,علي,محمدی,1353/10/14\n"  # Arabic yeh: still Ali
        f"{C['ali']},,رضا,محمدی,\n"  # a wrong name
        "1234567890,,علی,,\n"  # a wrong check digit
        f"{stranger},,علی,,\n"  # nobody's code
        f",{vid},امیر,,\n"  # a virtual ID
        f"{C['zahra']},,زهرا,,\n"  # deceased
        f"{C['ali']},علی\n"  # wrong field count
        f"{C['ali']},,علی,,1353/13/40\n"  # a date that does not exist
    )
    answer = client.post(
        BATCHES, params=PURPOSE, content=body.encode(), headers={**bank, **CSV_TYPE}
    )
    assert answer.status_code == 202, answer.text
    job = answer.json()["id"]
    state = wait_done(client, bank, job)
    assert (state["rows"], state["rows_done"], state["matched"], state["errors"]) == (8, 8, 3, 3)
    result = client.get(f"{BATCHES}/{job}/result", headers=bank)
    assert result.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(result.text)))
    assert [(r["match"], r["alive"], r["error"]) for r in rows] == [
        ("true", "true", ""), ("false", "false", ""), ("", "", "invalid_national_code"),
        ("false", "false", ""), ("true", "true", ""), ("true", "false", ""),
        ("", "", "bad_row"), ("", "", "bad_birth_date"),
    ]  # fmt: skip
    assert rows[0]["first_name"] == "علي" and rows[2]["error_fa"] and rows[6]["error_en"]
    assert accesses(engine) == 4  # Ali twice, Amir, Zahra: none for the stranger or bad rows
    with Session(engine) as s:
        leaf = s.scalar(select(EvidenceLeaf).where(EvidenceLeaf.transaction_id == job))
    assert leaf is not None and json.loads(leaf.record)["service"] == "verify-batch"
    receipt = client.get(f"/api/v1/exchange/receipts/{job}", headers=bank).json()
    assert receipt["record"]["transaction_id"] == job


def test_json_lines_are_answered_as_json_lines(client: TestClient, engine: Engine) -> None:
    bank = agency_headers(client, engine, "bank", ["verify"])
    rows = [{k: v for k, v in ALI.items() if k != "purpose"}, {"national_code": C["ali"],
            "first_name": "حسین"}, "not an object", {"national_code": C["ali"], "ssn": "1"}]  # fmt: skip
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    job = client.post(BATCHES, params=PURPOSE, content=body.encode(),
                      headers={**bank, "content-type": "application/x-ndjson"}).json()["id"]  # fmt: skip
    assert wait_done(client, bank, job)["status"] == "done"
    lines = client.get(f"{BATCHES}/{job}/result", headers=bank).text.splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a.get("match") for a in answers] == [True, False, None, None]
    assert "alive" not in answers[0]  # not granted life status
    assert [a["error"]["code"] for a in answers[2:]] == ["bad_row", "invalid_row"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"national_code\n", {"content-type": "application/pdf"}, 415, "bad_batch_type"),
        (b"code,name\n1,2\n", CSV_TYPE, 422, "bad_batch_header"),
        (b"first_name\n\xd8\xb9\n", CSV_TYPE, 422, "bad_batch_header"),  # no code or VID
        (b"national_code\n", CSV_TYPE, 422, "empty_batch"),
        (b"national_code\n" + b"0499370899\n" * 6, CSV_TYPE, 413, "batch_too_large"),
    ],
)
def test_a_file_refused_whole_leaves_nothing(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    body: bytes, headers: dict[str, str], status: int, code: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(batches, "MAX_ROWS", 5)
    bank = agency_headers(client, engine, "bank", ["verify"])
    answer = client.post(BATCHES, params=PURPOSE, content=body, headers={**bank, **headers})
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert answer.json()["message_fa"] and answer.json()["message_en"]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(BatchJob)) == 0
    assert list(batches.folder(tmp_path).glob("*")) == []


def test_only_agencies_granted_verify_send_batches(client: TestClient, engine: Engine) -> None:
    pension = agency_headers(client, engine, "pension", ["life-status"])
    body = f"national_code\n{C['ali']}\n".encode()
    refused = client.post(BATCHES, params=PURPOSE, content=body, headers={**pension, **CSV_TYPE})
    assert (refused.status_code, refused.json()["code"]) == (403, "service_not_granted")
    bank = agency_headers(client, engine, "bank", ["verify"])
    job = client.post(BATCHES, params=PURPOSE, content=body, headers={**bank, **CSV_TYPE}).json()
    wait_done(client, bank, job["id"])
    other = agency_headers(client, engine, "other", ["verify"])
    assert client.get(f"{BATCHES}/{job['id']}", headers=other).status_code == 404
    assert client.get(f"{BATCHES}/{job['id']}/result", headers=other).status_code == 404


def test_a_worker_killed_mid_job_leaves_each_row_answered_once(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    bank = agency_headers(client, engine, "bank", ["verify"])
    rows = 3000
    body = "national_code,first_name\n" + f"{C['ali']},علی\n{C['zahra']},مریم\n" * (rows // 2)
    job = _queued(client, engine, tmp_path, body)
    worker = [str(Path(sys.executable).with_name("sabt")), "exchange", "batches", "work",
              "--chunk", "40", "--db", db_url]  # fmt: skip
    env = {**os.environ, "SABT_HOME": str(tmp_path)}
    process = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _done(engine, job) < 400 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = _done(engine, job)
    assert 400 <= interrupted < rows, interrupted
    with Session(engine) as s, s.begin():  # the dead worker's lease: as if it had run out
        s.get_one(BatchJob, job).lease_until = None
    finished = subprocess.run(worker, env=env, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    state = client.get(f"{BATCHES}/{job}", headers=bank).json()
    assert (state["status"], state["rows_done"], state["matched"]) == ("done", rows, rows // 2)
    result = list(csv.DictReader(io.StringIO(client.get(f"{BATCHES}/{job}/result",
                                                          headers=bank).text)))  # fmt: skip
    assert [r["match"] for r in result] == ["true", "false"] * (rows // 2)
    assert accesses(engine) == rows  # each row's access once, however the work was cut


def _queued(client: TestClient, engine: Engine, home: Path, body: str) -> str:
    """A job recorded but not yet worked on (the server's own worker would take it)."""
    from sabt.exchange import service
    from sabt.exchange.models import Agency
    from sabt.identity.service import NOWHERE, Caller

    folder = batches.folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "upload.csv"
    raw.write_text(body, encoding="utf-8")
    prepared = batches.prepare(home, "ab" * 16, raw, "csv")
    raw.unlink()
    with Session(engine) as s, s.begin():
        agency = service.calling_of(s, s.get_one(Agency, "bank"))
        caller = Caller("client", agency.client_id, frozenset(), NOWHERE)
        service.require_service(agency, "verify")
        batches.submit(s, caller, agency, "تطبیق", prepared)
    return prepared.id


def _done(engine: Engine, job: str) -> int:
    with Session(engine) as s:
        return s.get_one(BatchJob, job).rows_done
