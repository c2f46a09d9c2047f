"""The Civil Code's division of an estate among heirs (Arts. 861-949). Pure, exact.

The specification is `docs/contracts/inheritance-law.md` (§5 is the algorithm, §6 the settled
ambiguities); section marks below point into it. Every amount is a `Fraction` of the whole
net estate. `compute` returns a `Result` carrying its derivation: ordered steps citing
articles, in Persian and English, and a reason for every person who takes nothing.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import lcm
from typing import Any

from sabt.inheritance.case import (
    CHILDREN,
    GRANDCHILDREN,
    GRANDPARENTS,
    NEPHEWS,
    SIBLINGS,
    UNCLES,
    Case,
    Person,
)
from sabt.inheritance.texts import FA_RELATION, fraction_fa

ZERO = Fraction(0)
ONE = Fraction(1)
SIXTH, THIRD, HALF, QUARTER, EIGHTH = (Fraction(1, n) for n in (6, 3, 2, 4, 8))
TWO_THIRDS = Fraction(2, 3)


@dataclass(frozen=True, slots=True)
class Step:
    article: str
    fa: str
    en: str


@dataclass(frozen=True, slots=True)
class Reason:
    article: str
    fa: str
    en: str


@dataclass
class Result:
    id: Any
    status: str  # final | provisional | refused
    shares: dict[str, Fraction] = field(default_factory=dict)
    state: Fraction = ZERO
    excluded: dict[str, Reason] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    refusal: Reason | None = None
    heir_class: int | None = None  # the class of blood heirs that inherits (None: none does)

    def parts(self) -> dict[str, int]:
        """The division in whole parts of the least common denominator."""
        total = lcm(*(f.denominator for f in (*self.shares.values(), self.state)))
        parts = {"total": total} | {k: int(v * total) for k, v in self.shares.items()}
        if self.state:
            parts["state"] = int(self.state * total)
        return parts

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.refusal is not None:
            r = self.refusal
            out["refusal"] = {"reason_en": r.en, "reason_fa": r.fa, "article": r.article}
        else:
            out["shares"] = {k: str(v) for k, v in self.shares.items()}
            out["state"] = str(self.state)
            out["parts"] = self.parts()
        out["excluded"] = {
            k: {"reason_fa": r.fa, "reason_en": r.en, "article": r.article}
            for k, r in self.excluded.items()
        }
        out["steps"] = [{"article": s.article, "fa": s.fa, "en": s.en} for s in self.steps]
        return out


class Refused(Exception):
    """The law says the division cannot be made (yet, or by this engine)."""

    def __init__(self, article: str, fa: str, en: str) -> None:
        super().__init__(en)
        self.reason = Reason(article, fa, en)


def compute(case: Case) -> Result:
    """Divide the estate of `case`; see the module docstring."""
    try:
        simultaneous = [p for p in case.people if _died_with_decedent(p)]
        if simultaneous:
            raise _simultaneous(simultaneous)
        unborn = [p for p in case.people if p.unborn and not p.deceased]
        result = _with_unborn(case, unborn) if unborn else _divide(case)
    except Refused as refusal:
        return Result(case.id, "refused", refusal=refusal.reason, steps=[_refusal_step(refusal)])
    if any(p.missing for p in case.people if not p.deceased):
        _reserve_missing(case, result)
    return result


def _refusal_step(refusal: Refused) -> Step:
    r = refusal.reason
    return Step(r.article, f"تقسیم انجام نمی‌شود: {r.fa}", f"No division is made: {r.en}")


def _died_with_decedent(p: Person) -> bool:
    # Arts. 873-874: heirs who died with the decedent in an unknown order.
    return p.death_order_unknown and not p.deceased


def _simultaneous(people: list[Person]) -> Refused:
    ids = ", ".join(p.id for p in people)
    return Refused(
        "873",
        f"ترتیب فوت {ids} و متوفی معلوم نیست؛ پرونده به مرجع قضایی ارجاع می‌شود",
        f"the order of death of {ids} and the decedent is unknown; refer the case to a judge",
    )


# --------------------------------------------------------------------------- the division


class Division:
    """One computation: the people, who is eligible, and the shares as they are fixed."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.people = [p for p in case.people if not _drops_out(case, p)]
        self.by_id = {p.id: p for p in case.people}
        self.kids: dict[str, list[Person]] = {}
        for p in case.people:
            if p.via is not None:
                self.kids.setdefault(p.via, []).append(p)
        self.result = Result(case.id, "final")
        self.shares = {p.id: ZERO for p in case.people if not p.deceased}
        self.result.shares = self.shares
        self.barred: dict[str, Reason] = {}

    # ----- bookkeeping
    def step(self, article: str, fa: str, en: str) -> None:
        self.result.steps.append(Step(article, fa, en))

    def exclude(self, people: Iterable[Person], reason: Reason) -> None:
        for p in people:
            if not p.deceased and p.id not in self.result.excluded:
                self.result.excluded[p.id] = reason

    def give(self, p: Person, amount: Fraction) -> None:
        self.shares[p.id] += amount

    def eligible(self, p: Person) -> bool:
        return not p.deceased and not p.unborn and p.id not in self.barred

    def of(self, *relations: str) -> list[Person]:
        return [p for p in self.people if p.relation in relations]

    def eligible_of(self, *relations: str) -> list[Person]:
        return [p for p in self.of(*relations) if self.eligible(p)]


