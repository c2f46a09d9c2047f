"""The impediments to a marriage that the register can see, and the waiting periods. Pure:
the service loads the facts (parent links, marriages), this decides.

Civil Code 1041 (age), 1045 (blood), 1047 (affinity), 1048 (a wife's sister), 1049 (a
wife's niece), 1050 (a married woman or one in her waiting period), 1057 (a third divorce),
1151-1154 (waiting periods); the Family Protection Act (a further marriage needs a court's
permission) and the limit of four permanent wives. Milk kinship (1046) is not in the
register: the notary asks.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sabt.persian import jalali
from sabt.registration.rules import add_months

LEGAL_AGE = {"female": 13, "male": 15}  # CC 1041: full solar years
MAX_PERMANENT_WIVES = 4
DIVORCE_WAITING_MONTHS = 3  # CC 1151: three months for the register (three tuhr in law)
TEMPORARY_WAITING_DAYS = 45  # CC 1152
COURT = "court_permission"
WIFE = "wife_permission"


@dataclass(frozen=True)
class Impediment:
    code: str
    article: str
    message_fa: str
    message_en: str
    lifted_by: str | None = None  # COURT or WIFE: a reference to that permission lifts it


@dataclass(frozen=True)
class Family:
    """Parent links of everyone the check needs, upwards as far as the register knows."""

    parents: Mapping[str, frozenset[str]]

    def ancestors(self, code: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.parents.get(code, ()))
        while todo:
            p = todo.pop()
            if p not in seen:
                seen.add(p)
                todo.extend(self.parents.get(p, ()))
        return seen

    def of(self, code: str) -> frozenset[str]:
        return self.parents.get(code, frozenset())


@dataclass(frozen=True)
class Party:
    code: str
    sex: str
    birth_date: date
    spouses_ever: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Situation:
    """What the register says about the two at the marriage date."""

    husband: Party
    wife: Party
    kind: str  # permanent | temporary
    day: date
    family: Family
    husband_current_wives: frozenset[str]  # in a marriage, or a revocable waiting period
    husband_permanent_wives: int
    wife_bound: bool  # married, or in anyone's waiting period
    wife_bound_to_husband_revocably: bool  # his own revocable waiting period: a return
    divorces_between: int


def impediments(s: Situation) -> list[Impediment]:
    return [
        *_age(s.husband, s.day),
        *_age(s.wife, s.day),
        *_blood(s.husband.code, s.wife.code, s.family),
        *_affinity(s),
        *_wife_side(s),
        *_husband_side(s),
    ]


def _age(p: Party, day: date) -> list[Impediment]:
    need = LEGAL_AGE[p.sex]
    if jalali.age_on(p.birth_date, day) >= need:
        return []
    who = "زن" if p.sex == "female" else "مرد"
    return [
        Impediment(
            "under_age",
            "1041",
            f"سن {who} کمتر از {need} سال تمام شمسی است: اجازهٔ دادگاه لازم است",
            f"the {'woman' if p.sex == 'female' else 'man'} is under {need} solar years:"
            " a court's permission is needed (Civil Code 1041)",
            COURT,
        )
    ]


def _blood(h: str, w: str, family: Family) -> list[Impediment]:
    """CC 1045: ascendants and descendants, siblings and their descendants, and the brothers
    and sisters of oneself and of one's ascendants (so cousins may marry)."""
    h_anc, w_anc = family.ancestors(h), family.ancestors(w)
    related = (
        w in h_anc
        or h in w_anc
        or bool(family.of(h) & ({w} | w_anc))
        or bool(family.of(w) & ({h} | h_anc))
    )
    if not related:
        return []
    return [
        Impediment(
            "prohibited_kinship",
            "1045",
            "خویشاوندی نسبی مانع نکاح است",
            "they are blood relatives within the prohibited degrees (Civil Code 1045)",
        )
    ]


