"""The API's error shape and its one mapping of domain errors (the assembly is `cchc/api.py`).

Errors are always `{"code": "...", "message": "<Vietnamese>", "details": ...}` with a 4xx
status; a malformed parameter never produces a 500.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Annotated, Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.pagination import LimitOffsetPagination
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from .errors import DomainError

logger = logging.getLogger("cchc.api")
CSRF_MESSAGE = gettext_lazy(
    "Thiếu hoặc sai mã chống giả mạo (CSRF): hãy tải lại trang, hoặc dùng mã truy cập API."
)


class ApiError(DomainError):
    """Raise from an endpoint to answer with an explicit status, code and message."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(code, message, details)
        self.status = status


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


def _iso_day(value: Any) -> Any:
    """Only `YYYY-MM-DD` (pydantic alone takes 0 as 01/01/1970), in years 1900–2200."""
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("date must be YYYY-MM-DD")
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError("date must be YYYY-MM-DD")
    if not 1900 <= value.year <= 2200:
        raise ValueError("year out of range")
    return value


def _clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


# A calendar day in ISO form; a Vietnam wall-clock time shown as HH:MM.
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Clock = Annotated[
    dt.time,
    PlainSerializer(_clock, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "HH:MM"}
    ),
]
# A database row id or a year, bounded so that no query parameter can overflow a column.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Year = Annotated[int, Field(ge=1990, le=2100)]
Revision = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Page(LimitOffsetPagination):
    """Every list's pagination: at most 500 rows a page and offsets a database can hold."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)


# Answers any operation may give, in the error shape, besides the ones it documents.
STANDARD_ERRORS = {
    "400": "Dữ liệu không hợp lệ",
    "401": "Chưa xác thực",
    "403": "Không có quyền",
    "404": "Không tìm thấy",
    "409": "Trạng thái không cho phép",
    "413": "Nội dung gửi lên quá lớn (máy chủ web)",
    "414": "Địa chỉ yêu cầu quá dài (máy chủ web)",
    "422": "Tham số không hợp lệ",
    "429": "Quá nhiều yêu cầu",
}
WEB_SERVER_ERRORS = {"413", "414"}
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".csv": "text/csv",
}


class LocalSwagger(Swagger):
    """Swagger UI from the npm package `swagger-ui-dist`, served from our static files,
    started by a static script (the CSP refuses inline code; nothing comes from a CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, "core/swagger.html", context)


class CchcApi(NinjaAPI):
    """The project's NinjaAPI: every operation documents the error answers of
    `install_error_handlers` in the `ErrorOut` shape, and file downloads their media type."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorOut", ErrorOut.model_json_schema()
        )
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                # ninja's status codes are integers, ours strings: one key per status, or the
                # JSON carries "400" twice and Swagger UI refuses the whole document
                responses = {str(status): value for status, value in operation["responses"].items()}
                operation["responses"] = responses
                for status, text in STANDARD_ERRORS.items():
                    # 413 and 414 come from the web server in front, as its own HTML page
                    content = (
                        {"text/html": {"schema": {"type": "string"}}}
                        if status in WEB_SERVER_ERRORS
                        else {"application/json": {"schema": error_ref}}
                    )
                    responses.setdefault(status, {"description": text, "content": content})
                ok = responses.get("200", {})
                media = file_type(path, operation)
                if media and method == "get":
                    ok["content"] = {media: {"schema": {"type": "string", "format": "binary"}}}
                    ok.setdefault("description", "OK")
                    responses["200"] = ok
        return schema


def file_type(path: str, operation: dict[str, Any]) -> str:
    """The media type of a download, from the path's extension or the summary's mention."""
    for ext, media in FILE_TYPES.items():
        if path.endswith(ext):
            return media
    if path.endswith(".{fmt}"):
        return "application/octet-stream"
    if operation.get("x-file-type"):
        return str(operation["x-file-type"])
    return ""


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
        """django-ninja's own refusals, in Vietnamese."""
        text = str(exc)
        if text.startswith("Cannot parse request body"):
            code, message = (
                "unparsable_body",
                _("Không đọc được nội dung yêu cầu (cần JSON hợp lệ)."),
            )
        elif text.startswith("CSRF check"):
            code, message = "csrf_failed", str(CSRF_MESSAGE)
        else:
            code, message = "http_error", _("Yêu cầu không được chấp nhận.")
        return error(request, exc.status_code, code, message)

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A value the database cannot hold (a number beyond 64 bits, a NUL character) that
        slipped past the schemas: the client's mistake, not the server's."""
        logger.warning("API value out of range: %s", exc)
        return error(request, 400, "out_of_range", _("Giá trị vượt quá giới hạn cho phép."), None)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A defect: logged with its trace, answered in the API's shape without details."""
        logger.exception("API error on %s %s", request.method, request.path)
        return error(
            request,
            500,
            "server_error",
            _("Hệ thống gặp lỗi khi xử lý yêu cầu; lỗi đã được ghi lại. Vui lòng thử lại sau."),
        )


def not_found(request: HttpRequest) -> HttpResponse:
    """Any address under /api/ that no operation matches: 404 in the API's shape, not the
    site's HTML page."""
    return JsonResponse(
        {"code": "not_found", "message": _("Không tìm thấy địa chỉ API này."), "details": None},
        status=404,
    )