def _drops_out(case: Case, p: Person) -> bool:
    """The wife for land under the old regime (pre-1387 Art. 946) is not part of the division."""
    return (
        p.relation == "spouse"
        and p.sex == "female"
        and case.regime == "pre_1387"
        and case.asset_class == "land"
    )


def _divide(case: Case) -> Result:
    d = Division(case)
    _old_regime_land(d)
    _bar_ineligible(d)
    has_desc = any(d.eligible(p) for p in d.of(*CHILDREN, *GRANDCHILDREN))
    spouse_total = _spouses(d, has_desc)
    rest = ONE - spouse_total
    if d.eligible_of("father", "mother") or has_desc:
        d.result.heir_class = 1
        _class_one(d, spouse_total)
    elif d.eligible_of(*GRANDPARENTS, *SIBLINGS, *NEPHEWS):
        d.result.heir_class = 2
        _class_two(d, spouse_total)
    elif d.eligible_of(*UNCLES, "cousin"):
        d.result.heir_class = 3
        _class_three(d, spouse_total)
    else:
        _no_blood_heir(d, rest)
    _explain_zeros(d)
    return d.result


def _old_regime_land(d: Division) -> None:
    wives = [p for p in d.case.people if _drops_out(d.case, p)]
    if wives:
        reason = Reason(
            "946",
            "زوجه در نظام پیش از اصلاح ۱۳۸۷ از عین و قیمت زمین ارث نمی‌برد",
            "under Art. 946 before its 1387 amendment the wife inherits nothing from land",
        )
        d.exclude(wives, reason)
        d.step(
            "946",
            f"جدول زمین: {reason.fa}؛ تقسیم بدون زوجه انجام می‌شود",
            f"Land table: {reason.en}; the division is made as if she were absent",
        )
    if d.case.regime == "pre_1387" and d.case.asset_class == "any":
        d.step(
            "946",
            "نظام پیش از ۱۳۸۷: این جدول برای اموال منقول، ابنیه و اشجار است؛ برای زمین "
            "جدول جداگانه‌ای (asset_class = land) لازم است",
            "Old regime: this table is for movables, buildings and trees; land needs its own "
            "table (asset_class = land)",
        )


# --------------------------------------------------------------------------- §5.1 eligibility

IMPEDIMENT_REASON = {
    "intentional_killer": Reason(
        "880",
        "قاتل عمدی مورث از ارث محروم است",
        "an intentional killer of the decedent does not inherit",
    ),
    "non_muslim": Reason(
        "881 مکرر", "کافر از مسلم ارث نمی‌برد", "a non-Muslim does not inherit from a Muslim"
    ),
    "non_muslim_with_muslim": Reason(
        "881 مکرر",
        "با بودن وارث مسلمان، وارث کافر ارث نمی‌برد",
        "with a Muslim heir present, non-Muslim heirs do not inherit",
    ),
    "lian": Reason(
        "882",
        "پس از لعان، میان زوجین و میان پدر و فرزند نفی‌شده توارث نیست",
        "after li'an there is no inheritance between the spouses, nor between the "
        "father and the disowned child",
    ),
    "zina_child": Reason(
        "884",
        "ولدالزنا از پدر و مادر و اقوام آنان ارث نمی‌برد",
        "a child of zina does not inherit from the parent(s) or their kin",
    ),
    "not_permanent_spouse": Reason(
        "940", "فقط همسر دائم ارث می‌برد", "only a permanent spouse inherits"
    ),
}
STILLBORN = Reason(
    "875",
    "حمل زنده متولد نشده و ارث نمی‌برد (مواد ۸۷۵ و ۸۷۶)",
    "a child not born alive does not inherit (Arts. 875-876)",
)

# Li'an cuts the ties through the father only (Art. 882): the spouse, the father and his kin.
LIAN_SIDE = (
    "spouse",
    "father",
    "paternal_grandfather",
    "paternal_grandmother",
    "paternal_uncle",
    "paternal_aunt",
    "full_brother",
    "full_sister",
    "paternal_brother",
    "paternal_sister",
)


def _bar_ineligible(d: Division) -> None:
    muslim_heir = any(
        not p.deceased and p.impediment != "non_muslim" and not p.unborn for p in d.people
    )
    for p in d.people:
        if p.deceased:
            continue
        reason = _impediment_reason(d.case, p, muslim_heir)
        if reason is not None:
            d.barred[p.id] = reason
            d.exclude([p], reason)
            d.step(
                reason.article,
                f"{_who_fa(p)} ارث نمی‌برد: {reason.fa}",
                f"{_who_en(p)} is barred: {reason.en}",
            )