def _affinity(s: Situation) -> list[Impediment]:
    """CC 1047: a wife's mothers; a father's or son's wife (any degree); a wife's daughter
    (if the marriage was consummated, which the register cannot see: a court decides)."""
    f, h, w = s.family, s.husband.code, s.wife.code
    h_anc = f.ancestors(h)
    found: list[tuple[str, str, str | None]] = []
    if any(w in f.ancestors(x) for x in s.husband.spouses_ever):
        found.append(("his wife's mother or grandmother", "مادر یا جدهٔ همسر", None))
    if s.wife.spouses_ever & h_anc:
        found.append(("the wife of his father or grandfather", "همسر پدر یا جد", None))
    if any(h in f.ancestors(x) for x in s.wife.spouses_ever):
        found.append(("the wife of his son or grandson", "همسر پسر یا نوه", None))
    if s.husband.spouses_ever & f.ancestors(w):
        found.append(("his wife's daughter or granddaughter", "دختر یا نوهٔ همسر", COURT))
    return [
        Impediment(
            "prohibited_affinity",
            "1047",
            f"خویشاوندی سببی مانع نکاح است: {fa}",
            f"prohibited by affinity (Civil Code 1047): {en}",
            lifted,
        )
        for en, fa, lifted in found
    ]


def _wife_side(s: Situation) -> list[Impediment]:
    found = []
    if s.wife_bound and not s.wife_bound_to_husband_revocably:
        found.append(
            Impediment(
                "woman_not_free",
                "1050",
                "زن در نکاح یا در عدهٔ دیگری است",
                "the woman is married or in a waiting period (Civil Code 1050)",
            )
        )
    if s.wife_bound_to_husband_revocably:
        found.append(
            Impediment(
                "use_return",
                "1148",
                "زن در عدهٔ رجعی همین مرد است: رجوع ثبت شود، نه نکاح تازه",
                "she is in his revocable waiting period: register a return, not a marriage",
            )
        )
    if s.divorces_between >= 3:
        found.append(
            Impediment(
                "third_divorce",
                "1057",
                "پس از سه طلاق، نکاح دوباره تنها پس از نکاح زن با دیگری ممکن است",
                "after three divorces they may remarry only after she marries another"
                " (Civil Code 1057)",
            )
        )
    return found


def _husband_side(s: Situation) -> list[Impediment]:
    f, w = s.family, s.wife.code
    w_parents = f.of(w)
    found = []
    for wife in s.husband_current_wives:
        if f.of(wife) & w_parents:
            found.append(
                Impediment(
                    "wife_sister",
                    "1048",
                    "ازدواج با خواهر همسر در زمان زوجیت ممنوع است",
                    "he may not marry his wife's sister while that marriage lasts (1048)",
                )
            )
        if any(f.of(p) & f.of(wife) for p in w_parents):
            found.append(
                Impediment(
                    "wife_niece",
                    "1049",
                    "ازدواج با برادرزاده یا خواهرزادهٔ همسر اجازهٔ همسر را می‌خواهد",
                    "marrying his wife's niece needs his wife's permission (1049)",
                    WIFE,
                )
            )
    if s.kind == "permanent" and s.husband_permanent_wives >= MAX_PERMANENT_WIVES:
        found.append(
            Impediment(
                "four_wives",
                "942",
                "مرد چهار همسر دائم دارد",
                "a man may have at most four permanent wives",
            )
        )
    elif s.husband_current_wives:
        found.append(
            Impediment(
                "already_married",
                "Family Protection Act 16",
                "مرد همسر دارد: اجازهٔ دادگاه برای همسر دیگر لازم است",
                "he is married: a further marriage needs a court's permission",
                COURT,
            )
        )
    return found


def blocking(found: Iterable[Impediment], court_ref: bool, wife_ref: bool) -> list[Impediment]:
    """The impediments that the given permissions do not lift."""
    lifted = {COURT: court_ref, WIFE: wife_ref}
    return [i for i in found if not (i.lifted_by and lifted[i.lifted_by])]


def divorce_waiting_end(day: date) -> date:
    """CC 1151: three months for the register (three tuhr in law)."""
    return add_months(day, DIVORCE_WAITING_MONTHS)


def temporary_waiting_end(day: date) -> date:
    """CC 1152: the waiting period after a temporary marriage ends is 45 days."""
    return day + timedelta(days=TEMPORARY_WAITING_DAYS)
