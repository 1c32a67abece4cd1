"""The authentication backend: mozilla-django-oidc's code flow, our account rules."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import Refused, identity_from, sign_in

logger = logging.getLogger(__name__)


def refuse(request: Any, code: str, message: str) -> None:
    """Leave the reason on the request for the callback view to show."""
    request.vneid_refusal = Refused(code, message)


class VneidBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None  # a password sign-in: not ours
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation, ValueError) as exc:
            # the provider down, a forged or expired token, a replayed nonce: no sign-in
            logger.warning("VNeID sign-in failed: %s", type(exc).__name__)
            refuse(
                request,
                "provider",
                _("Không xác thực được với VNeID. Ông/Bà vui lòng thử lại sau ít phút."),
            )
            return None

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature, expiry and nonce; the audience is checked here
        (a token the provider issued to another service is not a sign-in to this one)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued to another client")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # identity_from decides, with a reason

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") not in (None, payload.get("sub")):
            raise SuspiciousOperation("userinfo for another subject")  # OIDC Core 5.3.2
        claims = {**payload, **userinfo}
        try:
            identity = identity_from(claims)
            return sign_in(identity, current=getattr(self.request, "user", None))
        except Refused as refusal:
            self.request.vneid_refusal = refusal
            return None
