from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from cchc.core.api import CSRF_MESSAGE
from cchc.dossiers.inbox import my_work
from cchc.dossiers.services.permissions import user_desks


def home(request: HttpRequest) -> HttpResponse:
    """Staff see their dashboard; visitors and citizen accounts go to the public portal."""
    if not request.user.is_authenticated:
        return redirect("portal:home")
    if getattr(request.user, "is_public_account", False):
        return redirect("portal:my_dossiers")
    return staff_home(request)


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The officer's own work first (what waits, what is due today or late, what to receive
    and hand back), then the way to everything else."""
    return render(
        request,
        "core/home.html",
        {"work": my_work(request.user), "receives": bool(user_desks(request.user))},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in Vietnamese and in the site's frame (or the API's shape)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "csrf_failed", "message": str(CSRF_MESSAGE), "details": None}, status=403
        )
    return render(request, "403_csrf.html", status=403)