def _impediment_reason(case: Case, p: Person, muslim_heir: bool) -> Reason | None:
    if p.stillborn:
        return STILLBORN
    match p.impediment:
        case None:
            return None
        case "non_muslim" if case.muslim:
            return IMPEDIMENT_REASON["non_muslim"]
        case "non_muslim":
            return IMPEDIMENT_REASON["non_muslim_with_muslim"] if muslim_heir else None
        case "lian":
            through_father = p.relation in LIAN_SIDE or (
                case.deceased_sex == "male" and p.relation in (*CHILDREN, *GRANDCHILDREN)
            )
            return IMPEDIMENT_REASON["lian"] if through_father else None
        case other:
            return IMPEDIMENT_REASON[other]


# --------------------------------------------------------------------------- §5.2 spouses


def _spouses(d: Division, has_desc: bool) -> Fraction:
    spouses = d.eligible_of("spouse")
    if not spouses:
        return ZERO
    husband = d.case.deceased_sex == "female"
    total = (QUARTER if has_desc else HALF) if husband else (EIGHTH if has_desc else QUARTER)
    each = total / len(spouses)
    for s in spouses:
        d.give(s, each)
    who_fa, who_en = (
        ("زوج", "The husband takes") if husband else ("زوجه یا زوجه‌ها", "The wife or wives take")
    )
    cond_fa = "با وجود فرزند یا نوهٔ وارث" if has_desc else "چون متوفی فرزند یا نوهٔ وارث ندارد"
    cond_en = (
        "as the decedent has an inheriting descendant"
        if has_desc
        else "as the decedent has no inheriting descendant"
    )
    articles = ("900" if has_desc else "899") if husband else ("901" if has_desc else "900")
    d.step(
        f"{articles}, 913, 942" if not husband else f"{articles}, 913",
        f"{who_fa} {fraction_fa(total)} کل ترکه را به فرض می‌برد، {cond_fa}",
        f"{who_en} {total} of the whole estate as a fixed share, {cond_en}",
    )
    if len(spouses) > 1:
        d.step(
            "942",
            f"سهم زوجه‌ها میان {len(spouses)} زوجه به تساوی تقسیم می‌شود",
            f"The wives' share is divided equally among {len(spouses)} wives",
        )
    if len(spouses) > 4:
        d.step(
            "942",
            "بیش از چهار زوجه ثبت شده است (مواد ۹۴۳ و ۹۴۴)؛ بررسی شود",
            "More than four wives are recorded (Arts. 943-944); check the record",
        )
    return total


# --------------------------------------------------------------------------- lines and stirpes


@dataclass
class Line:
    """A stirps: a generation-1 relative (child, sibling, uncle or aunt) and the eligible
    members of the inheriting generation who take through them."""

    head: Person
    members: list[Person]


def _lines(
    d: Division, roots: Sequence[Person], base: Callable[[Person], int] = lambda _: 1
) -> tuple[list[Line], list[Person]]:
    """The inheriting lines among `roots` (of generation `base`, 1 unless told): only the
    nearest generation with an eligible member inherits, across all lines (Arts. 889, 890,
    910, 937). Returns (lines, eligible people excluded by a nearer degree)."""
    trees = {r.id: _tree(d, r, base(r)) for r in roots}
    depths = [g for tree in trees.values() for g, p in tree if d.eligible(p)]
    if not depths:
        return [], []
    nearest = min(depths)
    lines, farther = [], []
    for r in roots:
        members = [p for g, p in trees[r.id] if g == nearest and d.eligible(p)]
        if members:
            lines.append(Line(r, members))
        farther += [p for g, p in trees[r.id] if g != nearest and d.eligible(p)]
    return lines, farther


def _tree(d: Division, root: Person, generation: int) -> list[tuple[int, Person]]:
    """`root` and everyone below it through `via`, with their generations."""
    out, frontier = [(generation, root)], [(generation, root)]
    while frontier:
        g, node = frontier.pop()
        for kid in d.kids.get(node.id, ()):
            out.append((g + 1, kid))
            frontier.append((g + 1, kid))
    return out


def _pass_down(d: Division, line: Line, amount: Fraction, male_double: bool) -> None:
    """A head's amount down its `via` tree to its members, per stirps at every level, by the
    sexes of the intermediate relatives (Arts. 911, 925, 937; spec §6-A6)."""
    members = {p.id for p in line.members}

    def leads(node: Person) -> bool:
        return node.id in members or any(leads(k) for k in d.kids.get(node.id, ()))

    def share_out(node: Person, value: Fraction) -> None:
        if node.id in members:
            d.give(node, value)
            return
        kids = [k for k in d.kids.get(node.id, ()) if leads(k)]
        for kid, part in zip(kids, _split(value, kids, male_double), strict=True):
            share_out(kid, part)

    share_out(line.head, amount)


def _units(p: Person, male_double: bool) -> int:
    return 2 if male_double and p.sex == "male" else 1


def _split(amount: Fraction, people: Sequence[Person], male_double: bool) -> list[Fraction]:
    units = [_units(p, male_double) for p in people]
    total = sum(units)
    return [amount * u / total for u in units]


