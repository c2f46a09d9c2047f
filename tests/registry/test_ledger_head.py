"""Within one transaction the ledger head is read (and locked) once and kept; a failed
append forgets it, and a new transaction reads it afresh."""

import pytest
from sqlalchemy import Engine

from sabt.registry import ledger
from sabt.registry.db import write_session
from sabt.registry.service import append
from tests.registry import family


def test_the_head_is_kept_per_transaction_and_dropped_on_failure(engine: Engine) -> None:
    family.load(engine)
    with write_session(engine) as s:
        head = ledger.lock_head(s)
        assert ledger.lock_head(s) is head
        append(s, [ledger.NewEntry("code.allocated", "x", {"prefix": "001", "serial": 50}, "t")])
        assert ledger.lock_head(s) is head and head.seq > 0
        bad = ledger.NewEntry("person.died", "0000000000", {"national_code": "0000000000",
                              "death_date": "2025-01-01", "death_at": "2025-01-01T00:00:00Z",
                              "death_place": None, "death_registered_at": "2025-01-01T00:00:00Z",
                              "marriages_ended": []}, "t")  # fmt: skip
        with pytest.raises(ValueError, match="matched 0 rows"):
            append(s, [bad])
        assert ledger.HEAD_KEY not in s.info
        s.rollback()
    with write_session(engine) as s:
        fresh = ledger.lock_head(s)
        assert fresh is not head and fresh.seq == head.seq - 2  # both appends rolled back
    with engine.connect() as conn:
        assert ledger.verify(conn).ok
