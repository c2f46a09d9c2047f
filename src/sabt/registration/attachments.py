"""The files a citizen may attach to a request: a PDF or a JPEG photo of a supporting
document, at most 5 MB. Checked by opening them with real parsers (pyHanko's PDF reader,
Pillow), not by the name or the browser's word, so a renamed or broken file is refused.
`keep` stores a checked file beside the ledger (any part's requests attach files here)."""

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy.orm import Session

from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.registration.models import Attachment

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    digest: str  # SHA-256, hex
    content_type: str
    size: int


def check(data: bytes) -> Checked:
    """The attachment's type and hash; BadInput when it is empty, too large, or neither a
    readable PDF nor a readable JPEG."""
    if not data:
        raise BadInput("no_attachment", "پیوست خالی است", "the attachment is empty")
    if len(data) > MAX_BYTES:
        raise BadInput(
            "attachment_too_large",
            "پیوست بزرگ‌تر از ۵ مگابایت است؛ فایل کوچک‌تری بفرستید",
            "the attachment is larger than 5 MB",
        )
    content_type = _pdf(data) if data.startswith(b"%PDF-") else _jpeg(data)
    return Checked(hashlib.sha256(data).hexdigest(), content_type, len(data))


def _pdf(data: bytes) -> str:
    try:
        PdfFileReader(io.BytesIO(data), strict=False).root  # noqa: B018  (parses the catalogue)
    except Exception as exc:  # a parser of untrusted bytes may fail in any way
        raise _unreadable() from exc
    return "application/pdf"


def _jpeg(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except Exception as exc:  # a parser of untrusted bytes may fail in any way
        raise _unreadable() from exc
    if kind != "JPEG":
        raise _unreadable()
    return "image/jpeg"


def _unreadable() -> BadInput:
    return BadInput(
        "bad_attachment",
        "پیوست باید یک فایل PDF یا عکس JPEG سالم باشد",
        "the attachment must be a readable PDF or JPEG",
    )


def keep(session: Session, checked: Checked, data: bytes) -> None:
    """Store a checked file by its hash (once: the same file attached twice is one row); the
    entry that names the hash is the caller's."""
    if session.get(Attachment, checked.digest) is None:
        session.add(Attachment(digest=checked.digest, content_type=checked.content_type,
                               size=checked.size, content=data, received_at=clock.now()
                               .astimezone(UTC).replace(tzinfo=None)))  # fmt: skip
        session.flush()


def verified(found: Attachment, digest: str) -> Attachment:
    """A stored file whose bytes still hash to the digest its ledger entry names."""
    if hashlib.sha256(found.content).hexdigest() != digest:
        raise Conflict(
            "attachment_altered",
            "پیوست با آنچه در دفتر ثبت شده یکی نیست (دستکاری شده است)",
            "the attachment does not match the hash in the ledger",
        )
    return found