def _lines_split(
    d: Division,
    amount: Fraction,
    lines: Sequence[Line],
    male_double: bool,
    down_double: bool,
) -> None:
    """`amount` among the lines' heads, then down each line (Arts. 911, 925, 937)."""
    parts = _split(amount, [ln.head for ln in lines], male_double)
    for line, part in zip(lines, parts, strict=True):
        _pass_down(d, line, part, down_double)


NEARER = Reason(
    "889, 910",
    "وارث نزدیک‌تر در همان طبقه، دورتر را محروم می‌کند",
    "a nearer heir of the same class excludes a farther one",
)


def _prior_class(n: int) -> Reason:
    names = {1: ("اول", "first"), 2: ("دوم", "second")}
    fa, en = names[n]
    return Reason(
        "863, 888",
        f"با وجود وارث طبقهٔ {fa}، طبقه‌های بعد ارث نمی‌برند",
        f"excluded by an heir of the {en} class",
    )


# --------------------------------------------------------------------------- §5.4 class one


def _class_one(d: Division, spouse: Fraction) -> None:
    d.step(
        "862, 863",
        "وارث طبقهٔ اول (پدر، مادر، اولاد و اولادِ اولاد) وجود دارد؛ طبقه‌های بعد محروم‌اند",
        "An heir of the first class (parents, children and their "
        "descendants) exists; the later classes are excluded",
    )
    hajib = _mother_hajib(d)  # first, so its witnesses are listed with Art. 892
    d.exclude(d.of(*GRANDPARENTS, *SIBLINGS, *NEPHEWS, *UNCLES, "cousin"), _prior_class(1))
    # Grandchildren given without `via` are lines of their own, of generation 2.
    roots = d.of(*CHILDREN) + [p for p in d.of(*GRANDCHILDREN) if p.via is None]
    lines, farther = _lines(d, roots, lambda p: 2 if p.relation in GRANDCHILDREN else 1)
    d.exclude(farther, NEARER)
    if any(m is not ln.head for ln in lines for m in ln.members):
        d.step(
            "889, 911",
            "فرزندی از متوفی که ارث ببرد نیست؛ نوادگان نزدیک‌ترین نسل قائم‌مقام "
            "پدر یا مادر خود هستند و سهم او را می‌برند",
            "No child of the decedent inherits; the descendants of the nearest generation "
            "represent their parent and take that parent's share",
        )
    parents = d.eligible_of("father", "mother")
    if not lines:
        _parents_alone(d, spouse, hajib)
    elif any(ln.head.sex == "male" for ln in lines):
        _with_a_son(d, spouse, parents, lines)
    else:
        _daughters_only(d, spouse, parents, lines, hajib)


def _mother_hajib(d: Division) -> bool:
    """Art. 892(b): the mother is held to 1/6 by the decedent's brothers and sisters."""
    father = d.eligible_of("father")
    mother = d.eligible_of("mother")
    if not father or not mother:
        return False
    counted = [
        p
        for p in d.of("full_brother", "full_sister", "paternal_brother", "paternal_sister")
        if not p.deceased
        and not p.unborn
        and (p.id not in d.barred or p.impediment == "intentional_killer")
    ]
    units = sum(2 if p.sex == "male" else 1 for p in counted)
    if units < 4:
        return False
    d.step(
        "892",
        "مادر حاجب دارد: پدر زنده است و دست‌کم دو برادر، یا یک برادر و دو خواهر، یا "
        "چهار خواهر ابوینی یا ابی هست؛ مادر از بیش از یک‌ششم و از رد محروم است",
        "The mother is held back (hajb): the father is alive and there are at least two "
        "brothers, or one brother and two sisters, or four sisters (full or paternal); the "
        "mother takes no more than 1/6 and no return",
    )
    d.exclude(
        counted,
        Reason(
            "892",
            "فقط حاجب مادر است و خود در طبقهٔ دوم ارث نمی‌برد",
            "a partial-exclusion witness only; of the second class, does not inherit",
        ),
    )
    return True


def _parents_alone(d: Division, spouse: Fraction, hajib: bool) -> None:
    rest = ONE - spouse
    father, mother = d.eligible_of("father"), d.eligible_of("mother")
    if father and mother:
        m = SIXTH if hajib else THIRD
        d.give(mother[0], m)
        d.give(father[0], rest - m)
        d.step(
            "906, 903",
            f"مادر {fraction_fa(m)} کل ترکه را به فرض می‌برد و باقی ({fraction_fa(rest - m)}) "
            "به قرابت از آنِ پدر است",
            f"The mother takes {m} of the whole estate as her fixed share; the father takes "
            f"the rest ({rest - m}) as residuary",
        )
    elif father:
        d.give(father[0], rest)
        d.step(
            "906",
            f"پدر تنها وارث طبقهٔ اول است و باقی ترکه ({fraction_fa(rest)}) را می‌برد",
            f"The father is the only first-class heir and takes the rest ({rest})",
        )
    else:
        d.give(mother[0], rest)
        d.step(
            "906, 905",
            f"مادر تنها وارث طبقهٔ اول است: یک‌سوم به فرض و باقی به رد ({fraction_fa(rest)})",
            f"The mother is the only first-class heir: 1/3 as fixed share and the rest by "
            f"return ({rest})",
        )


