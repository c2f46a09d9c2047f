"""What the identity page says, from a person as the register holds them (pure)."""

from datetime import date

from sabt.persian import places
from sabt.portal import views
from sabt.registry.models import Person


def _person(**changes: object) -> Person:
    county = next(iter(places.counties()))
    fields: dict[str, object] = {
        "national_code": "0010000036", "first_name": "مریم", "last_name": "کاظمی",
        "father_name": None, "sex": "female", "birth_date": date(1975, 3, 21),
        "birth_county": county, "residence_county": "no-such-county", "status": "alive",
        "booklet_series": None, "booklet_serial": None, "mother_code": None,
    }  # fmt: skip
    return Person(**(fields | changes))


def _as_dict(rows: list[views.Row]) -> dict[str, str]:
    return {row.label: row.value for row in rows}


def test_unknown_facts_are_a_dash_and_dates_are_jalali_in_persian_digits() -> None:
    rows = _as_dict(views.identity_rows(_person(), []))
    assert rows["تاریخ تولد"] == "۱۳۵۴/۰۱/۰۱"  # 21 March 1975 is Nowruz 1354
    assert rows["کد ملی"] == "۰۰۱۰۰۰۰۰۳۶"
    assert rows["نام پدر"] == rows["نام مادر"] == rows["سری و سریال شناسنامه"] == "—"
    assert rows["محل سکونت"] == "—"  # a county the register's places do not know
    assert "،" in rows["محل تولد"] and "تاریخ فوت" not in rows
    assert rows["جنسیت"] == "زن"


def test_a_death_and_the_mother_are_shown_when_the_register_has_them() -> None:
    mother = _person(national_code="0010000044", first_name="فاطمه", last_name="رضایی")
    person = _person(status="deceased", death_date=date(2024, 3, 19), mother_code="0010000044",
                     booklet_series="ب12", booklet_serial="123456")  # fmt: skip
    rows = _as_dict(views.identity_rows(person, [mother]))
    assert rows["تاریخ فوت"] == "۱۴۰۲/۱۲/۲۹"
    assert rows["نام مادر"] == "فاطمه رضایی"
    assert rows["سری و سریال شناسنامه"] == "ب۱۲-۱۲۳۴۵۶"
