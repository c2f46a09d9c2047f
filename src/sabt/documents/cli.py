"""`sabt documents`: issue, revoke and verify documents, and print the public keys.

`verify` exits 0 for a valid document, 1 for one not valid (bad signature, revoked,
superseded, unknown to the register) and 2 when the input cannot be read.
"""

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from sabt.documents import facts, keys, pades, qr, service
from sabt.kit import settings
from sabt.kit.console import DB_HELP, err, out, user_errors
from sabt.kit.errors import BadInput
from sabt.registry.cli import open_register
from sabt.registry.db import write_session

documents_app = typer.Typer(help="Signed documents: issue, revoke, verify.", no_args_is_help=True)
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
OPERATOR = "operator:cli"


def _print(value: Any) -> None:
    out(json.dumps(value, ensure_ascii=False, indent=2))


@documents_app.command("issue")
@user_errors
def issue(
    kind: Annotated[str, typer.Argument(help=" | ".join(facts.KINDS))],
    code: Annotated[str, typer.Argument(help="the subject's national code")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="the PDF (default NUMBER.pdf)")
    ] = None,
    marriage: Annotated[int | None, typer.Option(min=1, help="which marriage, if several")] = None,
    db: DbOption = None,
) -> None:
    """Issue a document and write its PDF; prints its number and token."""
    config = settings.load()
    signing, pdf_keys = keys.load(config.home), pades.load(config.home)
    with write_session(open_register(db)) as session:
        issued = service.issue(session, signing, kind, code, OPERATOR, marriage)
    target = out_file or Path(f"{issued.document.number}.pdf")
    target.write_bytes(service.printable(issued, config.public_url, pdf_keys))
    err.print(f"{issued.document.number} → {target}")
    _print({"number": issued.document.number, "pdf": str(target), "token": issued.token})


@documents_app.command("revoke")
@user_errors
def revoke(
    number: Annotated[str, typer.Argument(help="the document number")],
    reason: Annotated[str, typer.Option(help="why, kept in the log")],
    replaced_by: Annotated[str | None, typer.Option(help="the replacing document")] = None,
    db: DbOption = None,
) -> None:
    """Revoke a document; the revocation is a leaf of the public log."""
    with write_session(open_register(db)) as session:
        document = service.end(session, number, "revoked", reason, OPERATOR, replaced_by)
        _print({"number": document.number, "status": document.status})


@documents_app.command("verify")
def verify(
    source: Annotated[str, typer.Argument(help="a PDF, a PNG/JPEG photo or scan, or the token")],
    offline: Annotated[bool, typer.Option(help="signature only, with --jwks")] = False,
    jwks: Annotated[Path | None, typer.Option(help="a JWKS file (sabt documents jwks)")] = None,
    db: DbOption = None,
) -> None:
    """Check a document: the QR token's signature, (online) revocation in the register, and
    for a PDF its own signature (PAdES), trusted when this installation's CA is at hand."""
    home = settings.load().home
    signed_pdf: pades.PdfSignature | None = None
    # pyHanko logs a signature it cannot trust with a traceback: the verdict says it, once
    for library in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(library).setLevel(logging.CRITICAL)
    try:
        path = Path(source) if _is_path(source) else None
        token = qr.token_of(qr.read_file(path) if path else source)
        if path is not None and path.suffix.lower() == ".pdf":
            signed_pdf = pades.check(path.read_bytes(), pades.ca_certificate(home))
        public = _offline_keys(jwks) if offline else keys.load_existing(home).public
    except (qr.Unreadable, BadInput) as exc:
        err.print(f"[red]{exc.message_en}[/red] — {exc.message_fa}")
        raise typer.Exit(2) from None
    if offline:
        verdict = service.verify_token(public, token, None)
    else:
        with Session(open_register(db)) as session:
            verdict = service.verify_token(public, token, session, staff_view=True)
    report = verdict.as_json()
    if signed_pdf is not None:
        report["pdf_signature"] = signed_pdf.as_json()
    _print(report)
    # A signature that no longer matches means the file was changed after issue; an unsigned
    # PDF is judged by its QR alone (the QR is what the document's validity rests on).
    altered = signed_pdf is not None and signed_pdf.present and not signed_pdf.intact
    if altered:
        err.print(
            "[red]the PDF was changed after it was signed[/red] — PDF پس از امضا تغییر کرده است"
        )
    raise typer.Exit(0 if verdict.ok and not altered else 1)


def _is_path(source: str) -> bool:
    return "://" not in source and (
        "/" in source or source.lower().endswith((".pdf", ".png", ".jpg", ".jpeg"))
    )


def _offline_keys(path: Path | None) -> KeySet:
    if path is None:
        raise BadInput("no_jwks", "--offline به --jwks نیاز دارد", "--offline needs --jwks FILE")
    return keys.key_set_file(path)


@documents_app.command("jwks")
@user_errors
def jwks_command() -> None:
    """The public document keys (JWKS), for --offline verification."""
    out(json.dumps(keys.jwks(settings.load().home)))


@documents_app.command("rotate-key")
@user_errors
def rotate_key() -> None:
    """Create a new signing key and make it current; old keys still verify."""
    _print({"kid": keys.rotate(settings.load().home)})
