"""The law a birth notification is checked against. Pure: no I/O.

Civil Code Arts. 1158-1159 (paternity), 1154 (the widow's waiting period), Civil
Registration Act Art. 15 note (the 15-day period, Jalali, holidays), Art. 20 (names) and
Art. 25 (the 10-day period for deaths).
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sabt.persian import jalali, names

BIRTH_PERIOD_DAYS = 15  # Civil Registration Act Art. 15 note
DEATH_PERIOD_DAYS = 10  # Art. 25
MOTHER_AGE = (10, 60)  # plausible completed years at a birth
SAME_BIRTH_HOURS = 24  # children of one plurality are born within a day
BIRTH_SPACING_DAYS = 180  # a mother cannot give birth twice within about six months

# Words Art. 20 forbids as or in a first name (titles and ranks); a name with one goes to a
# registrar, who decides with the Supreme Council's list.
FORBIDDEN_IN_NAMES = frozenset(
    {"شاه", "امیر", "خان", "سلطان", "شیخ", "دکتر", "مهندس", "حاج", "امام"}
)

# What would clear each flag, for the answer to the hospital or the parent.
FLAGS: dict[str, tuple[str, str]] = {
    "late": (
        "اعلام پس از مهلت قانونی (ولادت ۱۵ روز، فوت ۱۰ روز): ثبت با تأیید دو کارشناس",
        "after the legal period (15 days for a birth, 10 for a death): two registrars must"
        " approve (late registration)",
    ),
    "potential_duplicate": (
        "ولادت دیگری از همین مادر در شش ماه اخیر ثبت شده: کارشناس بررسی می‌کند",
        "another birth by this mother within six months: a registrar checks it is not a duplicate",
    ),
    "incomplete": (
        "جنسیت نوزاد معلوم نیست: بیمارستان باید اصلاح کند",
        "the child's sex is not male or female: the hospital must correct the notification",
    ),
    "name_review": (
        "نام در فهرست نام‌های پذیرفته نیست: کارشناس بررسی می‌کند (ماده ۲۰)",
        "the name is not in the accepted list or may break Art. 20: a registrar reviews it",
    ),
    "no_registered_marriage": (
        "ازدواج ثبت‌شده‌ای که نسب را برساند نیست: والدین با هم مراجعه کنند",
        "no registered marriage makes the father's paternity presumed (Civil Code 1158-1159):"
        " both parents declare before a registrar",
    ),
    "no_notification": (
        "ولادتی که بیمارستان اعلام نکرده: مدارک را کارشناس ارشد دیگری بررسی و تأیید می‌کند",
        "no hospital notified this birth: another, senior registrar checks the filer's"
        " evidence and approves",
    ),
    # deaths
    "unknown_person": (
        "کد ملی در ثبت نیست: گزارشگر باید اعلام درست بفرستد؛ پرونده رد می‌شود",
        "no such national code in the register: the reporter sends a corrected notification",
    ),
    "already_deceased": (
        "فوت این شخص پیش‌تر ثبت شده: پرونده بررسی و رد می‌شود",
        "this person's death is already registered: a registrar checks and rejects it",
    ),
    "reporter_not_competent": (
        "بیمارستان فقط فوت در بخش‌های خود را اعلام می‌کند؛ فوت در جای دیگر با گواهی پزشکی قانونی"
        " یا پزشک، با تأیید دو کارشناس ثبت می‌شود",
        "a hospital reports deaths in its own wards: a death elsewhere needs forensic medicine's"
        " or a physician's certificate, checked and approved by two registrars",
    ),
    "date_before_birth": (
        "تاریخ فوت پیش از تولد است: گزارشگر باید اصلاح کند؛ پرونده رد می‌شود",
        "the death is dated before the birth: the reporter corrects it",
    ),
}


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class MarriageSpan:
    started: date
    ended: date | None


def paternity_presumed(born: date, marriages: list[MarriageSpan]) -> bool:
    """Civil Code 1158: a child born to a marriage is the husband's if born at least six
    months after it began and no more than ten months after it ended (1159 after divorce or
    death)."""
    return any(
        born >= add_months(m.started, 6) and (m.ended is None or born <= add_months(m.ended, 10))
        for m in marriages
    )


def mother_age_plausible(mother_birth: date, born: date) -> bool:
    low, high = MOTHER_AGE
    return born >= mother_birth and low <= jalali.age_on(mother_birth, born) <= high


def is_late(event_day: date, days: int, declared_on: date) -> bool:
    """After the legal period, counted in the Jalali calendar with official holidays.

    Holidays only ever lengthen a period, by at most `jalali.LONGEST_HOLIDAY_RUN` days, so
    the holiday table is consulted only for a declaration in that margin: an event of 1920
    or of 1302 SH (outside the lunar table) declared years later is late without it."""
    earliest_deadline = event_day + timedelta(days=days)
    if declared_on <= earliest_deadline:
        return False
    if declared_on > earliest_deadline + timedelta(days=jalali.LONGEST_HOLIDAY_RUN):
        return True
    return declared_on > jalali.deadline(event_day, days)


def name_needs_review(name: str, sex: str) -> bool:
    words = set(name.replace("\u200c", " ").split())
    return bool(words & FORBIDDEN_IN_NAMES) or not names.is_accepted(name, sex)


def same_birth(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) <= SAME_BIRTH_HOURS * 3600


def widow_waiting_end(death_day: date) -> date:
    """Civil Code 1154: a widow's waiting period is four months and ten days."""
    return add_months(death_day, 4) + timedelta(days=10)
