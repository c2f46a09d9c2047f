"""What SAHIM's pages show, as plain rows of Persian text (pure: no I/O, no framework).
Dates are Jalali in Persian digits, times in Tehran's; places by their Persian names."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from sabt.documents.render import KIND_FA, MARRIAGE_END_FA, STATUS_FA
from sabt.exchange.notices import SERVICE_OF_ACTION
from sabt.kit.clock import TEHRAN
from sabt.persian import places
from sabt.persian.digits import to_persian
from sabt.persian.jalali import format_fa
from sabt.registry.models import Person
from sabt.registry.queries import Spouse

SEX_FA = {"male": "مرد", "female": "زن"}


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    ltr: bool = False  # codes and serials read left to right inside the RTL page


def place_fa(county_code: str | None) -> str:
    """'شهرستان، استان' of a county code, or '—' when the register has none."""
    county = places.counties().get(county_code or "")
    if county is None:
        return "—"
    province = places.provinces().get(county.province_iso)
    return f"{county.name_fa}، {province.name_fa}" if province else county.name_fa


def booklet_fa(person: Person) -> str:
    parts = [p for p in (person.booklet_series, person.booklet_serial) if p]
    return to_persian("-".join(parts)) if parts else "—"


def identity_rows(person: Person, parents: list[Person]) -> list[Row]:
    """The booklet's page of identity, as the register holds it today."""
    mother = next((p for p in parents if p.national_code == person.mother_code), None)
    rows = [
        Row("کد ملی", to_persian(person.national_code), ltr=True),
        Row("نام", person.first_name),
        Row("نام خانوادگی", person.last_name),
        Row("نام پدر", person.father_name or "—"),
        Row("نام مادر", f"{mother.first_name} {mother.last_name}" if mother else "—"),
        Row("جنسیت", SEX_FA.get(person.sex, "—")),
        Row("تاریخ تولد", format_fa(person.birth_date)),
        Row("محل تولد", place_fa(person.birth_county)),
        Row("سری و سریال شناسنامه", booklet_fa(person), ltr=True),
        Row("محل سکونت", place_fa(person.residence_county)),
    ]
    if person.status == "deceased" and person.death_date:
        rows.append(Row("تاریخ فوت", format_fa(person.death_date)))
    return rows


def name_of(person: Person) -> str:
    return f"{person.first_name} {person.last_name}"


def when_fa(at: datetime) -> str:
    """A moment the database keeps in naive UTC, as Tehran's Jalali date and time."""
    local = at.replace(tzinfo=UTC).astimezone(TEHRAN)
    return f"{format_fa(local.date())}، ساعت {to_persian(local.strftime('%H:%M'))}"


# --- my family ------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One box of the family tree."""

    name: str
    relation: str
    life: str  # "۱۳۵۴/۱۰/۱۴" or "۱۳۲۸/۱۲/۱۰ — ۱۳۶۸/۱۰/۱۱ (درگذشته)"
    note: str = ""  # for a spouse: the marriage and how it ended
    deceased: bool = False


def _life(person: Person) -> str:
    born = format_fa(person.birth_date)
    if person.death_date is None:
        return f"تولد {born}"
    return f"تولد {born} — درگذشت {format_fa(person.death_date)}"


def _member(person: Person, relation: str, note: str = "") -> Member:
    return Member(name_of(person), relation, _life(person), note, person.death_date is not None)


def _marriage_note(spouse: Spouse) -> str:
    kind = "دائم" if spouse.kind == "permanent" else "موقت"
    since = f"ازدواج {kind} از {format_fa(spouse.registered_at.date())}"
    if spouse.ended_at is None:
        return f"{since} — برقرار"
    how = MARRIAGE_END_FA.get(spouse.end_reason or "", spouse.end_reason or "")
    return f"{since} — پایان: {how}، {format_fa(spouse.ended_at.date())}"


@dataclass(frozen=True)
class Family:
    me: Member
    parents: list[Member]
    spouses: list[Member]
    children: list[Member]


