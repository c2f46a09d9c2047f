"""Heirs from the register: the inheritance case of a registered death.

Who counts is decided at the moment of death: a relative alive then is an heir even if they
died afterwards (`died_on`); one who died before is listed as `deceased` only when their own
descendants may represent them. Classes are read from the register one at a time, nearest
first, and a later class is read only when the nearer ones leave the estate to it (a later
class never changes a nearer class's result, so nothing is lost).

What the register cannot settle is never assumed silently: it becomes a gap (the result is
then `needs_review`) or an assumption stated in the answer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sabt.inheritance.case import parse_case
from sabt.inheritance.law import Result, compute
from sabt.kit.errors import NotFound, SabtError
from sabt.persian.jalali import to_jalali
from sabt.registry.models import Marriage, Person

# Art. 1158 ff.: a child born within ten months of the death was conceived before it.
LONGEST_PREGNANCY = timedelta(days=300)
ILLNESS_DIVORCE_WINDOW = timedelta(days=365)  # Art. 944
ASSUMPTIONS = [
    {
        "code": "no_pregnancy",
        "message_fa": "فرض بر این است که در زمان فوت حملی در کار نبوده است",
        "message_en": "no pregnancy is known at the time of death",
    },
    {
        "code": "no_impediment",
        "message_fa": "مانعی از ارث (قتل، لعان، زنا) ثبت نشده و فرض بر نبودن آن است",
        "message_en": "no impediment (killing, li'an, zina) is recorded; none is assumed",
    },
    {
        "code": "no_missing_heir",
        "message_fa": "فرض بر این است که وارث غایب مفقودالاثری نیست",
        "message_en": "no heir is assumed to be missing",
    },
]


class NotDeceased(SabtError):
    status = 400


@dataclass(frozen=True, slots=True)
class Kin:
    """A person as the resolver needs them."""

    code: str
    sex: str
    birth_date: date
    death_date: date | None
    death_at: datetime | None
    father: str | None
    mother: str | None
    religion: str
    school: str
    name: str


@dataclass
class Resolution:
    case: dict[str, Any]
    result: Result
    gaps: list[dict[str, Any]]
    names: dict[str, str] = field(default_factory=dict)

    @property
    def completeness(self) -> str:
        return "needs_review" if self.gaps else "complete"

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "result": self.result.as_json(),
            "completeness": self.completeness,
            "gaps": self.gaps,
            "assumptions": ASSUMPTIONS,
        }


KIN_COLUMNS = (
    Person.national_code,
    Person.sex,
    Person.birth_date,
    Person.death_date,
    Person.death_at,
    Person.father_code,
    Person.mother_code,
    Person.religion,
    Person.school,
    Person.first_name,
    Person.last_name,
)


def _kin(rows: Iterable[Any]) -> list[Kin]:
    return [
        Kin(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], f"{r[9]} {r[10]}") for r in rows
    ]


class Register:
    """The reads the resolver makes (indexed lookups only)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def people(self, codes: Iterable[str | None]) -> list[Kin]:
        wanted = sorted({c for c in codes if c})
        if not wanted:
            return []
        query = select(*KIN_COLUMNS).where(Person.national_code.in_(wanted))
        return _kin(self.session.execute(query))

    def children(self, parents: Iterable[Kin]) -> list[Kin]:
        fathers = [p.code for p in parents if p.sex == "male"]
        mothers = [p.code for p in parents if p.sex == "female"]
        conditions = []
        if fathers:
            conditions.append(Person.father_code.in_(fathers))
        if mothers:
            conditions.append(Person.mother_code.in_(mothers))
        if not conditions:
            return []
        query = select(*KIN_COLUMNS).where(or_(*conditions)).order_by(Person.birth_date)
        return _kin(self.session.execute(query))

    def marriages(self, code: str) -> list[Marriage]:
        query = select(Marriage).where(
            or_(Marriage.husband_code == code, Marriage.wife_code == code)
        )
        return list(self.session.scalars(query.order_by(Marriage.registered_at)))


