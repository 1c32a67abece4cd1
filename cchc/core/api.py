"""API assembly: authentication, the JSON error shape, and the routers of every app.

Errors are always `{"code": "...", "message": "<Vietnamese>", "details": ...}` with a 4xx
status; a malformed parameter never produces a 500.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from cchc.accounts.models import ApiToken

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


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cchc_…` — a per-user token, refused once revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=ApiToken.hash_key(token), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]


def _field_name(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "form")]
    return ".".join(parts)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="cchc API",
        version="1",
        description="API của hệ thống giải quyết thủ tục hành chính và cải cách hành chính.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        urls_namespace="api-1",
    )

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

    from cchc.accounts.api import router as accounts_router
    from cchc.calendars.api import router as calendars_router
    from cchc.dossiers.api import router as dossiers_router
    from cchc.indices.api import router as indices_router
    from cchc.organizations.api import router as organizations_router
    from cchc.portal.api import router as intake_router
    from cchc.procedures.api import router as procedures_router
    from cchc.reform_plans.api import router as plans_router
    from cchc.reports.api import router as reports_router

    api.add_router("/", accounts_router)
    api.add_router("/", organizations_router)
    api.add_router("/calendar", calendars_router)
    api.add_router("/procedures", procedures_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/intake", intake_router)
    api.add_router("/reports", reports_router)
    api.add_router("/plans", plans_router)
    api.add_router("/indices", indices_router)
    return api
