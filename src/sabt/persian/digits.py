"""Digit conversion between ASCII, Persian (U+06F0-06F9) and Arabic-Indic (U+0660-0669)."""

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789" + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)


def to_ascii(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; every other character unchanged."""
    return text.translate(_TO_ASCII)


def to_persian(text: str) -> str:
    """ASCII and Arabic-Indic digits to Persian digits; every other character unchanged."""
    return text.translate(_TO_PERSIAN)


def number_fa(value: float | None, decimals: int = 2) -> str:
    """A number as Persian readers write it: Persian digits, the Arabic thousands separator
    (٬) and decimal separator (٫); a whole number without decimals; None as a dash."""
    if value is None:
        return "—"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{decimals}f}"
    return to_persian(text).replace(",", "٬").replace(".", "٫")
