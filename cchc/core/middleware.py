"""Request-wide rules: Vietnamese first, domain refusals as pages, input guards, idle staff
sessions."""

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _

from .errors import DomainError


class VietnameseFirstMiddleware:
    """Drop the browser's Accept-Language so LocaleMiddleware falls back to `vi`.

    A user who picks English in the menu gets it through the language cookie; a visitor whose
    browser happens to be English still sees the official Vietnamese interface.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DomainErrorMiddleware:
    """The page side of the one error mapping (the API's is in `cchc.core.api`): a domain
    refusal a view did not handle itself becomes a 4xx page with its Vietnamese message —
    never a 500. Invalid → 400, forbidden → 403, not found → 404, conflict → 409."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        public = request.path.startswith("/dich-vu-cong/") or getattr(
            getattr(request, "user", None), "is_public_account", False
        )
        return render(
            request,
            "portal/refused.html" if public else "refused.html",  # citizens keep the portal's frame
            {"message": exception.message, "code": exception.code},
            status=exception.status,
        )


NUL_MARKERS = (b"%00", b"\\u0000", b"\x00")


def _has_nul(request: HttpRequest) -> bool:
    """A NUL character anywhere a user can put text: it cannot be stored in PostgreSQL and
    has no place in a form or a JSON document."""
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in v for values in request.GET.lists() for v in values[1]):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        try:
            fields = request.POST.lists()
        except MultiPartParserError:
            return True  # a body that cannot be parsed is refused the same way
        return any("\x00" in v for _k, values in fields for v in values)
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return any(marker in body.lower() for marker in NUL_MARKERS)
    return False


class RequestGuardMiddleware:
    """Turns away what no view should see, before any view runs: NUL characters in the
    address, the query or the body (400 in Vietnamese, or the API's JSON error shape).
    Adds the Permissions-Policy header (no camera, microphone, location, payment APIs)."""

    PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            response = refuse(
                request,
                400,
                "invalid_characters",
                _("Dữ liệu gửi lên chứa ký tự không hợp lệ hoặc không đọc được."),
            )
        else:
            response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response


def refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """A refusal before (or outside) a view: JSON in the API's shape under /api/, else a
    plain Vietnamese page (no template context that could itself fail)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "details": None}, status=status)
    return HttpResponse(
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{status}</title>'
        f"<p>{escape(message)}</p></html>",
        status=status,
    )


class StaffIdleTimeoutMiddleware:
    """Officials are signed out after `CCHC_STAFF_IDLE_MINUTES` without a request (a desk
    computer left open); the last activity is written at most once a minute."""

    KEY = "cchc_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_public_account:
            now = int(time.time())
            seen = request.session.get(self.KEY)
            limit = settings.CCHC_STAFF_IDLE_MINUTES * 60
            if isinstance(seen, int) and now - seen > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return refuse(request, 401, "session_expired", _("Phiên làm việc đã hết hạn."))
                messages.info(
                    request,
                    _("Phiên làm việc đã hết hạn do lâu không thao tác; hãy đăng nhập lại."),
                )
                return redirect_to_login(request.get_full_path())
            if not isinstance(seen, int) or now - seen >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class StaffAreaMiddleware:
    """Citizen and organisation accounts stay on the public side: a staff page (registry,
    catalog administration, dossier lists, reports, plans, indices) sends them to the portal.
    The public side is listed in `CCHC_PUBLIC_PATHS` (prefixes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and getattr(user, "is_public_account", False)
            and request.path != "/"
            and not request.path.startswith(tuple(settings.CCHC_PUBLIC_PATHS))
        ):
            for pattern, name in settings.CCHC_PUBLIC_REDIRECTS:
                match = re.match(pattern, request.path)
                if match:  # the portal's own page checks the object is theirs
                    return redirect(name, **match.groupdict())
            return redirect("portal:home")
        return self.get_response(request)
