"""Serving a dossier's result to those allowed to read it (`core.files` sends it)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from cchc.core.files import stored_file_response

from . import constants as c
from .models import Dossier


def result_available(d: Dossier) -> bool:
    """The applicant gets the result (summary and file) once it exists: R-RETURN returns it
    on paper and electronically by default."""
    return d.status in (c.Status.RESULT_READY, c.Status.RETURNED) and d.outcome != c.Outcome.REFUSED


def signed_result_available(d: Dossier) -> bool:
    """The electronic result an applicant downloads is the signed one (R-RESULT-SIGNED)."""
    return result_available(d) and d.result_signed_at is not None and bool(d.result_file)


def result_response(d: Dossier) -> HttpResponse:
    if not d.result_file:
        raise Http404
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(d.result_content_type, "pdf")
    return stored_file_response(
        d.result_file, d.result_content_type, f"ket-qua-{d.code or d.pk}.{extension}"
    )
