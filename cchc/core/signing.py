"""Digital signatures on the documents cchc issues (PAdES, with pyHanko), and their
verification for anyone.

Keys: one PKCS#12 file per signing agency in `CCHC_SIGNING_DIR` (`<key>.p12`, protected by
`CCHC_SIGNING_PASSWORD`), where `<key>` is the agency's electronic code (Decision 20/2020) or
"default". Trust roots: the PEM files in `CCHC_SIGNING_DIR/trust/` (a province puts there the
root of the national CA that issued its certificates). In development and tests, with
`CCHC_DEMO_SIGNING` on, a clearly labelled demo CA is created there on first use and issues the
missing agency certificates, so that signing works out of the box. Real tokens (PKCS#11) and
the national remote-signing service plug in at `signer_for` (docs/adr/0012-signing.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError

DEMO_CA_NAME = "cchc DEMO CA - KHONG CO GIA TRI PHAP LY"
_lock = threading.Lock()


class SigningError(DomainError):
    status = 409


def _dir() -> Path:
    path = Path(settings.CCHC_SIGNING_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _password() -> bytes:
    return str(settings.CCHC_SIGNING_PASSWORD).encode()


def key_name(code: str) -> str:
    """A file name from an agency's code: letters, digits, dots and dashes only."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", code or "default")


# -- the demo CA ---------------------------------------------------------------------------


def _usage(*, authority: bool) -> Any:
    """A CA signs certificates; an agency's certificate signs documents (non-repudiation)."""
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not authority,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


def _demo_ca() -> tuple[Any, Any]:
    """The demo CA's key and certificate, created on first use (development and tests)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = _dir()
    key_path, cert_path = folder / "demo-ca.key", folder / "trust" / "demo-ca.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cchc demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(authority=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _fit(text: str, size: int) -> str:
    """`text` cut to at most `size` bytes of UTF-8 (X.509 counts bytes, not letters); the
    end is kept when cutting, so "(DEMO)" stays visible."""
    suffix = " (DEMO)" if text.endswith(" (DEMO)") else ""
    body = text.removesuffix(suffix)
    while body and len((body + suffix).encode()) > size:
        body = body[:-1]
    return body.rstrip() + suffix


def issue_demo_certificate(code: str, holder: str) -> Path:
    """A demo signing certificate for `holder` (an agency), as `<code>.p12`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    ca_key, ca_cert = _demo_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cchc demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"{holder} (DEMO)", 64)),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(authority=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    path = _dir() / f"{key_name(code)}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            _fit(holder, 64).encode(), key, cert, [ca_cert], BestAvailableEncryption(_password())
        )
    )
    path.chmod(0o600)
    return path


# -- signing -------------------------------------------------------------------------------


def signer_for(code: str, holder: str) -> Any:
    """The signer of an agency: its PKCS#12 file, or (demo mode) one issued by the demo CA.
    A PKCS#11 token or the national remote-signing service would be returned from here."""
    from pyhanko.sign import signers

    path = _dir() / f"{key_name(code)}.p12"
    if not path.exists():
        path = _dir() / "default.p12" if (_dir() / "default.p12").exists() else path
    if not path.exists():
        if not settings.CCHC_DEMO_SIGNING:
            raise SigningError(
                "no_certificate",
                _(
                    "%(holder)s chưa có chứng thư số để ký (tệp %(file)s trong kho khóa). "
                    "Quản trị hệ thống cần cài chứng thư số của cơ quan."
                )
                % {"holder": holder, "file": f"{key_name(code)}.p12"},
            )
        with _lock:
            path = _dir() / f"{key_name(code)}.p12"
            if not path.exists():
                issue_demo_certificate(code, holder)
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(path), passphrase=_password())
    if signer is None:
        raise SigningError(
            "bad_keystore", _("Không mở được chứng thư số %(file)s.") % {"file": path.name}
        )
    return signer


STAMP_SIZE = (245, 75)  # points: the visible signature's box


