from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.kit.errors import NotFound
from sabt.registry import queries as q
from tests.registry import family
from tests.registry.family import CODES


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    family.load(engine)
    with Session(engine) as s:
        yield s


def codes(people: list[object]) -> set[str]:
    return {p.national_code for p in people}  # type: ignore[attr-defined]


def person(session: Session, name: str) -> object:
    return q.get_person(session, CODES[name])


def test_person_is_stored_normalised(session: Session) -> None:
    ali = q.get_person(session, CODES["ali"])
    assert ali.first_name == "علی"  # entered with Arabic yeh
    reza = q.get_person(session, CODES["reza"])
    assert reza.first_name == "محمد\u200cرضا" and reza.first_name_key == "محمدرضا"


def test_unknown_person(session: Session) -> None:
    with pytest.raises(NotFound):
        q.get_person(session, family.code(999))


def test_parents_children_and_spouses(session: Session) -> None:
    hasan = q.get_person(session, CODES["hasan"])
    assert codes(q.children(session, hasan)) == {CODES[n] for n in ("ali", "sara", "reza")}
    assert codes(q.parents(session, q.get_person(session, CODES["amir"]))) == {
        CODES["ali"],
        CODES["wife_ali"],
    }
    marriages = q.spouses(session, hasan)
    assert [(s.person.national_code, s.end_reason) for s in marriages] == [
        (CODES["zahra"], "death"),
        (CODES["maryam"], None),
    ]
    assert [
        s.person.national_code for s in q.spouses(session, q.get_person(session, CODES["sara"]))
    ] == [CODES["karim"]]


def test_siblings_full_paternal_maternal(session: Session) -> None:
    ali = q.get_person(session, CODES["ali"])
    assert codes(q.siblings(session, ali, "full")) == {CODES["sara"]}
    assert codes(q.siblings(session, ali, "paternal")) == {CODES["reza"]}
    assert codes(q.siblings(session, ali, "maternal")) == set()
    assert codes(q.siblings(session, ali)) == {CODES["sara"], CODES["reza"]}
    assert q.siblings(session, q.get_person(session, CODES["hasan"])) == []
    with pytest.raises(ValueError):
        q.siblings(session, ali, "cousin")


def test_grandparents_uncles_and_cousins(session: Session) -> None:
    amir = q.get_person(session, CODES["amir"])
    assert codes(q.grandparents(session, amir)) == {CODES["hasan"], CODES["zahra"]}
    assert codes(q.uncles_and_aunts(session, amir)) == {CODES["sara"], CODES["reza"]}
    assert codes(q.cousins(session, amir)) == {CODES["neda"]}
    assert codes(q.cousins(session, q.get_person(session, CODES["neda"]))) == {CODES["amir"]}


def test_search_by_normalised_name(session: Session) -> None:
    assert codes(q.search(session, "محمدرضا محمدی")) == {CODES["reza"]}
    assert codes(q.search(session, "محمد رضا")) == {CODES["reza"]}
    assert codes(q.search(session, "علي محمدي")) == {CODES["ali"]}
    assert codes(q.search(session, "رضایی")) == {CODES["karim"], CODES["neda"]}  # رضائی = رضایی
    assert codes(q.search(session, "محمدی", father_name="حسن")) == {
        CODES[n] for n in ("ali", "sara", "reza")
    }
    assert codes(q.search(session, "محمدی", father_name="حسن", birth_year=1978)) == {CODES["sara"]}
