import multiprocessing

import pytest
from sqlalchemy import Engine, select

from sabt import followers
from sabt.kit.errors import BadInput
from sabt.persian import national_code
from sabt.registry import ledger, service
from sabt.registry.db import make_engine, write_session
from sabt.registry.models import CodeCounter
from tests.registry import family


def _allocate_many(url: str, count: int, queue: "multiprocessing.Queue[list[str]]") -> None:
    followers.install()  # a process of its own that writes the ledger, as the API's are
    engine = make_engine(url)
    codes = []
    for _ in range(count):
        with write_session(engine) as session:
            codes.append(
                service.allocate_national_code(session, "001", actor="worker", purpose="test")
            )
    queue.put(codes)
    engine.dispose()


def test_allocation_skips_imported_codes_and_is_recorded(engine: Engine) -> None:
    family.load(engine)  # imports serials 1..10 of prefix 001
    with write_session(engine) as session:
        code = service.allocate_national_code(session, "001", actor="t", purpose="birth")
    assert code == national_code.allocate("001", 11)
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(CodeCounter.next_serial).where(CodeCounter.prefix == "001")
            ).scalar()
            == 12
        )
        assert ledger.verify(conn).ok


def test_unknown_prefix_is_a_clear_error(engine: Engine) -> None:
    family.load(engine)
    with pytest.raises(BadInput) as info, write_session(engine) as session:
        service.allocate_national_code(session, "002", actor="t", purpose="birth")
    assert info.value.code == "unknown_prefix"


def test_concurrent_processes_never_receive_the_same_code(engine: Engine, db_url: str) -> None:
    family.load(engine)
    workers, each = 4, 15
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[str]] = ctx.Queue()
    processes = [
        ctx.Process(target=_allocate_many, args=(db_url, each, queue)) for _ in range(workers)
    ]
    for p in processes:
        p.start()
    results = [queue.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    codes = [c for batch in results for c in batch]
    assert len(codes) == workers * each == len(set(codes))
    assert all(national_code.is_valid(c) for c in codes)
    with engine.connect() as conn:
        assert ledger.verify(conn).ok
