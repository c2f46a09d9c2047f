"""Helpers to write inheritance cases briefly, and a Hypothesis strategy of valid cases."""

from typing import Any

from hypothesis import strategies as st

from sabt.inheritance.case import SEX_OF, parse_case
from sabt.inheritance.law import Result, compute


def heir(pid: str, relation: str, sex: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "relation": relation, "sex": sex or SEX_OF.get(relation, "male"), **extra}


def case(deceased_sex: str, *heirs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "t", "deceased_sex": deceased_sex, "heirs": list(heirs), **extra}


def run(obj: dict[str, Any]) -> Result:
    return compute(parse_case(obj))


def shares(obj: dict[str, Any]) -> dict[str, str]:
    out = run(obj).as_json()
    got: dict[str, str] = out["shares"]
    if out["state"] != "0":
        got = got | {"state": out["state"]}
    return got


# Relatives a random family may have, with the classes they belong to.
SIMPLE = ["father", "mother", "paternal_grandfather", "paternal_grandmother",
          "maternal_grandfather", "maternal_grandmother"]  # fmt: skip
MANY = ["son", "daughter", "full_brother", "full_sister", "paternal_brother",
        "paternal_sister", "maternal_brother", "maternal_sister", "paternal_uncle",
        "paternal_aunt", "maternal_uncle", "maternal_aunt"]  # fmt: skip
BELOW = {"son": "grandson", "daughter": "granddaughter", "full_brother": "nephew",
         "full_sister": "niece", "paternal_brother": "nephew", "paternal_sister": "niece",
         "maternal_brother": "nephew", "maternal_sister": "niece", "paternal_uncle": "cousin",
         "paternal_aunt": "cousin", "maternal_uncle": "cousin", "maternal_aunt": "cousin"}  # fmt: skip
IMPEDIMENT = st.sampled_from([None] * 12 + ["intentional_killer", "non_muslim"])


@st.composite
def cases(draw: st.DrawFn, relations: list[str] | None = None) -> dict[str, Any]:
    """A valid case: parents and grandparents at most once, other relatives several times,
    some predeceased with descendants (up to two generations), some barred, some spouses."""
    sex = draw(st.sampled_from(["male", "female"]))
    heirs: list[dict[str, Any]] = []
    pool_simple = [r for r in SIMPLE if relations is None or r in relations]
    pool_many = [r for r in MANY if relations is None or r in relations]
    for relation in (
        draw(st.lists(st.sampled_from(pool_simple), unique=True)) if pool_simple else []
    ):
        heirs.append(_with_impediment(draw, heir(f"p{len(heirs)}", relation)))
    for relation in draw(st.lists(st.sampled_from(pool_many), max_size=6)) if pool_many else []:
        me = heir(f"p{len(heirs)}", relation)
        if relation in ("paternal_uncle", "paternal_aunt", "maternal_uncle", "maternal_aunt"):
            me["tie"] = draw(st.sampled_from(["full", "full", "paternal", "maternal"]))
        state = draw(st.sampled_from(["alive"] * 4 + ["deceased"] * 4 + ["unborn", "missing"]))
        if state == "alive":
            me = _with_impediment(draw, me)
        else:
            me[state] = True
        heirs.append(me)
        parent = me
        for _ in range(draw(st.integers(0, 2)) if me.get("deceased") else 0):
            kid_sex = draw(st.sampled_from(["male", "female"]))
            kind = BELOW[relation]
            if kind in ("grandson", "granddaughter"):
                kind = "grandson" if kid_sex == "male" else "granddaughter"
            elif kind in ("nephew", "niece"):
                kind = "nephew" if kid_sex == "male" else "niece"
            kid = heir(f"p{len(heirs)}", kind, kid_sex, via=parent["id"])
            heirs.append(kid)
            if draw(st.integers(0, 3)) == 0:
                kid["deceased"] = True
                parent = kid
    if relations is None or "spouse" in relations:
        wives = draw(st.integers(0, 2)) if sex == "male" else draw(st.integers(0, 1))
        for _ in range(wives):
            heirs.append(heir(f"p{len(heirs)}", "spouse", "female" if sex == "male" else "male"))
    return case(sex, *heirs)


def _with_impediment(draw: st.DrawFn, person: dict[str, Any]) -> dict[str, Any]:
    impediment = draw(IMPEDIMENT)
    return person | {"impediment": impediment} if impediment else person
