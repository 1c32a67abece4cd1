"""Announced maintenance answered while it lasts, and the page and API use counted."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .signals import SESSION_AGENCY

EXEMPT = ("/static/", "/suc-khoe/", "/quan-tri/", "/dang-nhap/", "/dang-xuat/")


class MaintenanceMiddleware:
    """During a window: the maintenance page (503, Retry-After), the API a machine-readable
    503; administrators still get in, to check the work before the window closes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        window = services.current_window()
        user = getattr(request, "user", None)
        if (
            window is None
            or request.path.startswith(EXEMPT)
            or getattr(user, "is_superuser", False)
        ):
            return self.get_response(request)
        starts, ends, reason = window
        retry = str(max(60, math.ceil((ends - timezone.now()).total_seconds())))
        until = timezone.localtime(ends)
        message = _("Hệ thống đang bảo trì đến %(until)s: %(reason)s") % {
            "until": f"{until:%H:%M %d/%m/%Y}",
            "reason": reason,
        }
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"code": "maintenance", "message": message, "details": {"until": ends.isoformat()}},
                status=503,
            )
        else:
            response = render(
                request,
                "operations/maintenance.html",
                {"starts": starts, "ends": ends, "reason": reason},
                status=503,
            )
        response["Retry-After"] = retry
        return response


class UsageMiddleware:
    """Counts each request by month, the user's agency and the side it was on (item 28)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        side = services.side_of(request.path)
        if side is not None:
            services.usage.hit(self._agency(request), side)
        return response

    @staticmethod
    def _agency(request: HttpRequest) -> int:
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False) or getattr(user, "is_public_account", True):
            return 0
        session = getattr(request, "session", None)
        if session is None:
            return 0
        if SESSION_AGENCY not in session:  # signed in before the counters existed: once
            session[SESSION_AGENCY] = services.agency_key_of(user)
        return int(session[SESSION_AGENCY] or 0)
