"""Kill the worker (SIGKILL, no chance to clean up) at arbitrary moments while it works
through a backlog of deaths, start it again, and again: in the end every due death is
settled exactly once, no certificate is issued twice, the ledger's chain holds, and every
notice was handed to the gateway at least once."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sabt.documents.models import Document
from sabt.estates.models import Estate, Notice
from sabt.registry import ledger
from sabt.registry.models import Person
from sabt.synth.cli import synth

NOW = "2025-10-25T00:00:00+00:00"  # the synthetic register ends on 2025-09-22
SINCE = "2025-06-01"


def _worker(db_url: str, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SABT_HOME": str(home), "SABT_NOW": NOW, "SABT_ESTATES_SINCE": SINCE}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "sabt"), "worker", "--once", "--db", db_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_killing_the_worker_at_any_moment_never_issues_twice_nor_skips_a_death(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    synth(people=10_000, seed=3, end="1404/06/31", db=db_url, show_report=False)
    rng = random.Random(9)
    kills = 0
    for _ in range(6):
        process = _worker(db_url, tmp_path)
        time.sleep(rng.uniform(0.8, 2.6))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    finished = _worker(db_url, tmp_path)
    assert finished.wait(timeout=300) == 0
    assert kills >= 1

    with Session(engine) as s:
        due = set(s.scalars(select(Person.national_code).where(
            Person.death_registered_at >= datetime(2025, 6, 1),
            Person.death_registered_at <= datetime(2025, 9, 25))))  # fmt: skip
        settled = set(s.scalars(select(Estate.deceased)))
        issued = s.execute(select(Document.subject, func.count()).where(
            Document.kind == "inheritance").group_by(Document.subject)).all()  # fmt: skip
        unsent = s.scalar(select(func.count()).select_from(Notice).where(Notice.sent_at.is_(None)))
        notices = list(s.scalars(select(Notice.text)))
    with engine.connect() as conn:
        assert ledger.verify(conn).ok
    assert len(due) > 30 and settled == due
    assert all(n == 1 for _, n in issued)
    with Session(engine) as s:
        on_estates = set(
            s.scalars(select(Estate.certificate).where(Estate.certificate.is_not(None)))
        )
    assert on_estates == _numbers(engine)
    assert unsent == 0
    outbox = (tmp_path / "sms" / "outbox.jsonl").read_text(encoding="utf-8")
    sent = {json.loads(line)["text"] for line in outbox.splitlines()}
    assert set(notices) <= sent


def _numbers(engine: Engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Document.number).where(Document.kind == "inheritance")))
