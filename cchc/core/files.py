"""Stored files leave only through views that checked the reader's scope: there is no public
`/media/`. In development Django streams the file; in production the web server does, told by
`X-Accel-Redirect` (nginx) or `X-Sendfile` (Apache) to an internal location that only it can
read (`CCHC_SENDFILE_HEADER`, `CCHC_SENDFILE_PREFIX`; docs/how-to/workflow.md has the nginx
snippet)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from .uploads import EXTENSIONS, inline_type

BY_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}


def kind_of(file: FieldFile) -> str:
    """The type of a stored file from its (generated) extension; anything else downloads."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    return BY_EXTENSION.get(extension, "application/octet-stream")


def stored_file_response(file: FieldFile, content_type: str = "", name: str = "") -> HttpResponse:
    """Send `file` with the type detected when it was accepted (never one guessed from the
    name the uploader chose): PDFs and images inline, anything else as a download."""
    if not file:
        raise Http404
    kind = content_type or kind_of(file)
    filename = name or file.name.rsplit("/", 1)[-1]
    header = settings.CCHC_SENDFILE_HEADER
    response: HttpResponse
    if header:
        response = HttpResponse(content_type=kind)
        response[header] = settings.CCHC_SENDFILE_PREFIX.rstrip("/") + "/" + quote(file.name)
        disposition = "inline" if inline_type(kind) else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    else:
        response = FileResponse(
            file.open("rb"),
            content_type=kind,
            as_attachment=not inline_type(kind),
            filename=filename,
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response