def _with_a_son(d: Division, spouse: Fraction, parents: list[Person], lines: list[Line]) -> None:
    for p in parents:
        d.give(p, SIXTH)
    rest = ONE - spouse - SIXTH * len(parents)
    if parents:
        d.step(
            "892, 908",
            "هر یک از پدر و مادر با وجود اولاد یک‌ششم می‌برد",
            "With descendants, each parent takes 1/6",
        )
    d.step(
        "907, 911",
        f"باقی ({fraction_fa(rest)}) میان فرزندان (یا سلسلهٔ آنان) تقسیم می‌شود، پسر دو برابر دختر",
        f"The rest ({rest}) goes to the children (or their lines), a "
        "son's share twice a daughter's",
    )
    _lines_split(d, rest, lines, True, True)


def _daughters_only(
    d: Division, spouse: Fraction, parents: list[Person], lines: list[Line], hajib: bool
) -> None:
    fard = HALF if len(lines) == 1 else TWO_THIRDS
    total = spouse + SIXTH * len(parents) + fard
    for p in parents:
        d.give(p, SIXTH)
    if parents:
        d.step(
            "892, 908, 909",
            "هر یک از پدر و مادر با وجود اولاد یک‌ششم به فرض می‌برد",
            "With descendants, each parent takes 1/6 as a fixed share",
        )
    if total > 1:
        block = ONE - spouse - SIXTH * len(parents)
        d.step(
            "914",
            f"فرض‌ها ({fraction_fa(total)}) از ترکه بیشتر است؛ عول نیست و نقص بر "
            f"دختر یا دختران وارد می‌شود که {fraction_fa(block)} می‌برند",
            f"The fixed shares ({total}) exceed the estate; there is no 'awl: the shortfall "
            f"falls on the daughter(s), who take {block}",
        )
    else:
        block = fard
        one = len(lines) == 1
        d.step(
            "899" if one else "902",
            f"{'دختر تنها' if one else 'دختران'} {fraction_fa(fard)} به فرض می‌"
            f"{'برد' if one else 'برند'}",
            f"The {'single daughter takes' if one else 'daughters take'} {fard} as a fixed share",
        )
    if total < 1:
        block += _return_to_daughters(d, ONE - total, parents, fard, hajib)
    _lines_split(d, block, lines, False, True)


def _return_to_daughters(
    d: Division, surplus: Fraction, parents: list[Person], fard: Fraction, hajib: bool
) -> Fraction:
    takers = [p for p in parents if not (hajib and p.relation == "mother")]
    weights = [SIXTH] * len(takers) + [fard]
    whole = sum(weights)
    for p in takers:
        d.give(p, surplus * SIXTH / whole)
    d.step(
        "905, 908, 909, 914",
        f"زیادی ({fraction_fa(surplus)}) به نسبت فرض به "
        f"{'پدر و مادر' if len(takers) == 2 else 'پدر یا مادر' if takers else ''} و دختر(ان) رد "
        "می‌شود؛ زوج و زوجه" + (" و مادرِ دارای حاجب" if hajib else "") + " از رد سهمی ندارند",
        f"The surplus ({surplus}) returns to the parent(s) and daughter(s) in proportion to "
        "their fixed shares; spouses"
        + (" and the mother with hajb" if hajib else "")
        + " take no return",
    )
    return surplus * fard / whole


# --------------------------------------------------------------------------- §5.5 class two

MATERNAL_SIBLINGS = ("maternal_brother", "maternal_sister")
FULL_SIBLINGS = ("full_brother", "full_sister")


