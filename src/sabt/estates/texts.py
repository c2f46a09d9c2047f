"""What the estates part says to people (pure): the SMS to heirs and guardians, the grounds
of an objection, the states of an objection."""

from datetime import date

from sabt.persian.jalali import format_fa

GROUNDS = {
    "missing_heir": ("وارثی از قلم افتاده است", "an heir is missing"),
    "not_heir": ("کسی که وارث نیست در گواهی آمده است", "a person named is not an heir"),
    "share": ("سهم یکی از وراث نادرست است", "a share is wrong"),
}
OBJECTION_STATUS_FA = {
    "filed": "در انتظار رسیدگی هیأت",
    "rejected": "رد شد",
    "correcting": "پذیرفته شد؛ اصلاح ثبت در جریان است",
    "upheld": "پذیرفته شد؛ گواهی اصلاح و دوباره صادر شد",
    "closed": "بسته شد؛ ثبت فوت ابطال شد",
}
LEVEL_FA = {1: "هیأت حل اختلاف ثبت احوال استان", 2: "مرجع تجدیدنظر ملی ثبت احوال"}


def certificate_sms(
    deceased: str, number: str, minors: list[str], heir: bool, until: date, link: str,
    reissued: bool = False,
) -> str:  # fmt: skip
    """The SMS to one recipient: an adult heir, a guardian of minor heirs, or both."""
    what = "اصلاح و دوباره صادر شد" if reissued else "صادر شد"
    who = []
    if heir:
        who.append("شما از وراث هستید")
    if minors:
        who.append(f"فرزند زیر ۱۸ سال شما ({'، '.join(minors)}) از وراث است")
    return (
        f"ثبت احوال: گواهی انحصار وراثت مرحوم {deceased} به شمارهٔ {number} {what}. "
        f"{'؛ '.join(who)}. گواهی را در سهیم ببینید: {link} "
        f"مهلت اعتراض تا {format_fa(until)}."
    )


def death_revoked_sms(deceased: str, number: str | None) -> str:
    """The SMS to everyone told of an estate whose death registration was revoked."""
    certificate = f" و گواهی انحصار وراثت شمارهٔ {number} باطل شد" if number else ""
    return (
        f"ثبت احوال: ثبت فوت {deceased} نادرست بود و ابطال شد{certificate}. "
        "پیام پیشین دربارهٔ وراثت ایشان را نادیده بگیرید."
    )


def decision_sms(objection: int, decided: str, until: date | None, link: str) -> str:
    """The SMS to the objector when the board decides."""
    text = f"ثبت احوال: دربارهٔ اعتراض شمارهٔ {objection} شما رأی صادر شد: {decided}. {link}"
    if until is not None:
        text += f" مهلت اعتراض به این رأی تا {format_fa(until)}."
    return text
