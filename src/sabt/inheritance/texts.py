"""Persian words for the engine's derivation and for certificates. Pure."""

from fractions import Fraction

from sabt.persian.digits import to_persian

FA_RELATION = {
    "spouse": "همسر", "father": "پدر", "mother": "مادر", "son": "پسر", "daughter": "دختر",
    "grandson": "نوهٔ پسر", "granddaughter": "نوهٔ دختر",
    "full_brother": "برادر ابوینی", "full_sister": "خواهر ابوینی",
    "paternal_brother": "برادر ابی", "paternal_sister": "خواهر ابی",
    "maternal_brother": "برادر امی", "maternal_sister": "خواهر امی",
    "nephew": "برادرزاده/خواهرزادهٔ پسر", "niece": "برادرزاده/خواهرزادهٔ دختر",
    "paternal_grandfather": "پدربزرگ پدری", "paternal_grandmother": "مادربزرگ پدری",
    "maternal_grandfather": "پدربزرگ مادری", "maternal_grandmother": "مادربزرگ مادری",
    "paternal_uncle": "عمو", "paternal_aunt": "عمه", "maternal_uncle": "دایی",
    "maternal_aunt": "خاله", "cousin": "عموزاده/دایی‌زاده",
}  # fmt: skip


def fraction_fa(value: Fraction) -> str:
    """'۱/۸' for 1/8, in Persian digits (the order of a fraction is kept left to right)."""
    return to_persian(str(value))
