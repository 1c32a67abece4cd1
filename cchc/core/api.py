"""The API's error shape and its one mapping of domain errors (the assembly is `cchc/api.py`).

Errors are always `{"code": "...", "message": "<Vietnamese>", "details": ...}` with a 4xx
status; a malformed parameter never produces a 500.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .errors import DomainError


class ApiError(DomainError):
    """Raise from an endpoint to answer with an explicit status, code and message."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(code, message, details)
        self.status = status


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


def _field_name(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "form")]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    """The API's one mapping of errors: every app's `DomainError` by its status (invalid
    400/422, forbidden 403, not found 404, conflict 409), pydantic's 422, 401 and 404."""

    def error(request: HttpRequest, status: int, code: str, message: str, details: Any = None):
        return api.create_response(
            request, {"code": code, "message": message, "details": details}, status=status
        )

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"field": _field_name(e.get("loc", ())), "problem": e.get("type", "invalid")}
            for e in exc.errors
        ]
        names = ", ".join(d["field"] for d in details if d["field"]) or "?"
        return error(
            request,
            422,
            "invalid_parameter",
            _("Tham số không hợp lệ: %(names)s.") % {"names": names},
            details,
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(
            request, 401, "not_authenticated", _("Cần đăng nhập hoặc mã truy cập API hợp lệ.")
        )

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(request, 404, "not_found", _("Không tìm thấy dữ liệu yêu cầu."))

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        """Every app's refusal, one mapping: invalid 400/422, forbidden 403, not found 404,
        conflict 409."""
        return error(request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error(request, exc.status_code, "http_error", str(exc))
