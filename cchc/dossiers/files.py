"""Serving a dossier's stored files (scans, the result) to those allowed to read them."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from cchc.core.uploads import inline_type

from . import constants as c
from .models import Dossier


def stored_file_response(file: FieldFile, content_type: str, name: str) -> FileResponse:
    """Stream `file` with the type detected when it was accepted (never one guessed from its
    name); only PDFs and images are shown inline, anything else is a download. The caller has
    checked the reader's scope."""
    if not file:
        raise Http404
    kind = content_type or "application/octet-stream"
    response = FileResponse(
        file.open("rb"),
        content_type=kind,
        as_attachment=not inline_type(kind),
        filename=name or file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def result_available(d: Dossier) -> bool:
    """The applicant gets the result (summary and file) once it exists: R-RETURN returns it
    on paper and electronically by default."""
    return d.status in (c.Status.RESULT_READY, c.Status.RETURNED) and d.outcome != c.Outcome.REFUSED


def result_response(d: Dossier) -> FileResponse:
    if not d.result_file:
        raise Http404
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(d.result_content_type, "pdf")
    return stored_file_response(
        d.result_file, d.result_content_type, f"ket-qua-{d.code or d.pk}.{extension}"
    )
