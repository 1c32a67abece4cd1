"""Uploaded scans, checked the same way wherever they arrive (desk, portal, API, evidence).

A file is accepted only when its content *and* its name agree on PDF, JPEG or PNG; a PDF that
carries JavaScript or a launch action is refused, and so is an image whose pixels would not fit
in memory (a decompression bomb). Accepted files are stored under a generated name with the
detected extension (`stored_name`); the original name is kept only as metadata.
"""

from __future__ import annotations

import re
import uuid
import zlib

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import Invalid as ServiceError

ALLOWED_SCANS = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
}
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}
# What a PDF viewer would run: scripts and launched programs (names may be #xx-escaped).
ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)\b")
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _refuse(code: str, message: str, upload: UploadedFile[bytes]) -> ServiceError:
    return ServiceError(code, message % {"upload_name": upload.name})


def check_scan(upload: UploadedFile[bytes]) -> str:
    """The content type of an accepted scan, or an `Invalid` error with a Vietnamese message."""
    limit = settings.CCHC_SCAN_MAX_BYTES
    if upload.size and upload.size > limit:
        raise ServiceError(
            "scan_too_large",
            _("Tệp “%(upload_name)s” vượt quá %(megabytes)s MB.")
            % {"upload_name": upload.name, "megabytes": limit // (1024 * 1024)},
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = next((k for magic, k in ALLOWED_SCANS.items() if data.startswith(magic)), None)
    if kind is None:
        raise _refuse(
            "scan_type",
            _("Tệp “%(upload_name)s” không phải PDF, JPEG hoặc PNG nên không được nhận."),
            upload,
        )
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if extension not in EXTENSIONS[kind]:
        raise _refuse(
            "scan_name",
            _(
                "Tên tệp “%(upload_name)s” không khớp với nội dung (PDF, JPEG hoặc PNG); đổi tên "
                "tệp cho đúng loại rồi gửi lại."
            ),
            upload,
        )
    if kind == "application/pdf" and _pdf_is_active(data):
        raise _refuse(
            "scan_active",
            _(
                "Tệp “%(upload_name)s” chứa mã lệnh (JavaScript) hoặc lệnh mở chương trình nên "
                "không được nhận; hãy in ra PDF hoặc quét lại."
            ),
            upload,
        )
    if kind != "application/pdf":
        _check_image(upload)
    return kind


def _pdf_is_active(data: bytes) -> bool:
    """True when the PDF, or any of its compressed streams, names a script or launch action."""
    chunks = [data]
    for match in STREAM.finditer(data):
        try:
            chunks.append(zlib.decompressobj().decompress(match.group(1), 20 * 1024 * 1024))
        except zlib.error:
            continue  # not deflated: already scanned as it is
    for chunk in chunks:
        plain = NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)
        if ACTIVE_PDF.search(plain):
            return True
    return False


def _check_image(upload: UploadedFile[bytes]) -> None:
    """Refuse images that cannot be read or whose pixel count is beyond the limit."""
    too_large = _refuse(
        "scan_too_large", _("Ảnh “%(upload_name)s” quá lớn (số điểm ảnh vượt giới hạn)."), upload
    )
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.CCHC_IMAGE_MAX_PIXELS:
                raise too_large
            image.verify()
    except Image.DecompressionBombError as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise _refuse("scan_type", _("Không đọc được ảnh “%(upload_name)s”."), upload) from exc
    finally:
        upload.seek(0)


def stored_name(kind: str) -> str:
    """A generated storage name with the detected extension: nothing the uploader chose."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS[kind][0]}"


def inline_type(kind: str) -> bool:
    """Whether a stored file may be shown in the browser (PDF, images) or only downloaded."""
    return kind in EXTENSIONS