def _class_two(d: Division, spouse: Fraction) -> None:
    d.step(
        "862, 916",
        "وارث طبقهٔ اول نیست؛ طبقهٔ دوم (اجداد، برادر و خواهر و اولاد آنان) ارث می‌برد",
        "There is no first-class heir; the second class (grandparents, "
        "brothers and sisters and their descendants) inherits",
    )
    d.exclude(d.of(*UNCLES, "cousin"), _prior_class(2))
    lines, farther = _lines(d, d.of(*SIBLINGS))
    d.exclude(
        farther,
        Reason(
            "890",
            "با وجود برادر یا خواهر (یا نسل نزدیک‌تر)، اولاد اخوه دورتر ارث نمی‌برند",
            "a sibling or a nearer generation of siblings' descendants excludes them",
        ),
    )
    if any(ln.head.relation in FULL_SIBLINGS for ln in lines):
        paternal = [
            ln for ln in lines if ln.head.relation in ("paternal_brother", "paternal_sister")
        ]
        if paternal:
            reason = Reason(
                "918",
                "با وجود اخوهٔ ابوینی، اخوهٔ ابی ارث نمی‌برند",
                "a full sibling excludes paternal-only siblings",
            )
            d.exclude([m for ln in paternal for m in ln.members], reason)
            d.exclude([ln.head for ln in paternal], reason)
            d.step("918", reason.fa, reason.en)
            lines = [ln for ln in lines if ln not in paternal]
    grand = {r: d.eligible_of(r) for r in GRANDPARENTS}
    p_lines = [ln for ln in lines if ln.head.relation not in MATERNAL_SIBLINGS]
    m_lines = [ln for ln in lines if ln.head.relation in MATERNAL_SIBLINGS]
    p_grand = grand["paternal_grandfather"] + grand["paternal_grandmother"]
    m_grand = grand["maternal_grandfather"] + grand["maternal_grandmother"]
    rest = ONE - spouse
    p_side, m_side = bool(p_lines or p_grand), bool(m_lines or m_grand)
    if p_side and m_side:
        m_amount = SIXTH if (len(m_lines) == 1 and not m_grand) else THIRD
        p_amount = rest - m_amount
        d.step(
            "922, 924, 927",
            f"خویشان مادری {fraction_fa(m_amount)} کل ترکه را می‌برند و باقی "
            f"({fraction_fa(p_amount)}) از آنِ خویشان پدری است؛ نقص، اگر باشد، بر آنان وارد است",
            f"The mother's side takes {m_amount} of the whole estate and the father's side "
            f"the rest ({p_amount}); any shortfall falls on the father's side",
        )
    else:
        p_amount = rest if p_side else ZERO
        m_amount = rest if m_side else ZERO
        side_fa, side_en = ("پدری", "father's") if p_side else ("مادری", "mother's")
        d.step(
            "905, 919, 921, 923",
            f"فقط خویشان {side_fa} هستند و باقی ترکه ({fraction_fa(rest)}) "
            "را به فرض و رد یا به قرابت می‌برند",
            f"Only the {side_en} side is present and "
            f"takes the rest ({rest}), by fixed share and return or as residuaries",
        )
    if m_side:
        _side_split(d, m_amount, m_grand, m_lines, male_double=False)
    if p_side:
        _side_split(d, p_amount, p_grand, p_lines, male_double=True)


def _side_split(
    d: Division, amount: Fraction, grand: list[Person], lines: list[Line], male_double: bool
) -> None:
    """Arts. 923-925: grandparents and sibling lines of one side as units (a grandfather like
    a brother, a grandmother like a sister); 2:1 on the father's side, equal on the mother's."""
    units = [*grand, *(ln.head for ln in lines)]
    parts = _split(amount, units, male_double)
    for p, part in zip(grand, parts[: len(grand)], strict=True):
        d.give(p, part)
    for line, part in zip(lines, parts[len(grand) :], strict=True):
        _pass_down(d, line, part, male_double)
    how_fa = "ذکور دو برابر اناث" if male_double else "به تساوی"
    how_en = "a male twice a female" if male_double else "equally"
    d.step(
        "920, 921, 923, 924, 925",
        f"سهم این طرف ({fraction_fa(amount)}) {how_fa} تقسیم "
        "می‌شود؛ اولاد اخوه سهم پدر یا مادر خود را می‌برند",
        f"This side's portion ({amount}) is divided {how_en}; siblings' descendants take "
        "their parent's share",
    )


# --------------------------------------------------------------------------- §5.6 class three

PATERNAL_UNCLES = ("paternal_uncle", "paternal_aunt")
MATERNAL_UNCLES = ("maternal_uncle", "maternal_aunt")


def _class_three(d: Division, spouse: Fraction) -> None:
    d.step(
        "862, 928",
        "وارث طبقهٔ اول و دوم نیست؛ طبقهٔ سوم (عمو، عمه، دایی، خاله و اولاد آنان) ارث می‌برد",
        "There is no heir of the first or second class; the third class "
        "(uncles and aunts and their descendants) inherits",
    )
    if _art_936(d, spouse):
        return
    lines, farther = _lines(d, d.of(*UNCLES))
    d.exclude(
        farther,
        Reason(
            "936, 937",
            "با وجود عمو، عمه، دایی یا خاله (یا نسل نزدیک‌تر)، اولاد آنان ارث نمی‌برند",
            "an uncle or aunt (or a nearer generation of their descendants) excludes them",
        ),
    )
    a_lines = _full_tie_first(d, [ln for ln in lines if ln.head.relation in PATERNAL_UNCLES])
    k_lines = _full_tie_first(d, [ln for ln in lines if ln.head.relation in MATERNAL_UNCLES])
    rest = ONE - spouse
    if a_lines and k_lines:
        a_amount, k_amount = rest - THIRD, THIRD
        d.step(
            "935, 938",
            f"اخوال یک‌سوم کل ترکه و اعمام باقی ({fraction_fa(a_amount)}) را می‌برند؛ "
            "نقص، اگر باشد، بر اعمام وارد است",
            "The maternal uncles and aunts take 1/3 of "
            f"the whole estate and the paternal ones the rest ({a_amount}); any shortfall "
            "falls on the paternal side",
        )
    else:
        a_amount, k_amount = (rest, ZERO) if a_lines else (ZERO, rest)
        d.step(
            "929",
            f"فقط {'اعمام' if a_lines else 'اخوال'} هستند و باقی ترکه ({fraction_fa(rest)}) "
            "را می‌برند",
            f"Only {'paternal' if a_lines else 'maternal'} uncles and aunts "
            f"are present and take the rest ({rest})",
        )
    if a_lines:
        _uncle_group(d, a_amount, a_lines, others_double=True)
    if k_lines:
        _uncle_group(d, k_amount, k_lines, others_double=False)


