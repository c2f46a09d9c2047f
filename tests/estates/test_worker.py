"""The worker settles a death's estate N days after its registration, unasked: a final
division is certified (ledger, transparency log, SMS to adult heirs and to a minor's surviving
parent); one the register cannot settle is queued with the reasons. Run again, it does
nothing; a run that dies mid-transaction leaves nothing, and the next issues once."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sabt.documents.models import Document
from sabt.estates import service, worker
from sabt.estates.models import Estate, Notice
from sabt.kit import canonical
from sabt.registry.models import LedgerEntry
from tests.estates.support import (
    MOBILES,
    SINA,
    on_day,
    outbox,
    register_death,
    run_worker,
    settings_of,
)  # fmt: skip
from tests.registration.support import C, assert_replay_rebuilds, ledger_size


def certificates(engine: Engine, code: str) -> list[Document]:
    with Session(engine) as s:
        return list(s.scalars(select(Document).where(Document.kind == "inheritance",
                                                     Document.subject == code)))  # fmt: skip


def test_on_day_20_the_certificate_is_issued_and_every_heir_told(
    client: TestClient, engine: Engine, db_url: str, home: Path, hospital: dict[str, str],
    kin: None, second_url: str,
) -> None:  # fmt: skip
    register_death(client, hospital)
    on_day(19)
    assert run_worker(db_url, engine, home).issued == 0 and not certificates(engine, C["ali"])
    on_day(20.1)
    done = run_worker(db_url, engine, home)
    assert (done.issued, done.queued, done.failed) == (1, 0, 0)
    [certificate] = certificates(engine, C["ali"])
    assert certificate.status == "valid" and certificate.issued_by == service.WORKER
    facts = canonical.loads(certificate.facts)
    heirs = {h["national_code"]: h for h in facts["tables"][0]["heirs"]}
    # wife 1/8, father 1/6, the rest to the two sons equally (Arts. 901, 907, 913)
    assert heirs[C["wife_ali"]]["share"] == "1/8" and heirs[C["hasan"]]["share"] == "1/6"
    assert heirs[C["amir"]]["share"] == heirs[SINA]["share"] == "17/48"
    with Session(engine) as s:
        estate = s.get_one(Estate, C["ali"])
        assert estate.status == "issued" and estate.certificate == certificate.number
        assert estate.objection_until.isoformat() == facts["objection"]["until"]  # type: ignore[union-attr]
    sent = {m["to"]: m["text"] for m in outbox(home)}
    # adults are told themselves; Sina (a minor, though he has a phone) through his mother
    assert set(sent) == {MOBILES["wife_ali"], MOBILES["amir"], MOBILES["hasan"]}
    assert "سینا" in sent[MOBILES["wife_ali"]] and "شما از وراث هستید" in sent[MOBILES["wife_ali"]]
    assert "سینا" not in sent[MOBILES["amir"]]
    for text in sent.values():
        assert certificate.number in text and f"/sahim/inheritance/{C['ali']}" in text
    assert done.sent == 3
    kinds = _kinds(engine)
    assert kinds["document.issued"] == 1 and kinds["estate.settled"] == 1
    assert kinds["notice.sent"] == 3

    size = ledger_size(engine)
    again = run_worker(db_url, engine, home)  # idempotent: nothing more to do
    assert again.as_json() == {
        "issued": 0, "queued": 0, "failed": 0, "sent": 0, "unsent": 0, "checkpoints": 0
    }  # fmt: skip
    assert ledger_size(engine) == size and len(outbox(home)) == 3
    assert_replay_rebuilds(engine, second_url)


def _kinds(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        rows = s.execute(select(LedgerEntry.kind, func.count()).group_by(LedgerEntry.kind))
        return {kind: n for kind, n in rows}


def test_an_estate_with_gaps_is_queued_with_the_reasons(
    client: TestClient, engine: Engine, db_url: str, home: Path, hospital: dict[str, str],
    kin: None,
) -> None:  # fmt: skip
    register_death(client, hospital, "hasan", "D-7")  # his parents are not in the register
    on_day(21)
    done = run_worker(db_url, engine, home)
    assert (done.issued, done.queued) == (0, 1) and not certificates(engine, C["hasan"])
    with Session(engine) as s:
        estate = s.get_one(Estate, C["hasan"])
        codes = {r["code"] for r in service.reasons_of(estate)}
    assert estate.status == "queued" and codes == {"parent_unknown"}
    assert outbox(home) == []


class Crash(Exception):
    """Stands for the process dying: nothing catches it."""


def test_a_run_that_dies_mid_transaction_leaves_nothing_and_the_next_issues_once(
    client: TestClient, engine: Engine, db_url: str, home: Path, hospital: dict[str, str],
    kin: None, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    register_death(client, hospital)
    on_day(20.1)
    size = ledger_size(engine)

    def die(*_: object, **__: object) -> list[object]:
        raise Crash  # after the certificate was written, before the estate's entry

    with monkeypatch.context() as m:
        m.setattr(service, "_notices", die)
        with pytest.raises(Crash):
            run_worker(db_url, engine, home)
    assert ledger_size(engine) == size and not certificates(engine, C["ali"])
    with Session(engine) as s:
        assert s.get(Estate, C["ali"]) is None

    class DownAfterOne:
        """A gateway that takes one message and then fails the process."""

        def __init__(self) -> None:
            self.sent: list[str] = []

        def send(self, mobile: str, text: str) -> None:
            if self.sent:
                raise Crash
            self.sent.append(mobile)

    gateway = DownAfterOne()
    with pytest.raises(Crash):
        worker.run_once(engine, settings_of(db_url, home), gateway)
    assert len(certificates(engine, C["ali"])) == 1
    with Session(engine) as s:
        marked = s.scalar(
            select(func.count()).select_from(Notice).where(Notice.sent_at.is_not(None))
        )
    assert marked == 1  # the one the gateway took; the others wait
    done = run_worker(db_url, engine, home)
    assert (done.issued, done.sent) == (0, 2) and len(certificates(engine, C["ali"])) == 1