def _stamp_pdf(values: dict[str, str], url: str) -> bytes:
    """The visible signature as a one-page PDF drawn by WeasyPrint (the fonts, Vietnamese and
    the QR code of the printed forms), which pyHanko then places as the stamp's appearance."""
    import segno
    from django.utils.html import escape
    from weasyprint import HTML

    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
    width, height = STAMP_SIZE
    html = f"""<html><head><style>
    @page {{ size: {width}pt {height}pt; margin: 0; }}
    body {{ margin: 0; font-family: "Tinos", "Times New Roman", "DejaVu Serif", serif;
            font-size: 7.5pt; line-height: 1.25; color: #b00000; }}
    .box {{ border: 1pt solid #b00000; height: {height - 2}pt; display: flex; gap: 4pt;
            align-items: center; padding: 0 4pt; }}
    img {{ width: 62pt; height: 62pt; }}
    </style></head><body><div class="box"><img src="{qr}" alt="">
    <div><b>Ký số bởi: {escape(values["signer"])}</b><br>{escape(values["agency"])}<br>
    Thời gian ký: {escape(values["time"])}<br>Quét mã QR để xác thực tài liệu</div>
    </div></body></html>"""
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _outside_any_loop(work: Any) -> Any:
    """pyHanko's synchronous calls start an asyncio loop of their own: where one already runs
    in this thread (an ASGI worker, a browser test), they run in a helper thread instead."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def sign_pdf(
    data: bytes, *, code: str, agency: str, signer_name: str, reason: str, url: str
) -> bytes:
    return _outside_any_loop(  # type: ignore[no-any-return]
        lambda: _sign_pdf(
            data, code=code, agency=agency, signer_name=signer_name, reason=reason, url=url
        )
    )


def _sign_pdf(
    data: bytes, *, code: str, agency: str, signer_name: str, reason: str, url: str
) -> bytes:
    """`data` signed (PAdES) by `agency`'s certificate, with a visible stamp in the bottom
    corner of the last page holding the signer, the time and a QR code to `url`, and an RFC
    3161 timestamp when `CCHC_TSA_URL` is set."""
    import tempfile

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import StaticStampStyle

    signer = signer_for(code, agency)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError) as exc:
        raise SigningError(
            "unreadable_pdf",
            _(
                "Tệp kết quả không phải tệp PDF đọc được nên không ký số được; cần đính kèm "
                "lại tệp kết quả (PDF hoặc ảnh chụp)."
            ),
        ) from exc
    moment = timezone.localtime()
    values = {"signer": signer_name, "agency": agency, "time": f"{moment:%H:%M %d/%m/%Y}"}
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        reason=reason,
        location=agency,
        name=signer_name,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    tsa = settings.CCHC_TSA_URL
    width, height = STAMP_SIZE
    with tempfile.NamedTemporaryFile(suffix=".pdf") as appearance:
        appearance.write(_stamp_pdf(values, url))
        appearance.flush()
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            stamp_style=StaticStampStyle.from_pdf_file(appearance.name, border_width=0),
            timestamper=timestamps.HTTPTimeStamper(tsa) if tsa else None,
            new_field_spec=fields.SigFieldSpec(
                sig_field_name="ChuKySo", on_page=-1, box=(330, 22, 330 + width, 22 + height)
            ),
        )
        out = pdf_signer.sign_pdf(writer)
    return out.getvalue()  # type: ignore[no-any-return]


# -- verification --------------------------------------------------------------------------


@dataclass
class Verdict:
    """What a verification found, in words a citizen understands."""

    valid: bool
    reasons: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    signed_at: list[dt.datetime] = field(default_factory=list)
    sha256: str = ""


def trust_roots() -> list[Any]:
    from asn1crypto import pem, x509

    roots = []
    folder = _dir() / "trust"
    if settings.CCHC_DEMO_SIGNING:
        _demo_ca()  # the demo root exists before anything is checked against it
    for path in sorted(folder.glob("*.pem")) if folder.exists() else []:
        for _kind, _headers, der in pem.unarmor(path.read_bytes(), multiple=True):
            roots.append(x509.Certificate.load(der))
    return roots


def verify_pdf(data: bytes) -> Verdict:
    return _outside_any_loop(lambda: _verify_pdf(data))  # type: ignore[no-any-return]


def _verify_pdf(data: bytes) -> Verdict:
    """Whether `data` carries signatures that are intact, cover the whole file and chain to a
    trusted root (pyHanko's validation); the reasons when not."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    verdict = Verdict(valid=False, sha256=hashlib.sha256(data).hexdigest())
    if not data.startswith(b"%PDF"):
        verdict.reasons.append(_("Tệp không phải là tệp PDF."))
        return verdict
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        verdict.reasons.append(_("Tệp PDF bị hỏng hoặc đã bị sửa đổi, không đọc được."))
        return verdict
    if not signatures:
        verdict.reasons.append(_("Tệp không có chữ ký số."))
        return verdict
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    ok = True
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:
            verdict.reasons.append(_("Không kiểm tra được chữ ký: dữ liệu chữ ký bị hỏng."))
            ok = False
            continue
        name = status.signing_cert.subject.native.get("common_name", "")
        verdict.signers.append(str(name))
        if status.signer_reported_dt:
            verdict.signed_at.append(status.signer_reported_dt)
        if not status.intact or not status.valid:
            verdict.reasons.append(
                _("Nội dung tệp đã bị thay đổi sau khi ký: chữ ký không còn khớp với tài liệu.")
            )
            ok = False
        elif not status.trusted:
            verdict.reasons.append(
                _("Chứng thư số của “%(name)s” không do tổ chức chứng thực được tin cậy cấp.")
                % {"name": name}
            )
            ok = False
        elif status.coverage is None or status.coverage.name != "ENTIRE_FILE":
            verdict.reasons.append(_("Tệp đã được thêm nội dung sau khi ký."))
            ok = False
    verdict.valid = ok
    return verdict
