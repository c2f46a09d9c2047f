"""The marriage impediments, pure: kinship by blood (1045) and affinity (1047), a wife's
sister and niece (1048-1049), age (1041), a woman not free (1050), three divorces (1057),
four wives; and which permissions lift which impediment."""

from datetime import date

import pytest

from sabt.registration import marriage_law as law

# A family by parent links: g1+g2 → p (m), q (f); p+pw → a (m), b (f); q+qh → c (f);
# c + ch → d (f); pw's parents pw1+pw2 → also pws (f), pw's sister.
PARENTS = {
    "p": {"g1", "g2"}, "q": {"g1", "g2"}, "a": {"p", "pw"}, "b": {"p", "pw"},
    "c": {"q", "qh"}, "d": {"c", "ch"}, "pw": {"pw1", "pw2"}, "pws": {"pw1", "pw2"},
    "half": {"g1", "other"},
}  # fmt: skip
FAMILY = law.Family({k: frozenset(v) for k, v in PARENTS.items()})
DAY = date(2025, 9, 22)
ADULT = date(1990, 1, 1)


def situation(h: str, w: str, **kw: object) -> law.Situation:
    base: dict[str, object] = {
        "husband": law.Party(h, "male", ADULT, frozenset(kw.pop("his_wives", ()))),  # type: ignore[arg-type]
        "wife": law.Party(w, "female", ADULT, frozenset(kw.pop("her_husbands", ()))),  # type: ignore[arg-type]
        "kind": "permanent", "day": DAY, "family": FAMILY,
        "husband_current_wives": frozenset(), "husband_permanent_wives": 0,
        "wife_bound": False, "wife_bound_to_husband_revocably": False, "divorces_between": 0,
    }  # fmt: skip
    base.update(kw)
    return law.Situation(**base)  # type: ignore[arg-type]


def codes(s: law.Situation) -> list[str]:
    return [i.code for i in law.impediments(s)]


@pytest.mark.parametrize(
    ("h", "w", "prohibited"),
    [
        ("a", "b", True),  # brother and sister
        ("p", "b", True),  # father and daughter
        ("g1", "d", True),  # great-grandfather
        ("p", "c", True),  # uncle and niece (his sister's daughter)
        ("p", "d", True),  # great-uncle: his sister's granddaughter
        ("a", "q", True),  # nephew and aunt (his father's sister)
        ("a", "c", False),  # first cousins may marry
        ("a", "d", False),  # first cousin once removed
        ("half", "q", True),  # half-siblings
        ("a", "pws", True),  # his mother's sister
    ],
)
def test_blood_kinship_follows_1045(h: str, w: str, prohibited: bool) -> None:
    assert ("prohibited_kinship" in codes(situation(h, w))) is prohibited


def test_affinity_follows_1047() -> None:
    # his (former) wife's mother
    assert "prohibited_affinity" in codes(situation("x", "pw", his_wives={"a"}))
    # his father's wife, and his son's wife
    assert "prohibited_affinity" in codes(situation("a", "y", her_husbands={"p"}))
    assert "prohibited_affinity" in codes(situation("p", "y", her_husbands={"a"}))
    # his wife's daughter: a court decides (consummation is not in the register)
    stepdaughter = law.impediments(situation("x", "b", his_wives={"pw"}))
    assert [(i.code, i.lifted_by) for i in stepdaughter] == [("prohibited_affinity", law.COURT)]
    assert codes(situation("x", "y", his_wives={"z"}, her_husbands={"v"})) == []


def test_a_wifes_sister_and_niece() -> None:
    sister = situation("x", "pws", husband_current_wives=frozenset({"pw"}),
                       husband_permanent_wives=1)  # fmt: skip
    assert "wife_sister" in codes(sister)
    niece = law.impediments(
        situation("x", "c", husband_current_wives=frozenset({"p"}), husband_permanent_wives=1)
    )
    assert {(i.code, i.lifted_by) for i in niece} == {
        ("wife_niece", law.WIFE),
        ("already_married", law.COURT),
    }
    assert law.blocking(niece, court_ref=True, wife_ref=False)[0].code == "wife_niece"
    assert law.blocking(niece, court_ref=True, wife_ref=True) == []


def test_age_wives_and_a_woman_not_free() -> None:
    girl = law.Party("w", "female", date(2013, 1, 1))
    young = law.impediments(situation("h", "w", wife=girl))
    assert [(i.code, i.article) for i in young] == [("under_age", "1041")]
    assert codes(situation("h", "w", husband_current_wives=frozenset("1234"),
                           husband_permanent_wives=4)) == ["four_wives"]  # fmt: skip
    assert codes(situation("h", "w", husband_current_wives=frozenset("1234"),
                           husband_permanent_wives=4, kind="temporary")) == ["already_married"]  # fmt: skip
    assert codes(situation("h", "w", wife_bound=True)) == ["woman_not_free"]
    assert codes(situation("h", "w", wife_bound=True, wife_bound_to_husband_revocably=True)) == [
        "use_return"
    ]
    assert codes(situation("h", "w", divorces_between=3)) == ["third_divorce"]


def test_waiting_periods() -> None:
    assert law.divorce_waiting_end(date(2025, 11, 30)) == date(2026, 2, 28)
    assert law.temporary_waiting_end(date(2025, 9, 1)) == date(2025, 10, 16)
