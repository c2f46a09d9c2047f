"""Documents end to end: each kind rendered to a PDF, its text read back with pdftotext,
its QR read back from the rendered page with zbar and verified; tampering, revocation,
supersession, key rotation and offline verification; the transparency log's proofs; bad
input issues nothing."""

import base64
import json
import subprocess
import zlib
from pathlib import Path
from typing import Any

import base45
import cbor2
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pycose.headers import KID
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import Engine
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.documents import qr
from sabt.kit import merkle
from sabt.persian.digits import to_persian
from tests.registration.support import C, ledger_size, staff

runner = CliRunner()


def sabt(db_url: str | None, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["documents", *args, *(["--db", db_url] if db_url else [])])
    return result.exit_code, result.stdout


def issue(db_url: str, tmp: Path, kind: str, code: str, *extra: str) -> dict[str, str]:
    out = tmp / f"{kind}-{code}.pdf"
    status, text = sabt(db_url, "issue", kind, code, "--out", str(out), *extra)
    assert status == 0, text
    issued: dict[str, str] = json.loads(text)
    return issued


def pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def verify(db_url: str, source: str) -> tuple[int, dict[str, object]]:
    status, text = sabt(db_url, "verify", source)
    return status, (json.loads(text) if text.strip() else {})


@pytest.mark.parametrize(
    ("kind", "who", "words"),
    [
        ("birth", "amir", ["گواهی ولادت", "امیر", "محمدی", "لیلا حسینی"]),
        ("death", "zahra", ["گواهی فوت", "زهرا", "احمدی", "۱۳۶۸/۱۰/۱۱"]),
        ("marriage", "karim", ["گواهی ازدواج", "کریم رضائی", "سارا محمدی"]),
        ("booklet", "ali", ["شناسنامهٔ الکترونیک", "علی", "امیر محمدی", "حسن محمدی"]),
    ],
)
def test_each_kind_reads_back_and_its_qr_verifies(
    client: TestClient, db_url: str, tmp_path: Path, kind: str, who: str, words: list[str]
) -> None:
    issued = issue(db_url, tmp_path, kind, C[who])
    text = pdf_text(issued["pdf"])
    for word in [*words, to_persian(C[who]), issued["number"]]:
        assert word in text, (word, text)
    status, verdict = verify(db_url, issued["pdf"])
    assert status == 0 and verdict["status"] == "valid", verdict
    assert verdict["claims"]["n"] == issued["number"]  # type: ignore[index]
    assert C[who] in verdict["claims"]["s"]  # type: ignore[index]
    assert verdict["pdf_signature"] == verdict["pdf_signature"] | {  # type: ignore[operator]
        "present": True, "intact": True, "trusted": True}  # fmt: skip


def pdfsig(path: Path, *extra: str) -> str:
    return subprocess.run(["pdfsig", *extra, str(path)], capture_output=True, text=True).stdout


def test_the_pdf_is_signed_and_a_changed_pdf_is_caught(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    issued = issue(db_url, tmp_path, "death", C["zahra"])
    signed = Path(issued["pdf"])
    report = pdfsig(signed)  # poppler, as a PDF reader sees it
    assert "Signature is Valid" in report and "Total document signed" in report, report
    assert "Sabt document issuer" in report
    ca = client.get("/api/v1/documents/ca.pem")
    assert ca.status_code == 200 and ca.text.startswith("-----BEGIN CERTIFICATE-----")
    nss = tmp_path / "nss"
    nss.mkdir()
    (tmp_path / "ca.pem").write_text(ca.text)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "sabt", "-t", "C,C,C",
                    "-i", str(tmp_path / "ca.pem")], check=True)  # fmt: skip
    assert "Certificate is Trusted" in pdfsig(signed, "-nssdir", f"sql:{nss}")
    data = signed.read_bytes()
    at = data.index(b"WeasyPrint")
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(data[:at] + b"weasyPrint" + data[at + 10 :])
    status, verdict = verify(db_url, str(changed))
    assert status == 1 and verdict["status"] == "valid"  # the QR alone is still genuine
    assert verdict["pdf_signature"]["intact"] is False  # type: ignore[index]
    assert "Signature is Valid" not in pdfsig(changed)


