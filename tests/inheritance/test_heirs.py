"""Heirs resolved from the register, on hand-built families (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.inheritance import service
from sabt.inheritance.case import SEX_OF
from sabt.inheritance.heirs import LONGEST_PREGNANCY
from sabt.kit.errors import NotFound, SabtError
from sabt.registry import service as registry
from sabt.registry.schemas import MarriageRecord, PersonRecord
from tests.registry import family

DEATH = date(2024, 8, 2)  # 1403/05/12


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Tree:
    """A family written person by person, loaded through the register's import."""

    def __init__(self) -> None:
        self.records: list[object] = [family.office()]
        self.serial = 100

    def person(self, sex: str, born: int | date = 1960, *, died: date | None = None,
               father: str | None = None, mother: str | None = None, death_at: datetime | None = None,
               religion: str = "muslim", school: str = "shia") -> str:  # fmt: skip
        self.serial += 1
        code = family.code(self.serial)
        self.records.append(PersonRecord(
            code, "نام", "خانواده", None, sex, born if isinstance(born, date) else date(born, 1, 1),
            family.TEHRAN, family.TEHRAN, religion=religion, school=school,
            death_date=died, death_at=death_at, father=father, mother=mother,
        ))  # fmt: skip
        return code

    def marry(self, husband: str, wife: str, since: int = 1980, **end: Any) -> None:
        self.records.append(MarriageRecord(len(self.records), husband, wife, end.pop("kind", "permanent"),
                                           at(date(since, 1, 1)), family.OFFICE, **end))  # fmt: skip

    def resolve(self, engine: Engine, code: str) -> dict[str, Any]:
        registry.bulk_import(engine, self.records)  # type: ignore[arg-type]
        with Session(engine) as session:
            return service.resolve(session, code).as_json()


def heirs_of(out: dict[str, Any]) -> dict[str, str]:
    """{national code: relation} of everyone listed who was alive at the death."""
    return {h["id"]: h["relation"] for h in out["case"]["heirs"] if not h.get("deceased")}


def gap_codes(out: dict[str, Any]) -> list[str]:
    return [g["code"] for g in out["gaps"]]


def a_family(t: Tree) -> dict[str, str]:
    """Grandparents, parents, the decedent (a man) with wife and children, his siblings."""
    c: dict[str, str] = {}
    c["pgf"], c["pgm"] = (
        t.person("male", 1920, died=date(1990, 1, 1)),
        t.person("female", 1925, died=date(1995, 1, 1)),
    )
    c["father"] = t.person("male", 1945, father=c["pgf"], mother=c["pgm"])
    c["mother"] = t.person("female", 1950)
    c["d"] = t.person("male", 1970, died=DEATH, father=c["father"], mother=c["mother"])
    c["wife"] = t.person("female", 1975)
    t.marry(c["d"], c["wife"], 1995)
    c["son"] = t.person("male", 1996, father=c["d"], mother=c["wife"])
    c["daughter"] = t.person("female", 1998, father=c["d"], mother=c["wife"])
    c["brother"] = t.person("male", 1972, father=c["father"], mother=c["mother"])
    c["uncle"] = t.person("male", 1947, father=c["pgf"], mother=c["pgm"])
    return c


def test_first_class_with_spouse(engine: Engine) -> None:
    t = Tree()
    c = a_family(t)
    out = t.resolve(engine, c["d"])
    assert heirs_of(out) == {c["wife"]: "spouse", c["father"]: "father", c["mother"]: "mother",
                             c["son"]: "son", c["daughter"]: "daughter", c["brother"]: "full_brother"}  # fmt: skip
    result = out["result"]
    assert result["status"] == "final"
    assert result["shares"][c["wife"]] == "1/8"
    assert result["shares"][c["father"]] == "1/6"
    # 1 - 1/8 - 1/6 - 1/6 = 13/24, son and daughter 2:1
    assert result["shares"][c["son"]] == "13/36" and result["shares"][c["daughter"]] == "13/72"
    assert result["shares"][c["brother"]] == "0"
    assert out["case"]["deceased"] == {"muslim": True, "date_of_death": "1403/05/12"}


def test_a_complete_family_has_no_gaps(engine: Engine) -> None:
    t = Tree()
    c = a_family(t)
    out = t.resolve(engine, c["d"])
    assert out["completeness"] == "complete", out["gaps"]
    assert {a["code"] for a in out["assumptions"]} == {
        "no_pregnancy",
        "no_impediment",
        "no_missing_heir",
    }


