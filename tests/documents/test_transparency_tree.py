"""The transparency log keeps its Merkle tree as it grows (kit.merkle_store): after every
issuance and revocation the stored subtrees are exactly the tree of the leaves, and every
root and proof read from them is the one computed from all the leaves; a register rebuilt
by `replay` (leaves only) answers the same proofs and completes its tree at its next write;
the migration fills the tree of a log written before it, on SQLite and PostgreSQL."""

from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents import keys, service
from sabt.documents.models import TransparencyLeaf, TransparencyNode
from sabt.kit import merkle
from sabt.registry import schema
from sabt.registry.db import make_engine
from sabt.registry.replay import replay
from tests.registration.support import C

WHO = ("ali", "amir", "zahra", "karim", "hasan", "wife_ali", "reza")


def _issue_and_revoke(engine: Engine, home: Path) -> None:
    signing = keys.load(home)
    with Session(engine) as s, s.begin():
        numbers = [service.issue(s, signing, "booklet", C[w], "test").document.number
                   for w in WHO]  # fmt: skip
        service.end(s, numbers[2], "revoked", "نادرست صادر شد", "test")


def _leaves(engine: Engine) -> list[bytes]:
    with Session(engine) as s:
        return service.leaf_hashes(s, 0, 1_000)


def _stored(engine: Engine) -> dict[merkle.Node, bytes]:
    with Session(engine) as s:
        rows = s.execute(select(TransparencyNode.level, TransparencyNode.idx,
                                TransparencyNode.hash))  # fmt: skip
        return {(lv, i): bytes.fromhex(h) for lv, i, h in rows}


def _proofs_hold(engine: Engine, hashes: list[bytes]) -> None:
    n = len(hashes)
    with Session(engine) as s:
        for size in range(1, n + 1):
            assert service.TREE.root(s, size) == merkle.root(hashes[:size])
            for i in range(size):
                assert service.TREE.inclusion(s, i, size) == merkle.inclusion_proof(
                    i, hashes[:size]
                )
            for first in range(1, size + 1):
                assert service.TREE.consistency(s, first, size) == merkle.consistency_proof(
                    first, hashes[:size]
                )


def test_the_stored_tree_is_the_tree_of_the_leaves(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    _issue_and_revoke(engine, tmp_path)
    hashes = _leaves(engine)
    assert len(hashes) == len(WHO) + 1
    assert _stored(engine) == merkle.all_nodes(hashes)
    _proofs_hold(engine, hashes)


def test_a_replayed_register_proves_the_same_and_completes_its_tree(
    client: TestClient, engine: Engine, second_url: str, tmp_path: Path
) -> None:
    _issue_and_revoke(engine, tmp_path)
    hashes = _leaves(engine)
    rebuilt = make_engine(second_url)
    replay(engine, rebuilt)
    assert _stored(rebuilt) == {}  # the tree is derived: replay writes the leaves only
    _proofs_hold(rebuilt, hashes)
    with Session(rebuilt) as s, s.begin():
        service.issue(s, keys.load(tmp_path), "birth", C["amir"], "test")
    assert _stored(rebuilt) == merkle.all_nodes(_leaves(rebuilt))
    rebuilt.dispose()


def test_the_migration_fills_the_tree_of_an_earlier_log(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    _issue_and_revoke(engine, tmp_path)
    config = schema.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0015")
    with engine.connect() as conn:
        assert conn.scalar(select(TransparencyLeaf.leaf_index).limit(1)) is not None
    schema.upgrade(engine)
    assert _stored(engine) == merkle.all_nodes(_leaves(engine))
    with Session(engine) as s, s.begin():
        service.issue(s, keys.load(tmp_path), "birth", C["amir"], "test")
    assert _stored(engine) == merkle.all_nodes(_leaves(engine))