def family(person: Person, parents: list[Person], spouses: list[Spouse],
           children: list[Person]) -> Family:  # fmt: skip
    """The citizen's family as the register holds it: parents, every marriage (current and
    past, with how it ended) and children, oldest first."""
    word = {"male": "پدر", "female": "مادر"}
    kid = {"male": "پسر", "female": "دختر"}
    spouse_word = "همسر"
    ordered = sorted(parents, key=lambda p: p.sex != "male")
    return Family(
        me=_member(person, "خودم"),
        parents=[_member(p, word.get(p.sex, "والد")) for p in ordered],
        spouses=[_member(s.person, spouse_word, _marriage_note(s)) for s in spouses],
        children=[_member(c, kid.get(c.sex, "فرزند")) for c in children],
    )


# --- my documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    number: str
    kind: str
    about: str
    issued: str
    status: str  # valid / revoked / superseded
    status_fa: str
    verify_url: str  # the public status page anyone can open


def document_row(number: str, kind: str, about: str, issued_at: datetime, status: str,
                 public_url: str) -> DocumentRow:  # fmt: skip
    status_fa = STATUS_FA.get(status, status)
    return DocumentRow(number, KIND_FA[kind], about, when_fa(issued_at), status, status_fa,
                       f"{public_url}/verify?n={number}")  # fmt: skip


def document_about(kind: str, facts: dict[str, Any]) -> str:
    """Whom a document is about, from its facts: the person, the deceased, or the couple."""
    if kind == "marriage":
        return f"{facts['husband']['name']} و {facts['wife']['name']}"
    person = facts.get("person") or facts.get("deceased") or {}
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


def offer_label(kind: str, subject: Person, is_me: bool, spouse: Person | None) -> str:
    """What the issue button says: "گواهی ولادت من", "گواهی ازدواج با …", "… فرزندم …"."""
    if kind == "marriage" and spouse is not None:
        return f"{KIND_FA[kind]} با {name_of(spouse)}"
    return f"{KIND_FA[kind]} من" if is_me else f"{KIND_FA[kind]} فرزندم {name_of(subject)}"


# --- who looked at my data --------------------------------------------------------------

ACTION_FA = {"person.read": "دیدن پرونده", "person.history": "دیدن تاریخچهٔ پرونده",
             "inheritance.read": "دیدن وراث و سهم‌ها", **SERVICE_OF_ACTION}  # fmt: skip
# What an agency's call was answered (the access log's outcome), as the citizen reads it.
ANSWER_FA = {
    "match": "مشخصات درست بود", "name_mismatch": "نام با پرونده نمی‌خواند",
    "birth_date_mismatch": "تاریخ تولد با پرونده نمی‌خواند",
    "booklet_mismatch": "شمارهٔ شناسنامه با پرونده نمی‌خواند",
    "hotlisted": "رد شد: هویت شما در فهرست مسدود است", "revoked_vid": "رد شد: شناسهٔ مجازی باطل شده",
    "alive": "پاسخ: در قید حیات", "deceased": "پاسخ: درگذشته",
    "released:consent": "مشخصات با رضایت شما داده شد",
    "released:law": "مشخصات به حکم قانون داده شد",
    "locked": "قفل eKYC شما: مشخصاتی داده نشد",
}  # fmt: skip
METHOD_FA = {"password": "گذرواژه", "otp": "کد پیامکی", "otp_sent": "فرستادن کد پیامکی",
             "enrol": "ثبت‌نام در هدا"}  # fmt: skip
AGENCY_FA = {"hoda": "هدا"}
OUTCOME_FA = {"success": "موفق", "failure": "ناموفق"}


@dataclass(frozen=True)
class AccessRow:
    when: str
    who: str
    office: str
    what: str
    purpose: str
    answer: str


def access_row(at: datetime, who: str, office: str, action: str, purpose: str,
               outcome: str | None = None) -> AccessRow:  # fmt: skip
    """`who` and `office` as the citizen reads them (identity.access_log.reader_fa)."""
    answer = ANSWER_FA.get(outcome, "") if outcome else ""
    return AccessRow(when_fa(at), who, office, ACTION_FA.get(action, action), purpose, answer)


@dataclass(frozen=True)
class LoginRow:
    when: str
    agency: str
    method: str
    outcome: str
    failed: bool


