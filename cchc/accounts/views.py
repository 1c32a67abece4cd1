from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView, PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core import throttle
from cchc.core.errors import DomainError
from cchc.core.throttle import client_ip

from .models import ApiToken
from .services import change_password, issue_api_token, revoke_api_token


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A user's own integration tokens: create one (shown once) or revoke one."""
    new_key = None
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 100:
            messages.error(request, _("Hãy đặt tên cho mã truy cập (tối đa 100 ký tự)."))
        else:
            try:
                _token, new_key = issue_api_token(request.user, name, actor=request.user)  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                name = ""
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": tokens,
            "new_key": new_key,
            "name": name,
            "days": settings.CCHC_API_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # someone else's: 404
    revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    return redirect("accounts:api_tokens")


class PasswordChange(PasswordChangeView):
    """Change one's own password (staff and citizens); audited; the session stays valid."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        public = getattr(self.request.user, "is_public_account", False)
        context["base_template"] = "portal/base.html" if public else "base.html"
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = self.request.user
        change_password(user, form.cleaned_data["new_password1"], actor=user)  # type: ignore[arg-type]
        update_session_auth_hash(self.request, user)  # this session stays signed in
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return redirect(self.get_success_url())


class Login(LoginView):
    """Sign-in. Besides django-axes' lock per (username, address), failures from one address
    across all usernames are bounded too (password spraying), behind the trusted proxy's
    real client address."""

    PORTAL_PREFIXES = ("/dich-vu-cong/", "/tra-cuu/", "/khao-sat/")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The portal's frame when the sign-in leads back to the portal (a citizen's way in),
        the staff site's otherwise; both offer the way to the other side."""
        context = super().get_context_data(**kwargs)
        target = self.get_redirect_url() or ""
        portal = target.startswith(self.PORTAL_PREFIXES)
        context["base_template"] = "portal/base.html" if portal else "base.html"
        context["portal"] = portal
        context["vneid"] = settings.CCHC_VNEID
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"login:ip:{client_ip(request)}"
        limit, window = settings.CCHC_LOGIN_FAILURES_PER_IP, 1800
        if throttle.blocked(key, limit=limit, window_seconds=window):
            context = self.get_context_data(form=self.get_form())
            context["blocked"] = True
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form again: a failed sign-in
            throttle.hit(key, limit=limit, window_seconds=window)
        return response


class Logout(LogoutView):
    """Sign-out; a session opened through the national single sign-on (VNeID) also ends
    there, or the next "Đăng nhập bằng VNeID" would sign the person straight back in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT if settings.CCHC_VNEID else ""
        if not id_token or not endpoint:
            return response
        back = settings.CCHC_PUBLIC_BASE_URL.rstrip("/") + "/dich-vu-cong/"
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": back})
        return HttpResponseRedirect(f"{endpoint}?{query}")
