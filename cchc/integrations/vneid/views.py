"""The two ends of the VNeID sign-in in this system: the start (to the provider, asking for
an identification level) and the provider's return."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cchc.accounts.services import identity_level

PROVIDER_ERRORS = {
    "access_denied": gettext_lazy("Ông/Bà đã hủy đăng nhập bằng VNeID."),
    "unmet_authentication_requirements": gettext_lazy(
        "Tài khoản VNeID chưa đạt mức định danh được yêu cầu (mức 2). Ông/Bà đăng ký định "
        "danh điện tử mức 2 tại cơ quan Công an rồi đăng nhập lại."
    ),
    "login_required": gettext_lazy("Ông/Bà chưa đăng nhập VNeID."),
}


def _enabled() -> None:
    if not settings.CCHC_VNEID:
        raise Http404


class VneidStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """`?muc=2` asks the provider for identification level 2 (acr_values)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _enabled()
        return super().get(request)  # type: ignore[no-any-return]

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        level = request.GET.get("muc", "1")
        acr = settings.CCHC_VNEID_ACR.get(level) or settings.CCHC_VNEID_ACR.get("1")
        return {"acr_values": acr} if acr else {}


class VneidCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    # no sign-in under way in this browser (an old tab, a return forged or replayed)
    EXPIRED = gettext_lazy("Phiên đăng nhập VNeID đã hết hạn. Ông/Bà vui lòng đăng nhập lại.")

    def get(self, request: HttpRequest) -> HttpResponse:
        _enabled()
        self.linking = request.user.is_authenticated
        error = request.GET.get("error")
        if error:
            # unlike the library, a cancelled sign-in does not sign the person out
            states = request.session.get("oidc_states") or {}
            if states.pop(request.GET.get("state", ""), None) is not None:
                request.session["oidc_states"] = states
            return self.refused(
                str(PROVIDER_ERRORS.get(error, ""))
                or _("VNeID từ chối đăng nhập. Ông/Bà vui lòng thử lại sau ít phút.")
            )
        try:
            return super().get(request)  # type: ignore[no-any-return]
        except SuspiciousOperation:  # an unknown or reused state: an old tab, a forged return
            return self.refused(self.EXPIRED)

    def refused(self, message: Any) -> HttpResponse:
        messages.error(self.request, message)
        if self.request.user.is_authenticated:
            return HttpResponseRedirect(reverse("portal:my_dossiers"))
        next_url = self.request.session.get("oidc_login_next") or reverse("portal:home")
        return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, "vneid_refusal", None)
        return self.refused(refusal.message if refusal is not None else self.EXPIRED)

    def login_success(self) -> HttpResponse:
        level = identity_level(self.user)
        if self.linking:
            messages.success(
                self.request, _("Đã liên kết tài khoản VNeID (mức %(level)s).") % {"level": level}
            )
        else:
            messages.success(
                self.request,
                _("Đã đăng nhập bằng tài khoản định danh điện tử VNeID (mức %(level)s).")
                % {"level": level},
            )
        return super().login_success()  # type: ignore[no-any-return]

    @property
    def success_url(self) -> Any:
        return self.request.session.get("oidc_login_next") or reverse("portal:my_dossiers")
