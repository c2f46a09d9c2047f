"""The PDF's own signature (PAdES baseline B-B, with pyHanko), so a PDF reader shows who
issued it and that nothing changed since.

The signing certificate is X.509, apart from the ES256 token keys: production loads the key
and certificate chain from files in the PDF key directory (`$SABT_PDF_KEYS`, else
`$SABT_HOME/keys/pdf`); the demo generates a local CA and a signing certificate there on
first use. Validation trusts that CA and fetches nothing (no OCSP, no CRL): it works offline.
"""

import io
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sabt.kit import clock
from sabt.kit.errors import BadInput

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

ORGANISATION = "National Organization for Civil Registration (Sabt demo)"
SIGNER_NAME = "Sabt document issuer"
FIELD = "SabtSignature"
CA_YEARS, SIGNER_YEARS = 20, 5


@dataclass(frozen=True)
class PdfKeys:
    key_pem: bytes
    cert_pem: bytes
    ca_pem: bytes


@dataclass(frozen=True)
class PdfSignature:
    """What a PDF reader would say about the document's signature."""

    present: bool
    intact: bool = False  # the signed bytes are unchanged and cover the whole file
    trusted: bool = False  # the chain ends at the registry's CA
    signer: str | None = None
    signed_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted

    def as_json(self) -> dict[str, object]:
        return {
            "present": self.present, "intact": self.intact, "trusted": self.trusted,
            "signer": self.signer, "signed_at": self.signed_at,
        }  # fmt: skip


def key_dir(home: Path) -> Path:
    given = os.environ.get("SABT_PDF_KEYS")
    return Path(given) if given else home / "keys" / "pdf"


def load(home: Path) -> PdfKeys:
    """The signing key, its certificate and the CA; generated on first use (the demo)."""
    folder = key_dir(home)
    if not (folder / "signer.key.pem").exists():
        _generate(folder)
    try:
        material = PdfKeys(*(
            (folder / name).read_bytes()
            for name in ("signer.key.pem", "signer.cert.pem", "ca.cert.pem")
        ))  # fmt: skip
        serialization.load_pem_private_key(material.key_pem, password=None)
        x509.load_pem_x509_certificate(material.cert_pem)
        x509.load_pem_x509_certificate(material.ca_pem)
    except (OSError, ValueError, TypeError) as exc:
        raise BadInput(
            "bad_pdf_key",
            f"کلید یا گواهی امضای PDF ناقص یا نامعتبر است: {folder}",
            f"the PDF signing key or certificates in {folder} are missing or invalid: {exc}",
        ) from exc
    return material


def ca_certificate(home: Path) -> bytes | None:
    """The CA that validation trusts, if this installation has one (never generated here)."""
    path = key_dir(home) / "ca.cert.pem"
    return path.read_bytes() if path.exists() else None


def _name(common: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])  # fmt: skip


def _certificate(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey,
    signing: ec.EllipticCurvePrivateKey,
    years: int, ca: bool,
) -> x509.Certificate:  # fmt: skip
    now = clock.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )  # fmt: skip
    usage = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )  # fmt: skip
    if ca:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:
        usage.update(digital_signature=True, content_commitment=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    return builder.sign(signing, hashes.SHA256())


def _generate(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # ECDSA P-256: RSA keys are slower to load (cryptography validates them on every load,
    # ~90 ms for 3072 bits), and pdfsig, pyHanko and current readers accept ECDSA.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Sabt demo root CA")
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, CA_YEARS, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(SIGNER_NAME), ca_name, key.public_key(), ca_key, SIGNER_YEARS, False)
    pem = serialization.Encoding.PEM
    private = serialization.PrivateFormat.PKCS8
    plain = serialization.NoEncryption()
    files = {
        "ca.key.pem": ca_key.private_bytes(pem, private, plain),
        "ca.cert.pem": ca.public_bytes(pem),
        "signer.key.pem": key.private_bytes(pem, private, plain),
        "signer.cert.pem": cert.public_bytes(pem),
    }
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        path.chmod(0o600)


def _asn1_cert(pem: bytes) -> asn1_x509.Certificate:
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


@cache
def _signer(material: PdfKeys) -> "SimpleSigner":
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = serialization.load_pem_private_key(material.key_pem, password=None)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(material.cert_pem),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [_asn1_cert(material.ca_pem)]
        ),
    )


def sign(pdf: bytes, material: PdfKeys, reason: str) -> bytes:
    """`pdf` with an invisible PAdES signature over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, reason=reason, location="IR", md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )  # fmt: skip
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, meta, signer=_signer(material))
    return bytes(out.getvalue())


def check(pdf: bytes, ca_pem: bytes | None) -> PdfSignature:
    """The PDF's signature checked offline against the registry's CA (`trusted` is False
    when no CA is given)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [_asn1_cert(ca_pem)] if ca_pem else []
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        if not embedded:
            return PdfSignature(present=False)
        status = validate_pdf_signature(embedded[0], context)
    # A damaged file or signature (pyHanko's validation errors are ValueErrors): whoever
    # holds it cannot rely on it.
    except (PdfError, ValueError, KeyError, TypeError):
        return PdfSignature(present=b"/ByteRange" in pdf)
    signed_at = status.signer_reported_dt
    return PdfSignature(
        present=True,
        intact=status.intact
        and status.valid
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=status.trusted,
        signer=status.signing_cert.subject.human_friendly,
        signed_at=signed_at.isoformat() if signed_at else None,
    )
