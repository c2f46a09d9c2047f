"""`sabt person show` reads one person through the database's own driver (registry.lookup):
its answer is the API's, field for field, on SQLite and PostgreSQL; a register that is not
there is told, never created."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.kit.errors import BadInput, NotFound
from sabt.registry import lookup, queries
from sabt.registry.schemas import PersonOut
from tests.registry import family
from tests.registry.family import CODES


def test_every_field_as_the_api_shows_it(engine: Engine, db_url: str) -> None:
    family.load(engine)
    with Session(engine) as session:
        for name, code in CODES.items():
            api = PersonOut.of(queries.get_person(session, code)).model_dump(mode="json")
            assert lookup.person(db_url, code) == api, name
    assert lookup.person(db_url, CODES["zahra"])["death_date_jalali"]  # a death is shown too


def test_unknown_person(engine: Engine, db_url: str) -> None:
    family.load(engine)
    with pytest.raises(NotFound):
        lookup.person(db_url, family.code(999))


def test_a_register_that_is_not_there_is_told_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(BadInput) as caught:
        lookup.person(f"sqlite:///{missing}", CODES["ali"])
    assert caught.value.code == "no_register" and not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(BadInput, match="no register"):
        lookup.person(f"sqlite:///{empty}", CODES["ali"])


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "sqlite://", "postgresql://nobody@127.0.0.1:1/none"]
)
def test_bad_or_unreachable_database(url: str) -> None:
    with pytest.raises(BadInput):
        lookup.person(url, CODES["ali"])