def test_the_api_issues_a_signed_pdf_or_json(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    registrar = staff(client, engine, "registrar")
    body = {"kind": "birth", "national_code": C["amir"]}
    pdf = client.post("/api/v1/documents", json=body,
                      headers={**registrar, "Accept": "application/pdf"})  # fmt: skip
    assert pdf.status_code == 201 and pdf.headers["content-type"] == "application/pdf"
    number = pdf.headers["x-document-number"]
    (tmp_path / "api.pdf").write_bytes(pdf.content)
    assert number in pdf_text(str(tmp_path / "api.pdf"))
    status, verdict = verify(db_url, str(tmp_path / "api.pdf"))
    assert status == 0 and verdict["claims"]["n"] == number  # type: ignore[index]
    answer = client.post("/api/v1/documents", json=body, headers=registrar)
    assert answer.status_code == 201 and answer.json()["verify_url"].count("/verify?t=") == 1
    refused = client.post("/api/v1/documents", json={**body, "kind": "death"}, headers=registrar)
    assert refused.status_code == 409 and refused.json()["message_fa"]
    anonymous = client.post("/api/v1/documents", json=body)
    assert anonymous.status_code == 401


def test_a_photo_of_the_page_verifies_and_a_tampered_token_does_not(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    issued = issue(db_url, tmp_path, "birth", C["neda"])
    page = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", issued["pdf"], str(page)],
                   check=True)  # fmt: skip
    photo = tmp_path / "photo.jpg"
    Image.open(page.with_suffix(".png")).convert("RGB").save(photo, quality=70)
    assert verify(db_url, str(photo))[0] == 0
    token = issued["token"]
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["f"]["name"] = "کسی دیگر"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (
        f"{head}.{forged}.{signature}",
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
    ):
        status, verdict = verify(db_url, bad)
        assert status == 1 and verdict["status"] == "invalid", verdict
    assert verify(db_url, str(tmp_path / "missing.pdf"))[0] == 2
    (tmp_path / "noise.png").write_bytes(b"not an image")
    assert verify(db_url, str(tmp_path / "noise.png"))[0] == 2


def test_revocation_rotation_and_offline_verification(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    old = issue(db_url, tmp_path, "birth", C["amir"])
    assert sabt(None, "rotate-key")[0] == 0
    new = issue(db_url, tmp_path, "death", C["zahra"])
    assert verify(db_url, old["token"])[0] == 0  # signed by the retired key
    jwks = tmp_path / "jwks.json"
    status, text = sabt(None, "jwks")
    jwks.write_text(text)
    assert len(json.loads(text)["keys"]) == 2
    offline = runner.invoke(
        app, ["documents", "verify", new["pdf"], "--offline", "--jwks", str(jwks)]
    )
    assert offline.exit_code == 0, offline.stdout
    status, _ = sabt(db_url, "revoke", old["number"], "--reason", "صدور نادرست",
                     "--replaced-by", new["number"])  # fmt: skip
    assert status == 0
    status, verdict = verify(db_url, old["pdf"])
    assert status == 1 and verdict["status"] == "revoked"
    assert new["number"] in str(verdict["message_en"]) and "صدور نادرست" in str(
        verdict["message_fa"]
    )  # the operator's CLI sees why; the public page and API do not
    page = client.get("/verify", params={"t": old["token"]}).text
    short = client.get("/verify", params={"n": old["number"]}).text
    answer = client.post("/api/v1/documents/verify", json={"token": old["token"]}).json()
    for public in (page, short, str(answer)):
        assert "باطل" in public or "revoked" in public
        assert "صدور نادرست" not in public and new["number"] not in public
    assert sabt(db_url, "revoke", old["number"], "--reason", "دوباره")[0] == 2


def test_documents_that_do_not_apply_are_refused_and_nothing_is_written(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    size = ledger_size(engine)
    for args in (("death", C["ali"]), ("marriage", C["amir"]), ("passport", C["ali"]),
                 ("birth", "0000000000"), ("birth", "1234567891"),
                 ("marriage", C["hasan"])):  # fmt: skip
        status, _ = sabt(db_url, "issue", *args, "--out", str(tmp_path / "x.pdf"))
        assert status == 2, args
    assert sabt(db_url, "issue", "marriage", C["hasan"], "--marriage", "2",
                "--out", str(tmp_path / "m.pdf"))[0] == 0  # fmt: skip
    assert ledger_size(engine) == size + 1 and not (tmp_path / "x.pdf").exists()


def test_the_api_verifies_without_login_and_masks_codes_on_the_page(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    issued = issue(db_url, tmp_path, "birth", C["amir"])
    keys = client.get("/api/v1/documents/jwks.json").json()["keys"]
    assert keys and all("d" not in k for k in keys)  # public parts only
    answer = client.post("/api/v1/documents/verify", json={"token": issued["token"]}).json()
    assert answer["status"] == "valid" and answer["claims"]["n"] == issued["number"]
    garbled = client.post("/api/v1/documents/verify", json={"token": "x" * 40})
    assert garbled.status_code == 200 and garbled.json()["status"] == "invalid"
    page = client.get("/verify", params={"t": issued["token"]})
    assert page.status_code == 200 and 'data-status="valid"' in page.text
    assert C["amir"] not in page.text and to_persian(C["amir"]) not in page.text
    assert to_persian("******" + C["amir"][-4:]) in page.text
    short = client.get("/verify", params={"n": issued["number"]})
    assert 'data-status="valid"' in short.text


def test_a_correction_revokes_and_a_marriage_supersedes(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    birth = issue(db_url, tmp_path, "birth", C["amir"])  # names his mother
    booklet = issue(db_url, tmp_path, "booklet", C["neda"])
    filer, approver = staff(client, engine, "registrar"), staff(client, engine, "senior_registrar")
    correction = {"national_code": C["wife_ali"], "field": "first_name", "new_value": "لیلی",
                  "legal_basis": "رأی هیئت حل اختلاف", "document_ref": "HH-1"}  # fmt: skip
    case = client.post("/api/v1/corrections", json=correction, headers=filer).json()["case_id"]
    client.post(f"/api/v1/queue/{case}/approve", json={"note": "دیده شد"}, headers=approver)
    assert verify(db_url, birth["token"])[1]["status"] == "revoked"
    notary = __import__("tests.identity.accounts", fromlist=["x"]).client_headers(
        client, engine, "marriage_notary", "MN-TEHRAN-1"
    )
    married = client.post("/api/v1/marriages", headers=notary, json={
        "husband_national_code": C["amir"], "wife_national_code": C["neda"],
        "kind": "permanent", "married_at": "2025-09-20T10:00:00+03:30"})  # fmt: skip
    assert married.status_code == 201, married.text
    status, verdict = verify(db_url, booklet["token"])
    assert status == 1 and verdict["status"] == "superseded"


def test_the_transparency_log_proves_inclusion_and_consistency(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    first = issue(db_url, tmp_path, "birth", C["amir"])
    old_head = client.get("/api/v1/transparency/sth").json()
    for who in ("neda", "ali", "sara"):
        issue(db_url, tmp_path, "birth", C[who])
    sabt(db_url, "revoke", first["number"], "--reason", "آزمون")
    head = client.get("/api/v1/transparency/sth").json()
    assert head["tree_size"] == 5 and head["signature"].count(".") == 2
    root = base64.urlsafe_b64decode(head["root_hash"] + "=")
    leaves = client.get("/api/v1/transparency/leaves", params={"start": 0, "end": 4}).json()
    for leaf in leaves:
        data = merkle.leaf_hash(leaf["record"].encode())
        assert data.hex() == leaf["leaf_hash"]
        proof = client.get("/api/v1/transparency/proof/inclusion",
                           params={"leaf_index": leaf["leaf_index"], "tree_size": 5}).json()  # fmt: skip
        path = [base64.urlsafe_b64decode(p + "=") for p in proof["audit_path"]]
        assert merkle.verify_inclusion(leaf["leaf_index"], 5, data, path, root)
    proof = client.get("/api/v1/transparency/proof/consistency",
                       params={"first": old_head["tree_size"], "second": 5}).json()  # fmt: skip
    old_root = base64.urlsafe_b64decode(old_head["root_hash"] + "=")
    path = [base64.urlsafe_b64decode(p + "=") for p in proof["consistency"]]
    assert merkle.verify_consistency(old_head["tree_size"], 5, old_root, root, path)
    bad = client.get(
        "/api/v1/transparency/proof/inclusion", params={"leaf_index": 9, "tree_size": 5}
    )
    assert bad.status_code == 422 and bad.json()["message_fa"]


def test_broken_pdf_keys_are_a_clear_error_and_issue_nothing(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    keys = tmp_path / "pdf-keys"
    keys.mkdir()
    for name in ("signer.key.pem", "signer.cert.pem", "ca.cert.pem"):
        (keys / name).write_text("-----BEGIN PRIVATE KEY-----\nbroken\n")
    monkeypatch.setenv("SABT_PDF_KEYS", str(keys))
    size = ledger_size(engine)
    result = runner.invoke(app, ["documents", "issue", "birth", C["amir"], "--db", db_url,
                                 "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert result.exit_code == 2 and "invalid" in result.output, result.output
    assert ledger_size(engine) == size and not (tmp_path / "x.pdf").exists()


def test_verifying_from_another_instance_folder_makes_no_keys_and_says_why(
    client: TestClient, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = issue(db_url, tmp_path, "birth", C["amir"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("SABT_HOME", str(elsewhere))
    result = runner.invoke(app, ["documents", "verify", issued["pdf"], "--db", db_url])
    assert result.exit_code == 2 and "no_document_keys" not in result.stdout
    assert "SABT_HOME" in result.stderr and "Traceback" not in result.output
    assert list(elsewhere.iterdir()) == []  # nothing made beside the command


def _digit_fonts(path: str) -> dict[str, set[str]]:
    """Each embedded font of the PDF, with the Persian digits its ToUnicode map names."""
    digits = {f"{0x06F0 + d:04X}" for d in range(10)}
    found: dict[str, set[str]] = {}
    with open(path, "rb") as stream:
        reader = PdfFileReader(stream)
        kids = reader.root["/Pages"]["/Kids"]
        for i in range(len(kids)):
            fonts = kids[i].get_object()["/Resources"]["/Font"]
            for name in fonts:
                font = fonts[name]
                cmap = font["/ToUnicode"].data.decode("latin-1").upper()
                base = str(font["/BaseFont"]).split("+")[-1]
                found.setdefault(base, set()).update(d for d in digits if d in cmap)
    return found


def test_persian_digits_are_drawn_in_a_persian_face(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    """Noto Naskh Arabic draws ۴ ۵ ۶ in Arabic and Urdu shapes: the documents take the ten
    Persian digits from Vazirmatn (the SabtDigits face) and every other letter from Noto."""
    issued = issue(db_url, tmp_path, "booklet", C["ali"])
    assert "۱۳۵۳/۱۰/۱۴" in pdf_text(issued["pdf"])  # Ali's birth day, in Persian digits
    fonts = _digit_fonts(issued["pdf"])
    drawn_by_persian = set().union(*(d for f, d in fonts.items() if f.startswith("SabtDigits")))
    assert {"06F4", "06F5"} <= drawn_by_persian
    assert not set().union(*(d for f, d in fonts.items() if not f.startswith("SabtDigits")))


def _pycose_claims(text: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """A seal's claims as pycose (an implementation independent of Sabt's) reads them,
    checked against the published key set: Base45, zlib, COSE_Sign1 (ES256)."""
    assert text.startswith("SB1:")
    message = Sign1Message.decode(zlib.decompress(base45.b45decode(text[4:])))
    kid = message.phdr[KID].decode()
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]

    def raw(value: str) -> bytes:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))

    message.key = EC2Key(crv=P256, x=raw(jwk["x"]), y=raw(jwk["y"]))
    assert message.verify_signature()
    claims: dict[str, Any] = cbor2.loads(message.payload)
    claims["h"] = base64.urlsafe_b64encode(claims["h"]).rstrip(b"=").decode()  # 32 bytes
    return claims


@pytest.mark.parametrize("kind", ["booklet", "marriage"])
def test_the_qr_is_a_cose_seal_read_at_100_dpi_and_verified_by_pycose(
    client: TestClient, db_url: str, tmp_path: Path, kind: str
) -> None:
    issued = issue(db_url, tmp_path, kind, C["ali"] if kind == "booklet" else C["karim"])
    page = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1",
                    "-singlefile", issued["pdf"], str(page)], check=True)  # fmt: skip
    text = qr.read_file(page.with_suffix(".png"))  # zbar
    assert text.startswith("SB1:") and len(text) < 450, len(text)
    claims = _pycose_claims(text, client.get("/api/v1/documents/jwks.json").json())
    assert (claims["n"], claims["k"]) == (issued["number"], kind)
    status, verdict = verify(db_url, issued["pdf"])  # Sabt reads the same seal from the PDF
    assert status == 0 and verdict["claims"] == claims
    tampered = text[:-6] + ("A" * 6 if not text.endswith("A" * 6) else "B" * 6)
    answer = client.post("/api/v1/documents/verify", json={"token": tampered})
    assert answer.status_code == 200 and answer.json()["status"] == "invalid"