def test_an_heir_who_died_after_is_listed_with_the_date(engine: Engine) -> None:
    t = Tree()
    c = a_family(t)
    t.records = [r for r in t.records if getattr(r, "national_code", None) != c["son"]]
    c["son"] = t.person("male", 1996, father=c["d"], mother=c["wife"], died=date(2024, 9, 1))
    out = t.resolve(engine, c["d"])
    son = next(h for h in out["case"]["heirs"] if h["id"] == c["son"])
    assert son["died_on"] == "1403/06/11" and not son.get("deceased")
    assert out["result"]["shares"][c["son"]] != "0"


def test_predeceased_child_is_represented_by_grandchildren(engine: Engine) -> None:
    t = Tree()
    d = t.person("female", 1940, died=DEATH)
    son = t.person("male", 1962, died=date(2010, 1, 1), mother=d)
    daughter = t.person("female", 1965, mother=d)
    g1 = t.person("female", 1990, father=son)
    g2 = t.person("male", 1992, father=son)
    out = t.resolve(engine, d)
    case_heirs = {h["id"]: h for h in out["case"]["heirs"]}
    assert case_heirs[son]["deceased"] is True
    assert case_heirs[g1]["via"] == son and case_heirs[g1]["relation"] == "granddaughter"
    assert out["result"]["shares"] == {daughter: "1", g1: "0", g2: "0"}


def test_grandchildren_take_when_no_child_is_alive(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1940, died=DEATH)
    son = t.person("male", 1962, died=date(2010, 1, 1), father=d)
    g1 = t.person("female", 1990, father=son)
    g2 = t.person("male", 1992, father=son)
    out = t.resolve(engine, d)
    assert out["result"]["shares"] == {g1: "1/3", g2: "2/3"}


def test_second_class_siblings_nephews_and_half_siblings(engine: Engine) -> None:
    t = Tree()
    gf, gm = t.person("male", 1900, died=date(1970, 1, 1)), t.person("female", 1905)
    father = t.person("male", 1930, died=date(2000, 1, 1), father=gf, mother=gm)
    mother = t.person("female", 1935, died=date(2001, 1, 1))
    other_wife = t.person("female", 1940)
    d = t.person("male", 1960, died=DEATH, father=father, mother=mother)
    full = t.person("female", 1962, father=father, mother=mother)
    half = t.person("male", 1965, father=father, mother=other_wife)
    gone = t.person("male", 1958, died=date(2020, 1, 1), father=father, mother=mother)
    nephew = t.person("male", 1985, father=gone)
    out = t.resolve(engine, d)
    relations = heirs_of(out)
    assert relations[full] == "full_sister" and relations[half] == "paternal_brother"
    assert relations[nephew] == "nephew" and relations[gm] == "paternal_grandmother"
    assert gf not in relations  # died before the decedent
    shares = out["result"]["shares"]
    # A full sibling excludes the half brother (918) and the nephew (890); the paternal
    # grandmother counts as a sister beside her (924).
    assert shares == {full: "1/2", half: "0", nephew: "0", gm: "1/2"}


def test_grandparents_share_with_siblings(engine: Engine) -> None:
    t = Tree()
    gf = t.person("male", 1930)
    father = t.person("male", 1950, died=date(2000, 1, 1), father=gf)
    mother = t.person("female", 1952, died=date(2001, 1, 1))
    d = t.person("male", 1975, died=DEATH, father=father, mother=mother)
    sister = t.person("female", 1977, father=father, mother=mother)
    out = t.resolve(engine, d)
    assert heirs_of(out)[gf] == "paternal_grandfather"
    assert out["result"]["shares"] == {gf: "2/3", sister: "1/3"}  # 2:1 on the father's side (924)


def test_third_class_uncles_with_ties_and_cousins(engine: Engine) -> None:
    t = Tree()
    pgf, pgm, other = (
        t.person("male", 1900, died=date(1980, 1, 1)),
        t.person("female", 1905, died=date(1985, 1, 1)),
        t.person("female", 1910, died=date(1990, 1, 1)),
    )
    father = t.person("male", 1930, died=date(2000, 1, 1), father=pgf, mother=pgm)
    mother = t.person("female", 1935, died=date(2001, 1, 1))
    d = t.person("male", 1960, died=DEATH, father=father, mother=mother)
    full_uncle = t.person("male", 1932, father=pgf, mother=pgm)
    half_aunt = t.person("female", 1940, father=pgf, mother=other)
    gone_uncle = t.person("male", 1934, died=date(2010, 1, 1), father=pgf, mother=pgm)
    cousin = t.person("male", 1965, father=gone_uncle)
    out = t.resolve(engine, d)
    case_heirs = {h["id"]: h for h in out["case"]["heirs"]}
    assert (
        case_heirs[full_uncle]["relation"] == "paternal_uncle"
        and case_heirs[full_uncle]["tie"] == "full"
    )
    assert (
        case_heirs[half_aunt]["relation"] == "paternal_aunt"
        and case_heirs[half_aunt]["tie"] == "paternal"
    )
    assert case_heirs[cousin]["via"] == gone_uncle
    assert out["result"]["shares"] == {full_uncle: "1", half_aunt: "0", cousin: "0"}
    assert "grandparent_unknown" in gap_codes(out)  # the mother's parents are not linked


