import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.persian.text import ZWNJ, normalize, same_name, search_key


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("علي كريمي", "علی کریمی"),  # Arabic yeh and kaf
        ("موسى", "موسی"),  # alef maksura
        ("ﻋﻠﻲ", "علی"),  # presentation forms, yeh must not stay Arabic
        ("مُحَمَّد", "محمد"),  # diacritics, shadda included
        ("محـــمد", "محمد"),  # tatweel
        ("خانهٔ", "خانه"),  # heh + hamza above
        ("ۀ", "ه"),
        ("  علی   اکبر ", "علی اکبر"),  # spaces collapsed, no ZWNJ inserted
        (f"فاطمه{ZWNJ} زهرا", "فاطمه زهرا"),  # ZWNJ next to a space
        (f"محمد{ZWNJ}{ZWNJ}رضا", f"محمد{ZWNJ}رضا"),
        ("رضا۲", "رضا۲"),  # digits kept as entered
        ("ﷲ", "الله"),
    ],
)
def test_normalize(raw: str, stored: str) -> None:
    assert normalize(raw) == stored


def test_compound_names_share_one_key() -> None:
    assert search_key(f"محمد{ZWNJ}رضا") == search_key("محمدرضا") == search_key("محمد رضا")
    assert search_key("فاطمة") == search_key("فاطمه")
    assert search_key("رضائی") == search_key("رضایی")
    assert search_key("مسؤول") == search_key("مسوول")
    assert search_key("أحمد") == search_key("احمد") == search_key("إحمد")


def test_display_form_keeps_the_writing() -> None:
    assert normalize("محمد رضا") != normalize("محمدرضا")


@given(st.text(alphabet="اآبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىةأإؤئ \u200c\u064e\u0640"))
def test_normalize_and_search_key_are_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)
    assert search_key(search_key(text)) == search_key(text)
    assert " " not in search_key(text) and ZWNJ not in search_key(text)


# How an agency may type a name the register holds (issue 30's normalisation table).
@pytest.mark.parametrize(
    ("given", "registered"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("كريمي", "کریمی"),  # Arabic kaf and yeh
        ("عبد الله", "عبدالله"),  # a compound name with a space
        (f"عبد{ZWNJ}الله", "عبدالله"),  # … or a ZWNJ
        ("عبدالله", f"عبد{ZWNJ}الله"),  # … either way round
        ("مُحَمَّد", "محمد"),  # diacritics
        ("رضا۲", "رضا2"),  # Persian digits
        ("رضا٢", "رضا۲"),  # Arabic-Indic digits
        ("فاطمة", "فاطمه"),  # teh marbuta
        ("رضائی", "رضایی"),  # hamza on yeh
        ("  زهرا  ", "زهرا"),  # spaces around
        ("محـمد", "محمد"),  # tatweel
    ],
)
def test_variants_of_a_name_are_the_same_name(given: str, registered: str) -> None:
    assert same_name(given, registered)


@pytest.mark.parametrize(
    ("given", "registered"),
    [("محمد", "محمود"), ("علی", "علیرضا"), ("زهرا", "زهره"), ("رضا۲", "رضا۳"), ("", "علی")],
)
def test_a_different_name_is_not(given: str, registered: str) -> None:
    assert not same_name(given, registered)
