"""Pydantic's validation errors told to a person: Persian and English, each field named in
words, never pydantic's own English inside the Persian. Pure: no I/O.

Used by the API's one handler of invalid requests and by the notifications' own parsing, so
every input error a person can meet reads the same way.
"""

from collections.abc import Iterable, Mapping
from typing import Any

# Fields by the name the API gives them (a nested field by its last part).
FIELDS: dict[str, tuple[str, str]] = {
    "national_code": ("کد ملی", "the national code"),
    "mother_national_code": ("کد ملی مادر", "the mother's national code"),
    "father_national_code": ("کد ملی پدر", "the father's national code"),
    "husband_national_code": ("کد ملی شوهر", "the husband's national code"),
    "wife_national_code": ("کد ملی زن", "the wife's national code"),
    "born_at": ("زمان تولد", "the time of birth"),
    "born_on": ("تاریخ تولد", "the date of birth"),
    "birth_date": ("تاریخ تولد", "the date of birth"),
    "died_at": ("زمان فوت", "the time of death"),
    "married_at": ("زمان ازدواج", "the time of the marriage"),
    "divorced_at": ("زمان طلاق", "the time of the divorce"),
    "returned_at": ("زمان رجوع", "the time of the return"),
    "waived_at": ("زمان بذل مدت", "the time of the waiver"),
    "term_end": ("پایان مدت", "the end of the term"),
    "notification_id": ("شناسهٔ اعلام", "the notification id"),
    "hospital": ("کد بیمارستان", "the hospital's code"),
    "reporter": ("کد گزارشگر", "the reporter's code"),
    "place": ("محل", "the place"),
    "county": ("شهرستان", "the county"),
    "birth_county": ("شهرستان محل تولد", "the county of birth"),
    "country": ("کشور", "the country"),
    "cause_icd10": ("علت فوت", "the cause of death"),
    "sex": ("جنسیت", "the sex"),
    "weight_g": ("وزن تولد", "the birth weight"),
    "plurality": ("چندقلویی", "the plurality"),
    "birth_order": ("ترتیب تولد", "the birth order"),
    "stillborn": ("مرده‌زایی", "stillborn"),
    "first_name": ("نام", "the first name"),
    "proposed_first_name": ("نام پیشنهادی", "the proposed first name"),
    "last_name": ("نام خانوادگی", "the last name"),
    "father_name": ("نام پدر", "the father's name"),
    "username": ("نام کاربری", "the username"),
    "password": ("گذرواژه", "the password"),
    "totp": ("کد ورود دومرحله‌ای", "the two-step code"),
    "otp": ("کد یکبارمصرف", "the one-time code"),
    "challenge": ("شناسهٔ درخواست کد", "the challenge"),
    "mobile": ("شمارهٔ همراه", "the mobile number"),
    "booklet_serial": ("سریال شناسنامه", "the booklet serial"),
    "kind": ("نوع", "the kind"),
    "reason": ("دلیل", "the reason"),
    "note": ("یادداشت", "the note"),
    "purpose": ("هدف دسترسی", "the purpose"),
    "legal_basis": ("مبنای قانونی", "the legal basis"),
    "document_ref": ("شمارهٔ سند", "the document reference"),
    "court_certificate": ("گواهی دادگاه", "the court certificate"),
    "marriage_id": ("شمارهٔ ازدواج", "the marriage id"),
    "field": ("فیلد", "the field"),
    "new_value": ("مقدار تازه", "the new value"),
    "token": ("نشانه", "the token"),
    "limit": ("اندازهٔ صفحه", "the page size"),
    "offset": ("جای شروع", "the offset"),
    "year": ("سال", "the year"),
    "body": ("بدنهٔ درخواست", "the request body"),
}

_ISO_TIME = ("باید زمان ISO 8601 باشد", "must be an ISO 8601 date and time")
_ISO_DAY = ("باید تاریخ ISO باشد (2025-01-31)", "must be an ISO date (2025-01-31)")

