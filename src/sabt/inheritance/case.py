"""An inheritance case: the input of the engine, read and checked (contract: inheritance.md).

Pure. `parse_case` turns the JSON object of the contract into a `Case`, or raises
`InvalidCase` (HTTP 400, CLI exit 2) saying what is wrong, in Persian and English. Keys the
engine does not use are ignored, never rejected, as the contract requires.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sabt.kit.errors import SabtError
from sabt.persian.jalali import InvalidJalaliDate, from_jalali, from_jalali_parts

CHILDREN = ("son", "daughter")
GRANDCHILDREN = ("grandson", "granddaughter")
SIBLINGS = (
    "full_brother", "full_sister", "paternal_brother", "paternal_sister",
    "maternal_brother", "maternal_sister",
)  # fmt: skip
NEPHEWS = ("nephew", "niece")
GRANDPARENTS = (
    "paternal_grandfather", "paternal_grandmother", "maternal_grandfather", "maternal_grandmother",
)  # fmt: skip
UNCLES = ("paternal_uncle", "paternal_aunt", "maternal_uncle", "maternal_aunt")
RELATIONS = (
    "spouse", "father", "mother", *CHILDREN, *GRANDCHILDREN, *SIBLINGS, *NEPHEWS,
    *GRANDPARENTS, *UNCLES, "cousin",
)  # fmt: skip
IMPEDIMENTS = ("intentional_killer", "non_muslim", "lian", "zina_child", "not_permanent_spouse")
TIES = ("full", "paternal", "maternal")

# Who a `via` may name: a representative's parent is of the group it represents.
VIA_ALLOWED = {
    "grandson": (*CHILDREN, *GRANDCHILDREN),
    "granddaughter": (*CHILDREN, *GRANDCHILDREN),
    "nephew": (*SIBLINGS, *NEPHEWS),
    "niece": (*SIBLINGS, *NEPHEWS),
    "cousin": (*UNCLES, "cousin"),
}
SEX_OF = {
    "father": "male", "mother": "female", "son": "male", "daughter": "female",
    "grandson": "male", "granddaughter": "female", "nephew": "male", "niece": "female",
    "paternal_grandfather": "male", "paternal_grandmother": "female",
    "maternal_grandfather": "male", "maternal_grandmother": "female",
    "paternal_uncle": "male", "paternal_aunt": "female", "maternal_uncle": "male",
    "maternal_aunt": "female",
    **{s: ("male" if s.endswith("brother") else "female") for s in SIBLINGS},
}  # fmt: skip
SINGLE = ("father", "mother", *GRANDPARENTS)

# Art. 946 as amended applies to deaths on or after this day (and, by the note of 1389, to
# earlier estates not yet divided).
AMENDMENT_1387 = from_jalali_parts(1387, 11, 6)


class InvalidCase(SabtError):
    status = 400

    def __init__(self, code: str, message_fa: str, message_en: str) -> None:
        super().__init__(code, message_fa, message_en)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    relation: str
    sex: str
    deceased: bool = False  # died before the decedent: present only to be named in `via`
    via: str | None = None
    tie: str = "full"  # uncles and aunts: their tie to the decedent's father or mother
    impediment: str | None = None
    unborn: bool = False
    missing: bool = False
    stillborn: bool = False  # posthumous, and not born alive (Arts. 875-876)
    died_on: str | None = None  # died after the decedent: still an heir (informational)
    # Sabt's own key: died so close to the decedent that the order is unknown (Art. 873).
    death_order_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Case:
    id: Any
    deceased_sex: str
    people: tuple[Person, ...]
    muslim: bool = True
    date_of_death: date | None = None
    regime: str = "post_1387"
    asset_class: str = "any"

    def person(self, person_id: str) -> Person:
        return next(p for p in self.people if p.id == person_id)


def _bad(code: str, fa: str, en: str) -> InvalidCase:
    return InvalidCase(code, fa, en)


def parse_case(obj: object) -> Case:
    """The `Case` described by a JSON object of the contract; InvalidCase if it is not one."""
    if not isinstance(obj, dict):
        raise _bad("bad_case", "پرونده باید یک شیء JSON باشد", "a case must be a JSON object")
    deceased = obj.get("deceased") or {}
    if not isinstance(deceased, dict):
        raise _bad("bad_deceased", "بخش «deceased» باید شیء باشد", "'deceased' must be an object")
    sex = obj.get("deceased_sex")
    if sex not in ("male", "female"):
        raise _bad(
            "bad_deceased_sex",
            "جنسیت متوفی (deceased_sex) باید male یا female باشد",
            f"deceased_sex must be 'male' or 'female', not {sex!r}",
        )
    muslim = deceased.get("muslim", True)
    if not isinstance(muslim, bool):
        raise _bad(
            "bad_muslim", "مقدار muslim باید true یا false باشد", "'muslim' must be a boolean"
        )
    died = _death_date(deceased.get("date_of_death"))
    people = _people(obj.get("heirs"), sex)
    return Case(
        id=obj.get("id"),
        deceased_sex=sex,
        people=people,
        muslim=muslim,
        date_of_death=died,
        regime=_regime(obj.get("regime"), died, deceased.get("estate_divided_before_amendment")),
        asset_class=_choice(
            obj.get("asset_class", "any"), ("any", "land", "movables"), "asset_class"
        ),
    )


def _death_date(text: object) -> date | None:
    if text is None:
        return None
    try:
        return from_jalali(text)  # type: ignore[arg-type]
    except InvalidJalaliDate as exc:
        raise _bad(
            "bad_date_of_death", f"تاریخ فوت نامعتبر است: {text}", f"date_of_death: {exc}"
        ) from exc


def _regime(given: object, died: date | None, divided: object) -> str:
    if given is not None:
        return _choice(given, ("post_1387", "pre_1387"), "regime")
    if died is None or died >= AMENDMENT_1387:
        return "post_1387"
    # Note of 1389 to Art. 946: an earlier death whose estate is not yet divided follows the
    # amended article; the contract's default for an earlier death is the old regime.
    return "post_1387" if divided is False else "pre_1387"


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise _bad(
            f"bad_{what}",
            f"مقدار {what} نامعتبر است: {value}",
            f"{what} must be one of {', '.join(allowed)}, not {value!r}",
        )
    return str(value)


def _people(heirs: object, deceased_sex: str) -> tuple[Person, ...]:
    if not isinstance(heirs, list):
        raise _bad("bad_heirs", "فهرست وراث (heirs) باید آرایه باشد", "'heirs' must be an array")
    people = tuple(_person(entry, i) for i, entry in enumerate(heirs))
    by_id: dict[str, Person] = {}
    for p in people:
        if p.id in by_id:
            raise _bad("duplicate_id", f"شناسهٔ تکراری: {p.id}", f"person id {p.id!r} appears twice")
        by_id[p.id] = p
    for p in people:
        _check_via(p, by_id)
    _check_counts(people, deceased_sex)
    return people


def _person(entry: object, index: int) -> Person:
    where = f"heirs[{index}]"
    if not isinstance(entry, dict):
        raise _bad("bad_person", f"{where} باید شیء باشد", f"{where} must be an object")
    pid = entry.get("id")
    if not isinstance(pid, str) or not pid:
        raise _bad("bad_person_id", f"{where}: شناسه (id) لازم است", f"{where}: 'id' must be text")
    relation = entry.get("relation")
    if relation not in RELATIONS:
        raise _bad(
            "unknown_relation",
            f"نسبت ناشناخته برای {pid}: {relation}",
            f"{pid}: unknown relation {relation!r}",
        )
    sex = entry.get("sex")
    if sex not in ("male", "female"):
        raise _bad(
            "bad_sex", f"جنسیت {pid} باید male یا female باشد", f"{pid}: sex must be male or female"
        )
    if SEX_OF.get(relation, sex) != sex:
        raise _bad(
            "sex_mismatch",
            f"جنسیت {pid} با نسبت {relation} نمی‌خواند",
            f"{pid}: a {relation} cannot be {sex}",
        )
    if entry.get("unborn") is True and relation in ("spouse", *SINGLE):
        raise _bad(
            "bad_unborn",
            f"{pid}: {relation} نمی‌تواند حمل باشد",
            f"{pid}: a {relation} cannot be unborn",
        )
    return Person(
        id=pid,
        relation=relation,
        sex=sex,
        deceased=_flag(entry, "deceased", pid),
        via=_via(entry.get("via"), pid),
        tie=_tie(entry, relation, pid),
        impediment=_impediment(entry.get("impediment"), relation, pid),
        unborn=_flag(entry, "unborn", pid),
        missing=_flag(entry, "missing", pid),
        stillborn=_flag(entry, "posthumous", pid) and entry.get("born_alive") is False,
        died_on=entry.get("died_on") if isinstance(entry.get("died_on"), str) else None,
        death_order_unknown=_flag(entry, "death_order_unknown", pid),
    )


def _flag(entry: dict[str, Any], key: str, pid: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _bad(
            f"bad_{key}",
            f"{pid}: مقدار {key} باید true یا false باشد",
            f"{pid}: {key} must be a boolean",
        )
    return value


def _via(value: object, pid: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("bad_via", f"{pid}: مقدار via باید شناسه باشد", f"{pid}: 'via' must be an id")
    return value


def _tie(entry: dict[str, Any], relation: str, pid: str) -> str:
    tie = entry.get("tie")
    if tie is None:
        return "full"
    if relation not in UNCLES:
        raise _bad(
            "bad_tie",
            f"{pid}: «tie» فقط برای عمو، عمه، دایی و خاله است",
            f"{pid}: 'tie' is for uncles and aunts only",
        )
    return _choice(tie, TIES, "tie")


def _impediment(value: object, relation: str, pid: str) -> str | None:
    if value in (None, "none"):
        return None
    if value not in IMPEDIMENTS:
        raise _bad(
            "unknown_impediment",
            f"{pid}: مانع ارث ناشناخته: {value}",
            f"{pid}: unknown impediment {value!r}",
        )
    if value == "not_permanent_spouse" and relation != "spouse":
        raise _bad(
            "bad_impediment",
            f"{pid}: «not_permanent_spouse» فقط برای همسر است",
            f"{pid}: not_permanent_spouse applies to a spouse only",
        )
    return str(value)


def _check_via(p: Person, by_id: dict[str, Person]) -> None:
    allowed = VIA_ALLOWED.get(p.relation)
    if p.via is None:
        if p.relation in ("nephew", "niece", "cousin"):
            raise _bad(
                "missing_via",
                f"{p.id}: برای {p.relation} باید via (پدر یا مادرِ واسطه) داده شود",
                f"{p.id}: a {p.relation} needs 'via' (the parent through whom they are related)",
            )
        return
    if allowed is None:
        raise _bad(
            "bad_via",
            f"{p.id}: نسبت {p.relation} via ندارد",
            f"{p.id}: a {p.relation} takes no 'via'",
        )
    parent = by_id.get(p.via)
    if parent is None:
        raise _bad(
            "via_not_found",
            f"{p.id}: via به کسی اشاره نمی‌کند: {p.via}",
            f"{p.id}: 'via' names no entry ({p.via!r})",
        )
    if parent.relation not in allowed:
        raise _bad(
            "via_wrong_kind",
            f"{p.id}: via ({p.via}) از نوع {parent.relation} است که برای {p.relation} روا نیست",
            f"{p.id}: a {p.relation}'s 'via' must be one of {', '.join(allowed)},"
            f" not a {parent.relation}",
        )
    seen = {p.id}
    node: Person | None = parent
    while node is not None and node.via is not None:
        if node.id in seen:
            raise _bad(
                "via_cycle", f"{p.id}: زنجیرهٔ via حلقه دارد", f"{p.id}: the 'via' chain is a cycle"
            )
        seen.add(node.id)
        node = by_id.get(node.via)


def _check_counts(people: tuple[Person, ...], deceased_sex: str) -> None:
    living = [p for p in people if not p.deceased]
    for relation in SINGLE:
        if sum(p.relation == relation for p in living) > 1:
            raise _bad("duplicate_relative", f"بیش از یک {relation}", f"more than one {relation}")
    spouses = [p for p in living if p.relation == "spouse"]
    wanted = "female" if deceased_sex == "male" else "male"
    for s in spouses:
        if s.sex != wanted:
            raise _bad(
                "bad_spouse", f"همسر {s.id} باید {wanted} باشد", f"spouse {s.id} must be {wanted}"
            )
    if wanted == "male" and len(spouses) > 1:
        raise _bad("two_husbands", "بیش از یک شوهر", "a deceased woman has at most one husband")