def _art_936(d: Division, spouse: Fraction) -> bool:
    """Art. 936: one full cousin (son of a full paternal uncle) with one paternal-only
    paternal uncle, and no one else of the class: the cousin excludes the uncle."""
    heirs = d.eligible_of(*UNCLES, "cousin")
    if len(heirs) != 2:
        return False
    uncles = [p for p in heirs if p.relation == "paternal_uncle" and p.tie == "paternal"]
    cousins = [p for p in heirs if p.relation == "cousin" and p.sex == "male"]
    if len(uncles) != 1 or len(cousins) != 1:
        return False
    parent = d.by_id.get(cousins[0].via or "")
    if parent is None or parent.relation != "paternal_uncle" or parent.tie != "full":
        return False
    if d.eligible(parent):
        return False
    if spouse:
        raise Refused(
            "936",
            "استثنای مادهٔ ۹۳۶ (پسرعموی ابوینی با عموی ابی) با وجود همسر محل "
            "اختلاف است؛ پرونده به مرجع قضایی ارجاع می‌شود",
            "the Art. 936 exception (full cousin with a paternal-only uncle) is "
            "unsettled when a spouse inherits; refer the case to a judge",
        )
    d.give(cousins[0], ONE)
    reason = Reason(
        "936",
        "پسرعموی ابوینی، عموی ابی تنها را محروم می‌کند",
        "a full paternal cousin excludes a lone paternal-only uncle",
    )
    d.exclude(uncles, reason)
    d.step(
        "936",
        f"{reason.fa}؛ پسرعمو تمام ترکه را می‌برد",
        f"{reason.en}; the cousin takes the whole estate",
    )
    return True


def _full_tie_first(d: Division, lines: list[Line]) -> list[Line]:
    """Art. 930: in a group, full-tie uncles and aunts exclude paternal-tie ones."""
    if not any(ln.head.tie == "full" for ln in lines):
        return lines
    paternal = [ln for ln in lines if ln.head.tie == "paternal"]
    if paternal:
        reason = Reason(
            "930",
            "با وجود عمو/عمه یا دایی/خالهٔ ابوینی، ابی‌ها ارث نمی‌برند",
            "full-tie uncles and aunts exclude paternal-tie ones",
        )
        d.exclude([m for ln in paternal for m in ln.members], reason)
        d.step("930", reason.fa, reason.en)
    return [ln for ln in lines if ln.head.tie != "paternal"]


def _uncle_group(d: Division, amount: Fraction, lines: list[Line], others_double: bool) -> None:
    """Arts. 931-933, 935: maternal-tie members take 1/6 (one) or 1/3 (several) of the group's
    portion equally; the others the rest, 2:1 among اعمام and equally among اخوال."""
    maternal = [ln for ln in lines if ln.head.tie == "maternal"]
    others = [ln for ln in lines if ln.head.tie != "maternal"]
    if maternal and others:
        m_part = amount * (SIXTH if len(maternal) == 1 else THIRD)
        _lines_split(d, m_part, maternal, False, False)
        _lines_split(d, amount - m_part, others, others_double, others_double)
        d.step(
            "932, 935",
            "امی‌های این گروه "
            + ("یک‌ششم" if len(maternal) == 1 else "یک‌سوم")
            + " سهم گروه را به تساوی و بقیه باقی را می‌برند",
            "The maternal-tie members of this group take "
            + ("1/6" if len(maternal) == 1 else "1/3")
            + " of its portion equally; the others the rest",
        )
    else:
        double = others_double and not maternal
        _lines_split(d, amount, lines, double, double)
        d.step(
            "931, 933",
            "سهم گروه " + ("ذکور دو برابر اناث" if double else "به تساوی") + " تقسیم می‌شود",
            "The group's portion is divided " + ("a male twice a female" if double else "equally"),
        )


# --------------------------------------------------------------------------- §5.7 no blood heir


def _no_blood_heir(d: Division, rest: Fraction) -> None:
    spouses = d.eligible_of("spouse")
    if spouses and d.case.deceased_sex == "female":
        d.give(spouses[0], rest)
        d.step(
            "905, 949",
            "جز زوج وارثی نیست؛ زائد بر فرض نیز به او رد می‌شود و تمام ترکه را می‌برد",
            "The husband is the only heir: the surplus returns to him and he "
            "takes the whole estate",
        )
        return
    d.result.state = rest
    if spouses:
        d.step(
            "949, 866",
            f"جز زوجه وارثی نیست؛ او فقط فرض خود را می‌برد و باقی ({fraction_fa(rest)}) "
            "ترکهٔ بلاوارث است (مادهٔ ۸۶۶)",
            f"The wife is the only heir: she takes only her "
            f"fixed share; the rest ({rest}) is heirless (Art. 866)",
        )
    else:
        d.step(
            "866",
            "وارثی نیست؛ ترکه بلاوارث است و امر آن با حاکم است",
            "There is no heir: the estate is heirless and goes to the state",
        )


