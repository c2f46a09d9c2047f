"""What each indicator is: its name, and its numerator, denominator and period in words,
shown beside every figure the observatory publishes. Pure data.

Common to all: an event belongs to the Jalali year (and month) in which it happened, and to
the county where the person lived (the mother for a birth, the wife for a marriage or a
divorce). The register records no moves, so the county a person lives in now is the one
they lived in then. Ages are completed Jalali years, except in the means (exact age: days /
365.2425). The mid-year population is the living on the middle day of the year in the area.
For the year still running, events are counted to the snapshot's day and the rates per
person-year divide by the share of the year elapsed.
"""

from dataclasses import dataclass

ASFR_GROUPS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")
MIN_CELL = 5  # fewer events than this in a cell below the nation: not published


@dataclass(frozen=True, slots=True)
class Definition:
    name_fa: str
    name_en: str
    unit_fa: str
    definition_fa: str
    definition_en: str


def _d(name_fa: str, name_en: str, unit_fa: str, fa: str, en: str) -> Definition:
    return Definition(name_fa, name_en, unit_fa, fa, en)


INDICATORS: dict[str, Definition] = {
    "births": _d("ولادت", "live births", "واقعه",
                 "شمار ولادت‌های زنده‌ای که در سال رخ داده، به محل سکونت مادر",
                 "live births that happened in the year, by the mother's county of residence"),
    "births_male": _d("ولادت پسر", "live births, boys", "واقعه",
                      "ولادت‌های زندهٔ پسر در سال", "live births of boys in the year"),
    "births_female": _d("ولادت دختر", "live births, girls", "واقعه",
                        "ولادت‌های زندهٔ دختر در سال", "live births of girls in the year"),
    "deaths": _d("فوت", "deaths", "واقعه",
                 "شمار فوت‌هایی که در سال رخ داده، به محل سکونت متوفی",
                 "deaths that happened in the year, by the deceased's county of residence"),
    "deaths_male": _d("فوت مردان", "deaths, males", "واقعه",
                      "فوت مردان و پسران در سال", "deaths of males in the year"),
    "deaths_female": _d("فوت زنان", "deaths, females", "واقعه",
                        "فوت زنان و دختران در سال", "deaths of females in the year"),
    "natural_increase": _d("رشد طبیعی", "natural increase", "نفر",
                           "ولادت‌ها منهای فوت‌های سال", "births minus deaths in the year"),
    "marriages": _d("ازدواج دائم", "permanent marriages", "واقعه",
                    "ازدواج‌های دائم ثبت‌شده در سال، به محل سکونت زوجه",
                    "permanent marriages registered in the year, by the wife's county"),
    "marriages_temporary": _d("ازدواج موقت", "temporary marriages", "واقعه",
                              "ازدواج‌های موقت ثبت‌شده در سال (جدا از ازدواج دائم)",
                              "temporary marriages registered in the year, counted apart"),
    "divorces": _d("طلاق", "divorces", "واقعه",
                   "طلاق‌های ثبت‌شده در سال، به محل سکونت زوجه (طلاقی که با رجوع برگشته هم"
                   " شمرده می‌شود)",
                   "divorces registered in the year, by the wife's county (including those"
                   " later undone by a return)"),
    "population": _d("جمعیت میانهٔ سال", "mid-year population", "نفر",
                     "زندگان در روز میانهٔ سال", "the living on the middle day of the year"),
    "cbr": _d("میزان خام ولادت", "crude birth rate", "در هزار",
              "ولادت‌های سال ÷ جمعیت میانهٔ سال × ۱۰۰۰",
              "births in the year per 1,000 mid-year population"),
    "cdr": _d("میزان خام مرگ", "crude death rate", "در هزار",
              "فوت‌های سال ÷ جمعیت میانهٔ سال × ۱۰۰۰",
              "deaths in the year per 1,000 mid-year population"),
    "asfr": _d("میزان باروری ویژهٔ سنی", "age-specific fertility rates", "در هر زن",
               "ولادت‌های سال از مادران هر گروه سنی (سن تمام در روز ولادت) ÷ زنان همان گروه"
               " در جمعیت میانهٔ سال",
               "births in the year to mothers of the age group (completed age at the birth)"
               " per woman of that group in the mid-year population"),
    "tfr": _d("میزان باروری کل", "total fertility rate", "فرزند به ازای هر زن",
              "۵ × مجموع میزان‌های باروری ویژهٔ سنی ۱۵-۱۹ تا ۴۵-۴۹",
              "5 x the sum of the age-specific fertility rates 15-19 to 45-49"),
    "srb": _d("نسبت جنسی در ولادت", "sex ratio at birth", "پسر به ازای ۱۰۰ دختر",
              "ولادت پسران ÷ ولادت دختران سال × ۱۰۰",
              "boys born per 100 girls born in the year"),
    "infant_deaths": _d("مرگ شیرخواران", "infant deaths", "واقعه",
                        "فوت‌های سال در سن زیر یک سال تمام",
                        "deaths in the year under one completed year of age"),
    "imr": _d("میزان مرگ شیرخواران", "infant mortality rate", "در هزار ولادت",
              "فوت‌های زیر یک سال در سال ÷ ولادت‌های همان سال × ۱۰۰۰",
              "deaths under one year in the year per 1,000 births in the year"),
    "mean_age_mother": _d("میانگین سن مادر در ولادت", "mean age of mothers at birth", "سال",
                          "میانگین سن دقیق مادران در روز ولادت، برای ولادت‌های سال با مادر ثبت‌شده",
                          "mean exact age of the mothers at the births of the year (births"
                          " with a recorded mother)"),
    "mean_age_mother_first_birth": _d(
        "میانگین سن مادر در نخستین ولادت", "mean age of mothers at first birth", "سال",
        "میانگین سن دقیق مادران در نخستین زایمان ثبت‌شده‌شان، برای نخستین ولادت‌های سال",
        "mean exact age of the mothers at their first delivery in the register, over the"
        " first births of the year"),
    "mean_age_first_marriage_male": _d(
        "میانگین سن نخستین ازدواج مردان", "mean age at first marriage, men", "سال",
        "میانگین سن دقیق مردانی که نخستین ازدواج دائمشان در سال ثبت شده، به محل سکونت مرد",
        "mean exact age of the men whose first permanent marriage was registered in the"
        " year, by the man's county"),
    "mean_age_first_marriage_female": _d(
        "میانگین سن نخستین ازدواج زنان", "mean age at first marriage, women", "سال",
        "میانگین سن دقیق زنانی که نخستین ازدواج دائمشان در سال ثبت شده",
        "mean exact age of the women whose first permanent marriage was registered in the"
        " year"),
    "divorces_per_100_marriages": _d(
        "طلاق به ازای ۱۰۰ ازدواج", "divorces per 100 marriages", "در صد ازدواج",
        "طلاق‌های سال ÷ ازدواج‌های دائم همان سال × ۱۰۰",
        "divorces in the year per 100 permanent marriages in the year"),
    "births_on_time_share": _d(
        "ولادت ثبت‌شده در مهلت قانونی", "births registered within the legal period", "درصد",
        "درصد ولادت‌های سال که تا پایان مهلت ۱۵ روزهٔ مادهٔ ۱۵ قانون ثبت احوال ثبت شده‌اند"
        " (روز ولادت شمرده نمی‌شود، تعطیل پایان مهلت به آن افزوده می‌شود)؛ از ولادت‌هایی که"
        " زمان ثبتشان در ثبت احوال هست",
        "share of the year's births registered within the 15 days of Civil Registration Act"
        " Art. 15 (the day of birth not counted; a period ending on a holiday runs to the next"
        " working day), among births whose registration time is recorded"),
    "births_late": _d("ولادت ثبت‌شده پس از مهلت", "births registered late", "واقعه",
                      "ولادت‌های سال که پس از مهلت ۱۵ روزه ثبت شده‌اند",
                      "births of the year registered after the 15-day period"),
    "deaths_on_time_share": _d(
        "فوت ثبت‌شده در مهلت قانونی", "deaths registered within the legal period", "درصد",
        "درصد فوت‌های سال که تا پایان مهلت ۱۰ روزهٔ مادهٔ ۲۵ قانون ثبت احوال ثبت شده‌اند",
        "share of the year's deaths registered within the 10 days of Civil Registration Act"
        " Art. 25 (same counting of days), among deaths whose registration time is recorded"),
    "deaths_late": _d("فوت ثبت‌شده پس از مهلت", "deaths registered late", "واقعه",
                      "فوت‌های سال که پس از مهلت ۱۰ روزه ثبت شده‌اند",
                      "deaths of the year registered after the 10-day period"),
}  # fmt: skip

MONTHLY = ("births", "deaths", "marriages", "divorces")


def as_json(key: str) -> dict[str, str]:
    d = INDICATORS[key]
    return {"name_fa": d.name_fa, "name_en": d.name_en, "unit_fa": d.unit_fa,
            "definition_fa": d.definition_fa, "definition_en": d.definition_en}  # fmt: skip
