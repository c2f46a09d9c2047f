from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from sabt.kit import canonical
from sabt.registry import ledger
from sabt.registry.db import write_session
from sabt.registry.service import append
from tests.registry import family

MODE = "serial"


@pytest.fixture(autouse=True, params=["serial", "parallel"])
def mode(request: pytest.FixtureRequest) -> None:
    """Every check runs twice: one pass over the chain, and segments of 3 entries checked
    by two processes and joined."""
    global MODE
    MODE = request.param


def _verify(engine: Engine) -> ledger.VerifyResult:
    with engine.connect() as conn:
        if MODE == "serial":
            return ledger.verify(conn)
        url = engine.url.render_as_string(hide_password=False)
        return ledger.verify(conn, url=url, workers=2, segment_size=3)


def _sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    family.load(engine)
    return engine


def test_the_chain_holds_after_an_import(loaded: Engine) -> None:
    result = _verify(loaded)
    assert result.ok, result.reason
    assert result.entries == result.head_seq == len(family.records())


def test_hash_rule_is_sha256_of_previous_hash_and_canonical_payload(loaded: Engine) -> None:
    with loaded.connect() as conn:
        first, second = conn.execute(
            text("SELECT payload, prev_hash, hash FROM ledger WHERE seq <= 2 ORDER BY seq")
        ).all()
    assert first.prev_hash == ledger.GENESIS
    assert first.hash == ledger.entry_hash(ledger.GENESIS, first.payload.encode())
    assert second.prev_hash == first.hash
    fields = canonical.loads(second.payload)
    assert canonical.dumps(fields).decode() == second.payload  # stored in canonical form
    assert fields["seq"] == 2 and fields["kind"] == "person.imported"


def test_an_edited_payload_is_caught(loaded: Engine) -> None:
    _sql(loaded, "UPDATE ledger SET payload = replace(payload, 'حسن', 'حسین') WHERE seq = 2")
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 2 and "payload" in (result.reason or "")


def test_an_edited_column_is_caught(loaded: Engine) -> None:
    _sql(loaded, "UPDATE ledger SET actor = 'someone-else' WHERE seq = 4")
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 4 and "actor" in (result.reason or "")


def test_a_rehashed_edit_breaks_the_next_link(loaded: Engine) -> None:
    with loaded.connect() as conn:
        payload, prev = conn.execute(
            text("SELECT payload, prev_hash FROM ledger WHERE seq = 3")
        ).one()
    forged = payload.replace("زهرا", "زهره")
    _sql(
        loaded,
        "UPDATE ledger SET payload = :p, hash = :h WHERE seq = 3",
        p=forged,
        h=ledger.entry_hash(prev, forged.encode()),
    )
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 4 and "prev_hash" in (result.reason or "")


def test_a_deleted_entry_is_caught(loaded: Engine) -> None:
    _sql(loaded, "DELETE FROM ledger WHERE seq = 5")
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 5


def test_a_deleted_last_entry_is_caught_by_the_head(loaded: Engine) -> None:
    last = len(family.records())
    _sql(loaded, "DELETE FROM ledger WHERE seq = :s", s=last)
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == last and "ledger_head" in (result.reason or "")


def test_an_inserted_entry_is_caught(loaded: Engine) -> None:
    _sql(loaded, "UPDATE ledger SET seq = seq + 1000 WHERE seq >= 6")
    _sql(loaded, "UPDATE ledger SET seq = seq - 999 WHERE seq >= 1006")
    with loaded.connect() as conn:
        prev = conn.execute(text("SELECT hash FROM ledger WHERE seq = 5")).scalar_one()
    payload = '{"actor":"x","data":{},"kind":"person.imported","occurred_at":"2025-01-01T00:00:00Z","office":null,"recorded_at":"2025-01-01T00:00:00Z","seq":6,"subject":"x"}'
    _sql(loaded, "INSERT INTO ledger (seq, kind, subject, payload, actor, office, occurred_at, recorded_at, prev_hash, hash)"
         " VALUES (6, 'person.imported', 'x', :p, 'x', NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', :prev, :h)",
         p=payload, prev=prev, h=ledger.entry_hash(prev, payload.encode()))  # fmt: skip
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 7


def append_after_the_head(engine: Engine) -> int:
    """A correctly chained row written after the last entry, the head row left where it was
    (what someone with write access to the table alone could do)."""
    with engine.connect() as conn:
        head = ledger.current_head(conn)
    seq = head.seq + 1
    payload = canonical.dumps({"actor": "x", "data": {}, "kind": "person.imported",
                               "occurred_at": "2025-01-01T00:00:00Z", "office": None,
                               "recorded_at": "2025-01-01T00:00:00Z", "seq": seq,
                               "subject": "x"}).decode()  # fmt: skip
    _sql(engine, "INSERT INTO ledger (seq, kind, subject, payload, actor, office, occurred_at, recorded_at, prev_hash, hash)"
         " VALUES (:s, 'person.imported', 'x', :p, 'x', NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', :prev, :h)",
         s=seq, p=payload, prev=head.hash, h=ledger.entry_hash(head.hash, payload.encode()))  # fmt: skip
    return seq


def test_a_chained_row_past_the_head_is_caught_and_named(loaded: Engine) -> None:
    forged = append_after_the_head(loaded)
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == forged
    assert "after the ledger head" in (result.reason or "")


def test_reordered_entries_are_caught(loaded: Engine) -> None:
    _sql(loaded, "UPDATE ledger SET seq = -3 WHERE seq = 3")
    _sql(loaded, "UPDATE ledger SET seq = 3 WHERE seq = 4")
    _sql(loaded, "UPDATE ledger SET seq = 4 WHERE seq = -3")
    result = _verify(loaded)
    assert not result.ok and result.first_bad_seq == 3


def test_appends_continue_the_chain(loaded: Engine, fixed_clock: object) -> None:
    with write_session(loaded) as session:
        seqs = append(
            session,
            [
                ledger.NewEntry(
                    "code.allocated",
                    family.code(500),
                    {
                        "prefix": "001",
                        "serial": 500,
                        "national_code": family.code(500),
                        "purpose": "test",
                    },
                    "tester",
                )
            ],
        )
    assert seqs == [len(family.records()) + 1]
    assert _verify(loaded).ok


@pytest.mark.parametrize(
    ("at", "written"),
    [
        (datetime(2025, 3, 21, 6, 30, tzinfo=UTC), "2025-03-21T06:30:00Z"),
        (datetime(2025, 3, 21, 6, 30, 0, 250, tzinfo=UTC), "2025-03-21T06:30:00.000250Z"),
        (datetime(2025, 3, 21, 10, 0, tzinfo=ZoneInfo("Asia/Tehran")), "2025-03-21T06:30:00Z"),
        (datetime(2025, 3, 21, 6, 30, tzinfo=timezone(timedelta(0))), "2025-03-21T06:30:00Z"),
    ],
)
def test_an_instant_is_written_in_utc_with_a_z(at: datetime, written: str) -> None:
    assert ledger.utc_text(at) == written


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        ledger.utc_text(datetime(2025, 3, 21, 6, 30))
