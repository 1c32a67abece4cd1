"""Uploaded scans, checked the same way wherever they arrive (desk, portal, API, evidence)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .errors import Invalid as ServiceError

ALLOWED_SCANS = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
}


def check_scan(upload: UploadedFile[bytes]) -> str:
    """The content type sniffed from the file's first bytes, or a ServiceError."""
    limit = settings.CCHC_SCAN_MAX_BYTES
    if upload.size and upload.size > limit:
        raise ServiceError(
            "scan_too_large",
            _("Tệp “%(upload_name)s” vượt quá %(megabytes)s MB.")
            % {"upload_name": upload.name, "megabytes": limit // (1024 * 1024)},
        )
    head = upload.read(8)
    upload.seek(0)
    for magic, kind in ALLOWED_SCANS.items():
        if head.startswith(magic):
            return kind
    raise ServiceError(
        "scan_type",
        _("Tệp “%(upload_name)s” không phải PDF, JPEG hoặc PNG nên không được nhận.")
        % {"upload_name": upload.name},
    )
