"""Reading a document's QR code back: from its PDF (the first page rasterised with
poppler's `pdftoppm`) or from a photo or scan (PNG/JPEG), decoded by zbar through pyzbar."""

import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image, UnidentifiedImageError

from sabt.kit.errors import SabtError


class Unreadable(SabtError):
    status = 422


def _unreadable(fa: str, en: str) -> Unreadable:
    return Unreadable("unreadable", fa, en)


def token_of(text: str) -> str:
    """The seal or the compact JWS, from a QR's or a caller's text: a seal (`SB1:…`, the
    QR of documents printed since the seal), a bare JWS, or `<base>/verify?t=<JWS>` (the
    QR of earlier documents, and the API's `verify_url`)."""
    text = text.strip()
    if "://" in text:
        values = parse_qs(urlsplit(text).query).get("t")
        if not values:
            raise _unreadable("نشانی تأیید رمز ندارد", "the verification URL carries no token")
        return values[0]
    return text


def read_image(image: Image.Image) -> str:
    from pyzbar import pyzbar  # needs Debian's libzbar0

    found: list[str] = [
        r.data.decode("ascii", "replace") for r in pyzbar.decode(image.convert("L"))
    ]
    if not found:
        raise _unreadable("رمزینهٔ QR در تصویر پیدا نشد", "no QR code found in the image")
    return found[0]


def read_file(path: Path) -> str:
    """The QR text of a PDF, PNG or JPEG file."""
    if not path.is_file():
        raise _unreadable(f"پرونده پیدا نشد: {path}", f"no such file: {path}")
    if path.read_bytes()[:5] == b"%PDF-":
        return read_image(_first_page(path))
    try:
        with Image.open(path) as image:
            return read_image(image)
    except (UnidentifiedImageError, OSError) as exc:
        raise _unreadable(
            "پرونده نه PDF است نه تصویر", f"{path} is neither a PDF nor a PNG/JPEG image"
        ) from exc


def _first_page(path: Path) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page"
        try:
            subprocess.run(
                ["pdftoppm", "-r", "150", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
                 str(path), str(out)],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise _unreadable(
                "pdftoppm نصب نیست (بستهٔ poppler-utils)", "pdftoppm is missing (poppler-utils)"
            ) from exc
        except subprocess.CalledProcessError as exc:
            raise _unreadable("PDF خوانا نیست", f"{path} is not a readable PDF") from exc
        with Image.open(out.with_suffix(".png")) as image:
            image.load()
            return image.copy()