def login_row(at: datetime, agency: str, method: str, outcome: str) -> LoginRow:
    return LoginRow(when_fa(at), AGENCY_FA.get(agency, agency), METHOD_FA.get(method, method),
                    OUTCOME_FA.get(outcome, outcome), outcome != "success")  # fmt: skip


@dataclass(frozen=True)
class Pages:
    """Where a paginated list stands: page n of m, and the neighbours' numbers."""

    number: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def text(self) -> str:
        return f"صفحهٔ {to_persian(str(self.number))} از {to_persian(str(self.count))}"


def page_number(text: str) -> int:
    """The page a link asks for; anything but a small positive number is the first."""
    return int(text) if text.isdigit() and len(text) <= 6 else 1


def pages(total: int, per_page: int, number: int) -> Pages:
    count = max(1, -(-total // per_page))
    return Pages(min(max(number, 1), count), count)


# --- inheritance ------------------------------------------------------------------------


@dataclass(frozen=True)
class HeirRow:
    name: str
    relation: str
    share: str  # "۱/۴"


def share_fa(share: str | Fraction) -> str:
    return to_persian(str(Fraction(share)))


def heir_rows(table: dict[str, Any]) -> list[HeirRow]:
    """A division table of the certificate's facts (documents.estate) as rows."""
    return [HeirRow(h["name"] or h["relation_fa"], h["relation_fa"], share_fa(h["share"]))
            for h in table["heirs"]]  # fmt: skip


# --- requests ---------------------------------------------------------------------------

FIELD_FA = {"first_name": "نام", "last_name": "نام خانوادگی", "father_name": "نام پدر",
            "birth_date": "تاریخ تولد", "birth_county": "محل تولد (شهرستان)",
            "religion": "دین", "school": "مذهب"}  # fmt: skip
CASE_STATUS_FA = {"queued": "در انتظار بررسی کارشناس", "registered": "پذیرفته و اعمال شد",
                  "rejected": "رد شد"}  # fmt: skip


@dataclass(frozen=True)
class RequestRow:
    number: str
    what: str
    asked: str
    status: str
    note: str  # the decision's note, or who has it now


def request_row(case_id: int, received_at: datetime, status: str,
                data: dict[str, Any]) -> RequestRow:  # fmt: skip
    fix = data["correction"]
    field = FIELD_FA.get(fix["field"], fix["field"])
    what = f"اصلاح {field}: «{_value_fa(fix['old'])}» به «{_value_fa(fix['new'])}»"
    decided = data.get("rejected_by") or data.get("approved_by") or {}
    note = decided.get("note") or ("تأیید اول انجام شده است" if data.get("endorsed_by") else "")
    return RequestRow(to_persian(str(case_id)), what, when_fa(received_at),
                      CASE_STATUS_FA.get(status, status), note)  # fmt: skip


def _value_fa(value: str | None) -> str:
    if value is None:
        return "—"
    try:
        return format_fa(date.fromisoformat(value))
    except ValueError:
        return to_persian(value)


@dataclass(frozen=True)
class ObjectionRow:
    """One of the citizen's objections as SAHIM lists it."""

    number: str
    id: int
    deceased: str
    certificate: str
    level: str
    grounds: str
    filed: str
    status: str
    note: str  # the decision's note
    reissued: str | None  # the corrected certificate
    appeal_until: str | None  # last day to object to the decision
    can_appeal: bool


def objection_row(o: dict[str, Any], deceased_name: str, today: date) -> ObjectionRow:
    """`o` is estates.objections.as_json of an objection."""
    decision = o["decision"] or {}
    until = date.fromisoformat(o["appeal_until"]) if o["appeal_until"] else None
    return ObjectionRow(
        to_persian(str(o["id"])), o["id"], deceased_name, o["certificate"],
        "تجدیدنظر (مرجع ملی)" if o["level"] == 2 else "هیأت حل اختلاف استان",
        o["grounds_fa"], when_fa(datetime.fromisoformat(o["filed_at"].removesuffix("Z"))),
        o["status_fa"], decision.get("note", ""), decision.get("reissued"),
        format_fa(until) if until else None, until is not None and today <= until,
    )  # fmt: skip
