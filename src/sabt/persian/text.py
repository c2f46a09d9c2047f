"""Persian text normalisation for names (facts.md §5).

Hand-written on purpose: no library does what a register needs (hazm inserts ZWNJ into
"علی اکبر", parsivar deletes ﷲ and misses ٥, NFKC turns presentation-form yeh into Arabic
yeh). `normalize` is for storage and display; `search_key` is only for matching.
"""

import re
import unicodedata

from sabt.persian.digits import to_ascii

ZWNJ = "\u200c"

# Arabic letters with a Persian standard form (storage).
_STORAGE_MAP = str.maketrans(
    {
        "ي": "ی",  # U+064A Arabic yeh
        "ى": "ی",  # U+0649 alef maksura
        "ك": "ک",  # U+0643 Arabic kaf
        "ۀ": "ه",  # U+06C0 heh with yeh above (ezafe)
        "\u0640": None,  # tatweel (kashida)
    }
)
# Further foldings that make spelling variants equal, for matching only.
_SEARCH_MAP = str.maketrans(
    {
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        ZWNJ: None,
        " ": None,
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef, hamza above/below marks.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670]")
_SPACES = re.compile(r"[\s\u200f\u200e]+")
_ZWNJ_RUNS = re.compile(f"{ZWNJ}+")


def _fold_presentation_forms(text: str) -> str:
    """Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFF) to their base letters.

    NFKC does the decomposition, but leaves Arabic yeh/kaf, which the storage map fixes.
    """
    out = []
    for ch in text:
        if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Storage form: Persian letters, no diacritics or tatweel, single spaces, trimmed.

    Digits are kept as entered (names may contain them); ZWNJ is kept, but not doubled
    nor next to a space.
    """
    text = _fold_presentation_forms(text)
    text = text.replace("\u0647\u0654", "ه")  # heh + hamza above (ezafe) -> heh
    text = text.translate(_STORAGE_MAP)
    text = _DIACRITICS.sub("", text)
    text = _ZWNJ_RUNS.sub(ZWNJ, text)
    text = _SPACES.sub(" ", text)
    text = re.sub(f" ?{ZWNJ} ?", lambda m: " " if " " in m.group() else ZWNJ, text)
    return text.strip(" " + ZWNJ)


def search_key(text: str) -> str:
    """Matching key: `normalize`, then hamza and teh marbuta folded, ZWNJ and spaces removed.

    So محمد‌رضا, محمدرضا and محمد رضا share one key, as do رضائی and رضایی.
    """
    return normalize(text).translate(_SEARCH_MAP)


def same_name(given: str, registered: str) -> bool:
    """Whether a name someone gives is the register's, as a verification compares them: equal
    search keys (Arabic and Persian letters, ZWNJ and spaces in compound names such as
    عبدالله / عبد الله, diacritics, hamza forms) with Persian and Arabic-Indic digits read as
    ASCII."""
    return to_ascii(search_key(given)) == to_ascii(search_key(registered))
