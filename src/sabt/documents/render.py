"""A document as a printable PDF: Jinja2 HTML rendered by WeasyPrint (HarfBuzz shapes the
Persian; nothing is reshaped by hand), right to left, A4, with its QR code. The font is Noto
Naskh Arabic from Debian's `fonts-noto-core` (its text comes back out of the PDF in logical
order, unlike the variable Noto Sans Arabic on PyPI); no network at render time."""

import base64
import io
import threading
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
from jinja2 import Environment, PackageLoader, select_autoescape

from sabt.kit import clock
from sabt.persian import jalali, places
from sabt.persian.digits import to_persian

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONTS = {"SabtFa": "NotoNaskhArabic", "SabtLatin": "NotoSans"}
TITLES = {
    "booklet": "شناسنامهٔ الکترونیک (گزیدهٔ ثبت)",
    "birth": "گواهی ولادت",
    "death": "گواهی فوت",
    "marriage": "گواهی ازدواج",
    "inheritance": "گواهی انحصار وراثت",
}
REGISTRY_NAME = "سازمان ثبت احوال کشور — سامانهٔ ثبت"


def fa_date(value: str | date | None) -> str:
    if not value:
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return jalali.format_fa(day)


def county_name(code: str | None) -> str:
    county = places.counties().get(code or "")
    return county.name_fa if county else (code or "—")


def fa(value: object) -> str:
    return to_persian(str(value)) if value is not None else "—"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sabt.documents", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters.update(fa_date=fa_date, county=county_name, fa=fa)
    env.globals["marriage_end_fa"] = MARRIAGE_END_FA
    return env


# Persian digits from a Persian face: Noto Naskh Arabic draws ۴ ۵ ۶ in their Arabic and
# Urdu shapes whatever the page's language (its `locl` for Persian changes only the
# separators). Vazirmatn (OFL, shipped in fonts/, see its README) draws U+06F0-06F9 only.
DIGIT_FONT = Path(__file__).parent / "fonts"
PERSIAN_DIGITS = "U+06F0-06F9"


def _font_faces() -> str:
    faces = []
    for weight, style in (("normal", "Regular"), ("bold", "Bold")):
        digits = (DIGIT_FONT / f"Vazirmatn-{style}.ttf").as_uri()
        faces.append(
            f"@font-face {{font-family: SabtDigits; src: url('{digits}');"
            f" font-weight: {weight}; unicode-range: {PERSIAN_DIGITS};}}"
        )
    for family, stem in FONTS.items():
        for weight, style in (("normal", "Regular"), ("bold", "Bold")):
            path = FONT_DIR / f"{stem}-{style}.ttf"
            if path.exists():  # without the package, fontconfig's fallback is used
                faces.append(
                    f"@font-face {{font-family: {family}; src: url('{path.as_uri()}');"
                    f" font-weight: {weight};}}"
                )
    return "\n".join(faces)


def qr_png(text: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def html(kind: str, number: str, issued: str, facts: dict[str, Any], qr_text: str,
         short_url: str) -> str:  # fmt: skip
    template = _environment().get_template(f"{kind}.html")
    return template.render(
        title=TITLES[kind], registry=REGISTRY_NAME, number=number, issued=issued, f=facts,
        qr=base64.b64encode(qr_png(qr_text)).decode(), short_url=short_url,
        fonts=_font_faces(), now=clock.now(),
    )  # fmt: skip


_local = threading.local()


def pdf(page: str) -> bytes:
    from weasyprint import HTML  # imported on first use: the import alone takes ~0.5 s
    from weasyprint.text.fonts import FontConfiguration

    # The fonts are loaded once per thread, not for every document (~30 ms each time);
    # one configuration per thread, as nothing says it may be shared between threads.
    if not hasattr(_local, "fonts"):
        _local.fonts = FontConfiguration()
    result: bytes = HTML(string=page).write_pdf(font_config=_local.fonts)
    return result


KIND_FA = {"booklet": "شناسنامهٔ الکترونیک", "birth": "گواهی ولادت", "death": "گواهی فوت",
           "marriage": "گواهی ازدواج", "inheritance": "گواهی انحصار وراثت"}  # fmt: skip
KIND_EN = {"booklet": "E-booklet extract", "birth": "Birth certificate",
           "death": "Death certificate", "marriage": "Marriage certificate",
           "inheritance": "Inheritance certificate"}  # fmt: skip
MARRIAGE_END_FA = {"divorce_revocable": "طلاق رجعی", "divorce_irrevocable": "طلاق بائن",
                   "death": "فوت", "term_expired": "پایان مدت", "term_waived": "بذل مدت",
                   "annulment": "فسخ"}  # fmt: skip
STATUS_FA = {"valid": "معتبر", "revoked": "باطل‌شده", "superseded": "منسوخ",
             "invalid": "نامعتبر", "unknown": "ناشناخته"}  # fmt: skip


def verify_page(verdict: Any, mask: Callable[[str], str]) -> str:
    """The public verification page: only what a verifier needs, national codes masked."""
    claims = verdict.claims or {}
    return _environment().get_template("verify.html").render(
        v=verdict, claims=claims, kind=KIND_FA.get(claims.get("k", ""), ""),
        status_fa=STATUS_FA[verdict.status], codes=[mask(c) for c in claims.get("s", [])],
        registry=REGISTRY_NAME, fonts=_font_faces(),
    )  # fmt: skip