# --------------------------------------------------------------------------- reasons for zeros


def _explain_zeros(d: Division) -> None:
    for p in d.case.people:
        if not p.deceased and not d.shares[p.id] and p.id not in d.result.excluded:
            d.result.excluded[p.id] = (
                NEARER
                if _is_descendant(p)
                else Reason("888", "وارث نزدیک‌تر او را محروم می‌کند", "a nearer heir excludes them")
            )
    for pid in list(d.result.excluded):
        if d.shares[pid]:
            del d.result.excluded[pid]


def _is_descendant(p: Person) -> bool:
    return p.relation in (*CHILDREN, *GRANDCHILDREN)


def _who_fa(p: Person) -> str:
    return f"{FA_RELATION[p.relation]} ({p.id})"


def _who_en(p: Person) -> str:
    return f"{p.relation.replace('_', ' ')} {p.id}"


# --------------------------------------------------------------------------- §5.8 unborn, missing


def _with_unborn(case: Case, unborn: list[Person]) -> Result:
    """Art. 878: divide provisionally, reserving two sons' share for each unborn child, unless
    the child, born alive, would exclude an heir or lower a spouse's or parent's fixed share."""
    without = _divide(_without(case, unborn))
    twins = _divide(_as_two_sons(case, unborn))
    affected = _affected_by_unborn(case, unborn, without, twins)
    if affected:
        names = ", ".join(affected)
        raise Refused(
            "878",
            f"حمل در صورت زنده متولد شدن مانع ارث تمام یا بعض {names} می‌شود؛ "
            "تقسیم تا معلوم شدن حال او انجام نمی‌شود",
            f"the unborn child, if born alive, would exclude or reduce {names}; the "
            "estate is not divided until the birth",
        )
    result = twins
    for p in unborn:
        reserve = twins.shares.pop(f"{p.id}#1") + twins.shares.pop(f"{p.id}#2")
        reason = twins.excluded.pop(f"{p.id}#1", None)
        twins.excluded.pop(f"{p.id}#2", None)
        result.shares[p.id] = reserve
        if not reserve:
            result.excluded[p.id] = reason or NEARER
            continue
        result.steps.append(
            Step(
                "878",
                f"برای حمل ({p.id}) سهم دو پسر ({fraction_fa(reserve)}) "
                "کنار گذاشته می‌شود؛ سهم دیگران مراعا است",
                f"The share of two sons ({reserve}) is set aside for the unborn "
                f"child ({p.id}); the other shares are conditional",
            )
        )
    result.shares = {p.id: result.shares[p.id] for p in case.people if not p.deceased}
    result.status = "provisional" if any(result.shares[p.id] for p in unborn) else "final"
    return result


def _without(case: Case, unborn: list[Person]) -> Case:
    ids = {p.id for p in unborn}
    return replace(case, people=tuple(p for p in case.people if p.id not in ids))


MALE_OF = {
    "son": "son",
    "daughter": "son",
    "grandson": "grandson",
    "granddaughter": "grandson",
    "full_brother": "full_brother",
    "full_sister": "full_brother",
    "paternal_brother": "paternal_brother",
    "paternal_sister": "paternal_brother",
    "maternal_brother": "maternal_brother",
    "maternal_sister": "maternal_brother",
    "nephew": "nephew",
    "niece": "nephew",
    "cousin": "cousin",
    "paternal_uncle": "paternal_uncle",
    "paternal_aunt": "paternal_uncle",
    "maternal_uncle": "maternal_uncle",
    "maternal_aunt": "maternal_uncle",
}


def _as_two_sons(case: Case, unborn: list[Person]) -> Case:
    ids = {p.id for p in unborn}
    people = [p for p in case.people if p.id not in ids]
    for p in unborn:
        relation = MALE_OF.get(p.relation, p.relation)
        for n in (1, 2):
            people.append(replace(p, id=f"{p.id}#{n}", relation=relation, sex="male", unborn=False))
    return replace(case, people=tuple(people))


def _affected_by_unborn(
    case: Case, unborn: list[Person], without: Result, twins: Result
) -> list[str]:
    ids = {p.id for p in unborn}
    excluded = [
        pid
        for pid, share in without.shares.items()
        if pid not in ids and share and not twins.shares.get(pid)
    ]
    descendant = any(_is_descendant(p) for p in unborn)
    lowered = []
    if descendant and not _has_descendant(without, case):
        lowered = [
            p.id
            for p in case.people
            if p.relation in ("spouse", "father", "mother") and without.shares.get(p.id)
        ]
    return excluded + lowered


def _has_descendant(result: Result, case: Case) -> bool:
    return any(result.shares.get(p.id) for p in case.people if _is_descendant(p) and not p.unborn)


def _reserve_missing(case: Case, result: Result) -> None:
    for p in case.people:
        if p.missing and not p.deceased:
            result.steps.append(
                Step(
                    "879",
                    f"سهم غایب مفقودالاثر ({p.id}) کنار گذاشته می‌شود تا حال او معلوم شود",
                    f"The share of the missing heir ({p.id}) is set aside until his fate is known",
                )
            )
    result.status = "provisional"