def test_revocable_divorce_inside_the_waiting_period_counts(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    wife = t.person("female", 1965)
    t.marry(d, wife, ended_at=at(date(2024, 7, 20)), end_reason="divorce_revocable",
            waiting_period_end=date(2024, 10, 20))  # fmt: skip
    son = t.person("male", 1990, father=d, mother=wife)
    out = t.resolve(engine, d)
    assert out["result"]["shares"] == {wife: "1/8", son: "7/8"}
    assert "divorce_within_year" not in gap_codes(out)


def test_irrevocable_divorce_does_not_count_but_is_a_gap_within_a_year(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    wife = t.person("female", 1965)
    t.marry(d, wife, ended_at=at(date(2024, 3, 1)), end_reason="divorce_irrevocable")
    son = t.person("male", 1990, father=d, mother=wife)
    out = t.resolve(engine, d)
    assert wife not in heirs_of(out)
    assert out["result"]["shares"] == {son: "1"}
    gap = next(g for g in out["gaps"] if g["code"] == "divorce_within_year")
    assert gap["person"] == wife and gap["message_fa"] and gap["message_en"]


def test_temporary_marriage_gives_no_inheritance(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    wife = t.person("female", 1965)
    t.marry(d, wife, kind="temporary", term_end=date(2030, 1, 1))
    out = t.resolve(engine, d)
    assert wife not in heirs_of(out)
    assert out["result"]["state"] == "1"


def test_wife_who_died_before_is_not_an_heir_and_widower_takes_all(engine: Engine) -> None:
    t = Tree()
    d = t.person("female", 1960, died=DEATH)
    husband = t.person("male", 1955)
    t.marry(husband, d)
    out = t.resolve(engine, d)
    assert out["result"]["shares"] == {husband: "1"}


def test_same_day_death_without_times_is_refused_and_a_gap(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    son = t.person("male", 1990, father=d, died=DEATH)
    out = t.resolve(engine, d)
    assert out["result"]["status"] == "refused" and out["result"]["refusal"]["article"] == "873"
    assert any(g["code"] == "death_order_unknown" and g["person"] == son for g in out["gaps"])


def test_same_day_death_with_known_times_is_ordered(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH, death_at=at(DEATH, 8))
    son = t.person("male", 1990, father=d, died=DEATH, death_at=at(DEATH, 10))
    out = t.resolve(engine, d)
    assert out["result"]["shares"] == {son: "1"}


def test_posthumous_child_is_an_heir(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    baby = t.person("female", date(2025, 1, 10), father=d)
    out = t.resolve(engine, d)
    entry = next(h for h in out["case"]["heirs"] if h["id"] == baby)
    assert entry["posthumous"] and entry["born_alive"]
    assert out["result"]["shares"] == {baby: "1"}


def test_non_shia_decedent_needs_review(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH, school="sunni")
    t.person("male", 1990, father=d)
    out = t.resolve(engine, d)
    assert "school_not_shia" in gap_codes(out) and out["completeness"] == "needs_review"


def test_non_muslim_relative_of_a_muslim_is_barred(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    son = t.person("male", 1990, father=d, religion="other", school="none")
    daughter = t.person("female", 1992, father=d)
    out = t.resolve(engine, d)
    assert out["result"]["shares"] == {son: "0", daughter: "1"}


def test_missing_parents_are_a_gap(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    out = t.resolve(engine, d)
    assert gap_codes(out).count("parent_unknown") == 2
    assert all(g["person"] is None for g in out["gaps"])


def test_sibling_with_an_unlinked_parent_is_a_gap(engine: Engine) -> None:
    t = Tree()
    father, mother = (
        t.person("male", 1930, died=date(2000, 1, 1)),
        t.person("female", 1935, died=date(2001, 1, 1)),
    )
    d = t.person("male", 1960, died=DEATH, father=father, mother=mother)
    sib = t.person("male", 1962, father=father)
    out = t.resolve(engine, d)
    assert any(g["code"] == "sibling_tie_unknown" and g["person"] == sib for g in out["gaps"])


@pytest.mark.parametrize("code, error", [("0010000001", SabtError), ("123", SabtError)])
def test_bad_codes(engine: Engine, code: str, error: type[Exception]) -> None:
    with Session(engine) as session, pytest.raises(error) as info:
        service.resolve(session, code)
    assert info.value.status == 400  # type: ignore[attr-defined]


def test_unknown_and_living_people_are_refused(engine: Engine) -> None:
    family.load(engine)
    with Session(engine) as session:
        with pytest.raises(NotFound):
            service.resolve(session, family.code(999))
        with pytest.raises(SabtError) as info:
            service.resolve(session, family.CODES["ali"])
        assert info.value.status == 400 and info.value.code == "not_deceased"


def test_sex_of_relations_is_consistent() -> None:
    assert SEX_OF["paternal_aunt"] == "female"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from sabt.registry import schema
    from sabt.registry.db import make_engine
    from sabt.synth.service import build

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('synth')}/s.db")
    schema.ensure(engine)
    build(engine, 3000, 5, date(2025, 9, 22))
    return engine


def test_synthetic_register_cases_are_consistent_and_sum_to_one(synthetic: Engine) -> None:
    from fractions import Fraction

    from sqlalchemy import select

    from sabt.registry.models import Person

    with Session(synthetic) as session:
        dead = list(
            session.scalars(
                select(Person).where(Person.death_date.is_not(None)).order_by(Person.national_code)
            )
        )
        rnd = __import__("random").Random(7)
        for person in rnd.sample(dead, 150):
            out = service.resolve(session, person.national_code).as_json()
            result = out["result"]
            if result["status"] != "refused":
                total = sum(
                    (Fraction(v) for v in result["shares"].values()), Fraction(result["state"])
                )
                assert total == 1
            kids = set(session.scalars(select(Person.national_code).where(
                (Person.father_code if person.sex == "male" else Person.mother_code) == person.national_code)))  # fmt: skip
            listed = {h["id"] for h in out["case"]["heirs"] if h["relation"] in ("son", "daughter")}
            conceived = person.death_date + LONGEST_PREGNANCY  # type: ignore[operator]
            born = {k: session.get(Person, k).birth_date for k in kids}  # type: ignore[union-attr]
            assert listed == {k for k in kids if born[k] <= conceived}
            for h in out["case"]["heirs"]:
                other = session.get(Person, h["id"])
                assert other is not None
                alive_then = other.death_date is None or other.death_date >= person.death_date
                assert h.get("deceased", False) == (not alive_then)


def test_two_open_marriages_of_a_deceased_woman_are_a_gap(engine: Engine) -> None:
    t = Tree()
    d = t.person("female", 1960, died=DEATH)
    first, second = t.person("male", 1955), t.person("male", 1958)
    t.marry(first, d, 1980)
    t.marry(second, d, 1990)
    out = t.resolve(engine, d)
    assert "marriage_without_end" in gap_codes(out)
    assert [h["id"] for h in out["case"]["heirs"] if h["relation"] == "spouse"] == [second]


def test_a_child_registered_long_after_the_death_is_a_gap(engine: Engine) -> None:
    t = Tree()
    d = t.person("male", 1960, died=DEATH)
    late = t.person("male", date(2025, 9, 1), father=d)
    out = t.resolve(engine, d)
    assert late not in heirs_of(out)
    assert any(g["code"] == "born_too_late" and g["person"] == late for g in out["gaps"])


def _mother_side(t: Tree) -> tuple[str, str, str, str]:
    """A decedent whose parents died before him, with his mother's parents linked:
    returns (decedent, mother, maternal grandfather, maternal grandmother)."""
    mgf = t.person("male", 1900, died=date(1970, 1, 1))
    mgm = t.person("female", 1905, died=date(1975, 1, 1))
    father = t.person("male", 1930, died=date(2000, 1, 1))
    mother = t.person("female", 1935, died=date(2001, 1, 1), father=mgf, mother=mgm)
    d = t.person("male", 1960, died=DEATH, father=father, mother=mother)
    return d, mother, mgf, mgm


def test_maternal_sibling_excludes_the_third_class(engine: Engine) -> None:
    t = Tree()
    d, mother, mgf, mgm = _mother_side(t)
    stepfather = t.person("male", 1920, died=date(1990, 1, 1))
    maternal = t.person("female", 1970, father=stepfather, mother=mother)
    uncle = t.person("male", 1938, father=mgf, mother=mgm)
    out = t.resolve(engine, d)
    relations = heirs_of(out)
    assert relations[maternal] == "maternal_sister"
    assert uncle not in relations  # the second class inherits: the third is not read
    assert out["result"]["shares"] == {maternal: "1"}


def test_maternal_uncle_and_aunt_share_equally(engine: Engine) -> None:
    t = Tree()
    d, _, mgf, mgm = _mother_side(t)
    uncle = t.person("male", 1938, father=mgf, mother=mgm)
    aunt = t.person("female", 1940, father=mgf, mother=mgm)
    out = t.resolve(engine, d)
    assert heirs_of(out) == {uncle: "maternal_uncle", aunt: "maternal_aunt"}
    assert out["result"]["shares"] == {uncle: "1/2", aunt: "1/2"}  # equally (933)