# What is wrong, by pydantic's error type; {…} from the error's context.
PROBLEMS: dict[str, tuple[str, str]] = {
    "missing": ("لازم است", "is required"),
    "extra_forbidden": ("شناخته نیست و نباید بیاید", "is not a known field"),
    "string_too_short": (
        "کوتاه‌تر از {min_length} نویسه است",
        "is shorter than {min_length} characters",
    ),
    "string_too_long": (
        "بلندتر از {max_length} نویسه است",
        "is longer than {max_length} characters",
    ),
    "too_short": ("کمتر از {min_length} مورد دارد", "has fewer than {min_length} items"),
    "too_long": ("بیشتر از {max_length} مورد دارد", "has more than {max_length} items"),
    "string_type": ("باید متن باشد", "must be a string"),
    "string_pattern_mismatch": ("شکل درستی ندارد", "is not in the expected form"),
    "int_type": ("باید عدد صحیح باشد", "must be an integer"),
    "int_parsing": ("باید عدد صحیح باشد", "must be an integer"),
    "int_from_float": ("باید عدد صحیح باشد", "must be an integer"),
    "bool_type": ("باید true یا false باشد", "must be true or false"),
    "bool_parsing": ("باید true یا false باشد", "must be true or false"),
    "greater_than_equal": ("باید دست‌کم {ge} باشد", "must be at least {ge}"),
    "greater_than": ("باید بیشتر از {gt} باشد", "must be more than {gt}"),
    "less_than_equal": ("باید حداکثر {le} باشد", "must be at most {le}"),
    "less_than": ("باید کمتر از {lt} باشد", "must be less than {lt}"),
    "literal_error": ("باید یکی از {expected} باشد", "must be one of {expected}"),
    "enum": ("باید یکی از {expected} باشد", "must be one of {expected}"),
    "datetime_type": ("باید زمان ISO 8601 باشد", "must be an ISO 8601 date and time"),
    "datetime_parsing": ("باید زمان ISO 8601 باشد", "must be an ISO 8601 date and time"),
    "datetime_from_date_parsing": ("باید زمان ISO 8601 باشد", "must be an ISO 8601 date and time"),
    "timezone_aware": (
        "باید منطقهٔ زمانی داشته باشد (مثل ‎+03:30)",
        "needs a time zone (like +03:30)",
    ),
    "date_type": ("باید تاریخ ISO باشد (2025-01-31)", "must be an ISO date (2025-01-31)"),
    "date_parsing": ("باید تاریخ ISO باشد (2025-01-31)", "must be an ISO date (2025-01-31)"),
    "date_from_datetime_parsing": (
        "باید تاریخ ISO باشد (2025-01-31)",
        "must be an ISO date (2025-01-31)",
    ),
    "dict_type": ("باید شیء JSON باشد", "must be a JSON object"),
    "model_type": ("باید شیء JSON باشد", "must be a JSON object"),
    "model_attributes_type": ("باید شیء JSON باشد", "must be a JSON object"),
    "list_type": ("باید فهرست باشد", "must be a list"),
    "json_invalid": ("JSON درستی نیست", "is not valid JSON"),
    "json_type": ("JSON درستی نیست", "is not valid JSON"),
}
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
SHOWN = 3  # errors named in one message


def describe(errors: Iterable[Mapping[str, Any]]) -> tuple[str, str]:
    """The errors as one Persian and one English sentence (the first few of them)."""
    said = [_one(e) for e in list(errors)[:SHOWN]]
    return "؛ ".join(fa for fa, _ in said), "; ".join(en for _, en in said)


def _one(error: Mapping[str, Any]) -> tuple[str, str]:
    field = _field(error.get("loc", ()), error.get("type", ""))
    name_fa, name_en = FIELDS.get(field, (f"«{field}»", f"'{field}'"))
    kind = str(error.get("type", ""))
    if kind == "value_error":  # our own validators say what is wrong, in English
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"{name_fa} نامعتبر است ({message})", f"{name_en}: {message}"
    fa, en = PROBLEMS.get(kind, ("نامعتبر است", "is not valid"))
    context = {k: _said(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return f"{name_fa} {fa.format(**context)}", f"{name_en} {en.format(**context)}"
    except (KeyError, IndexError):
        return f"{name_fa} نامعتبر است", f"{name_en} is not valid"


def _field(location: Iterable[Any], kind: str) -> str:
    """The field an error is about: the last named part of its location (a position in
    malformed JSON, or a list index, is not a field)."""
    if kind in ("json_invalid", "json_type"):
        return "body"
    names = [str(p) for p in location if isinstance(p, str) and p not in _LOCATIONS]
    return names[-1] if names else "body"


def _said(value: Any) -> str:
    text = str(value)
    return text.replace("'", "") if text.startswith("'") else text