def resolve(session: Session, code: str) -> Resolution:
    """The case, result and gaps of the registered death of `code`."""
    reg = Register(session)
    found = reg.people([code])
    if not found:
        raise NotFound("not_registered", f"کد ملی {code} در ثبت نیست", f"{code} is not registered")
    deceased = found[0]
    if deceased.death_date is None:
        raise NotDeceased(
            "not_deceased", f"فوت {code} ثبت نشده است", f"no death is registered for {code}"
        )
    return Resolver(reg, deceased).run()


class Resolver:
    def __init__(self, reg: Register, deceased: Kin) -> None:
        self.reg = reg
        self.d = deceased
        self.death_date: date = deceased.death_date  # type: ignore[assignment]
        self.heirs: list[dict[str, Any]] = []
        self.gaps: list[dict[str, Any]] = []
        self.names: dict[str, str] = {deceased.code: deceased.name}
        self.seen: set[str] = {deceased.code}
        self._computed: tuple[int, Result] | None = None

    # ----- the moment of death
    def status(self, k: Kin) -> str:
        """before | after | same_day | alive | unborn (born after the death)."""
        if k.birth_date > self.death_date:
            return "unborn"
        if k.death_date is None:
            return "alive"
        if k.death_date != self.death_date:
            return "before" if k.death_date < self.death_date else "after"
        if k.death_at is not None and self.d.death_at is not None and k.death_at != self.d.death_at:
            return "before" if k.death_at < self.d.death_at else "after"
        return "same_day"

    def gap(self, code: str, person: str | None, fa: str, en: str) -> None:
        self.gaps.append({"code": code, "person": person, "message_fa": fa, "message_en": en})

    def add(self, k: Kin, relation: str, **extra: Any) -> dict[str, Any]:
        entry = {"id": k.code, "relation": relation, "sex": k.sex, **extra}
        state = self.status(k)
        if state == "before":
            entry["deceased"] = True
        elif state in ("after", "same_day") and k.death_date is not None:
            entry["died_on"] = to_jalali(k.death_date)
            if state == "same_day":
                entry["death_order_unknown"] = True
                self.gap(
                    "death_order_unknown",
                    k.code,
                    "ترتیب فوت این خویشاوند و متوفی (همان روز، بدون ساعت) معلوم نیست (مادهٔ ۸۷۳)",
                    "this relative died on the same day with no times recorded: the order "
                    "of deaths is unknown (Art. 873)",
                )
        elif state == "unborn":
            entry.update(posthumous=True, born_alive=True)
        if k.religion != "muslim":
            entry["impediment"] = "non_muslim"  # Art. 881 bis; the engine weighs it
        self.heirs.append(entry)
        self.names[k.code] = k.name
        self.seen.add(k.code)
        return entry

    def alive_at_death(self, k: Kin) -> bool:
        return self.status(k) in ("alive", "after", "same_day")

    # ----- lines: a relative and, if they died before, their descendants
    def lines(
        self, roots: Sequence[tuple[Kin, str, dict[str, Any]]], below: tuple[str, str]
    ) -> None:
        """Add `roots` (kin, relation, extra) and the descendants of those who died before."""
        parents = []
        for k, relation, extra in roots:
            if k.code in self.seen or not self._conceived_in_time(k, relation):
                continue
            entry = self.add(k, relation, **extra)
            if entry.get("deceased"):
                parents.append(k)
        while parents:
            kids = [k for k in self.reg.children(parents) if k.code not in self.seen]
            parents = []
            for k in kids:
                parent = k.father if k.father in self.seen else k.mother
                relation = below[0] if k.sex == "male" else below[1]
                if self.status(k) == "unborn" and not self._born_in_time(k):
                    continue
                if self.add(k, relation, via=parent).get("deceased"):
                    parents.append(k)

    def _conceived_in_time(self, k: Kin, relation: str) -> bool:
        if self.status(k) != "unborn":
            return True
        if self._born_in_time(k):
            return True
        if relation in ("son", "daughter"):
            self.gap(
                "born_too_late",
                k.code,
                "فرزندی بیش از ده ماه پس از فوت متوفی به نام او ثبت شده است",
                "a child is registered to the decedent more than ten months after the death",
            )
        return False

    def _born_in_time(self, k: Kin) -> bool:
        return k.birth_date <= self.death_date + LONGEST_PREGNANCY

    # ----- the classes
    def run(self) -> Resolution:
        d = self.d
        self._spouses()
        parents = self.reg.people([d.father, d.mother])
        self._parents(parents)
        self.lines(
            [(k, "son" if k.sex == "male" else "daughter", {}) for k in self.reg.children([d])],
            ("grandson", "granddaughter"),
        )
        siblings = self._siblings(d, parents)
        if not self._inherits(1):
            grand = self.reg.people(c for p in parents for c in (p.father, p.mother))
            self._grandparents(parents, grand)
            self.lines(siblings, ("nephew", "niece"))
            if not self._inherits(2):
                self._uncles(parents, grand)
        if d.school != "shia":
            self.gap(
                "school_not_shia",
                d.code,
                "متوفی شیعهٔ امامی نیست؛ این موتور قواعد فقه امامیهٔ قانون مدنی را اجرا می‌کند",
                "the decedent is not a Twelver Shia: the engine implements the Imami rules "
                "of the Civil Code only",
            )
        return Resolution(self._case(), self._result(), self.gaps, self.names)

    def _case(self) -> dict[str, Any]:
        return {
            "id": self.d.code,
            "deceased_sex": self.d.sex,
            "deceased": {
                "muslim": self.d.religion == "muslim",
                "date_of_death": to_jalali(self.death_date),
            },
            "heirs": self.heirs,
        }

    def _result(self) -> Result:
        """The engine's result for the heirs found so far; heirs are only ever appended, so
        their number says whether the last result still holds."""
        if self._computed is None or self._computed[0] != len(self.heirs):
            self._computed = (len(self.heirs), compute(parse_case(self._case())))
        return self._computed[1]

    def _inherits(self, klass: int) -> bool:
        """Whether class `klass` or a nearer one takes the estate with the heirs found so far
        (or the case is refused already, when reading further would change nothing)."""
        result = self._result()
        if result.status == "refused":
            return True
        return result.heir_class is not None and result.heir_class <= klass

    def _parents(self, parents: list[Kin]) -> None:
        for k in parents:
            if self.alive_at_death(k):
                self.add(k, "father" if k.sex == "male" else "mother")
        for missing, fa, en in (
            (self.d.father, "پدر", "father"),
            (self.d.mother, "مادر", "mother"),
        ):
            if missing is None:
                self.gap(
                    "parent_unknown",
                    None,
                    f"{fa} متوفی در ثبت پیوند نشده؛ سهم او، خواهر و برادران و طبقه‌های "
                    "بعد را نمی‌توان دانست",
                    f"the decedent's {en} is not linked in the register: their share, the "
                    "siblings and the later classes cannot be known",
                )

    def _siblings(self, d: Kin, parents: list[Kin]) -> list[tuple[Kin, str, dict[str, Any]]]:
        found = [k for k in self.reg.children(parents) if k.code != d.code]
        out: list[tuple[Kin, str, dict[str, Any]]] = []
        for k in found:
            tie = self._tie(k, d)
            if tie is None:
                continue
            word = "brother" if k.sex == "male" else "sister"
            out.append((k, f"{tie}_{word}", {}))
        # Full and paternal siblings alive at death count towards the mother's hajb (892(b)).
        for k, relation, _ in out:
            if relation.startswith(("full", "paternal")) and self.alive_at_death(k):
                self.add(k, relation)
        return out

    def _tie(self, k: Kin, of: Kin) -> str | None:
        """How `k` is a sibling of `of`: full, paternal, maternal; None if not (or unknown)."""
        same_father = of.father is not None and k.father == of.father
        same_mother = of.mother is not None and k.mother == of.mother
        if same_father and same_mother:
            return "full"
        unknown = (same_father and (k.mother is None or of.mother is None)) or (
            same_mother and (k.father is None or of.father is None)
        )
        if unknown:
            self.gap(
                "sibling_tie_unknown",
                k.code,
                "یکی از والدین این خواهر یا برادر در ثبت نیست؛ ابوینی یا ابی/امی بودن او معلوم "
                "نیست",
                "one parent of this sibling is not linked: whether the tie is full "
                "or half cannot be known",
            )
        return "paternal" if same_father else "maternal" if same_mother else None

    def _grandparents(self, parents: list[Kin], grand: list[Kin]) -> None:
        by_code = {g.code: g for g in grand}
        for p in parents:
            side = "paternal" if p.sex == "male" else "maternal"
            for code, word in ((p.father, "grandfather"), (p.mother, "grandmother")):
                g = by_code.get(code or "")
                if g is not None and self.alive_at_death(g):
                    self.add(g, f"{side}_{word}")

    def _uncles(self, parents: list[Kin], grand: list[Kin]) -> None:
        roots: list[tuple[Kin, str, dict[str, Any]]] = []
        aunts_and_uncles = self.reg.children(grand)
        for p in parents:
            side = "paternal" if p.sex == "male" else "maternal"
            if p.father is None or p.mother is None:
                self.gap(
                    "grandparent_unknown",
                    p.code,
                    "یکی از والدین پدر یا مادر متوفی در ثبت نیست؛ عموها، عمه‌ها، دایی‌ها یا "
                    "خاله‌ها کامل نیستند",
                    "a parent of the decedent's father or mother is "
                    "not linked: the uncles and aunts on that side may be incomplete",
                )
            for k in aunts_and_uncles:
                if k.code == p.code or k.code in self.seen:
                    continue
                tie = self._tie(k, p)
                if tie is not None:
                    word = "uncle" if k.sex == "male" else "aunt"
                    roots.append((k, f"{side}_{word}", {"tie": tie}))
        self.lines(roots, ("cousin", "cousin"))

    def _spouses(self) -> None:
        d = self.d
        survivor_is_husband = d.sex == "female"
        counted: list[tuple[Marriage, str]] = []
        for m in self.reg.marriages(d.code):
            other = m.husband_code if m.wife_code == d.code else m.wife_code
            if m.kind != "permanent" or m.registered_at.date() > self.death_date:
                continue
            if self._still_married(m):
                counted.append((m, other))
            elif (
                not survivor_is_husband
                and m.end_reason in ("divorce_revocable", "divorce_irrevocable")
                and m.ended_at is not None
                and m.ended_at.date() > self.death_date - ILLNESS_DIVORCE_WINDOW
            ):
                self.gap(
                    "divorce_within_year",
                    other,
                    "طلاق کمتر از یک سال پیش از فوت شوهر؛ اگر در بیماری منجر به فوت بوده، زن "
                    "ارث می‌برد (مادهٔ ۹۴۴)",
                    "a divorce less than a year before the "
                    "husband's death: if given in his last illness, she inherits (Art. 944)",
                )
        spouses = {k.code: k for k in self.reg.people(o for _, o in counted)}
        if survivor_is_husband and len(counted) > 1:
            self.gap(
                "marriage_without_end",
                None,
                "بیش از یک ازدواج دائم بی‌پایان برای متوفی ثبت شده است",
                "more than one open permanent marriage is recorded for the decedent",
            )
            counted = counted[-1:]
        for _, other in counted:
            k = spouses.get(other)
            if k is not None and self.alive_at_death(k):
                self.add(k, "spouse")

    def _still_married(self, m: Marriage) -> bool:
        """Art. 943: a marriage counts until it ended; a revocable divorce until its waiting
        period ends; a marriage ended by this very death counts."""
        if m.ended_at is None:
            return True
        if m.end_reason == "death" and m.ended_at.date() >= self.death_date:
            return True
        if m.ended_at.date() > self.death_date:
            return True
        return (
            m.end_reason == "divorce_revocable"
            and m.waiting_period_end is not None
            and m.waiting_period_end >= self.death_date
        )
