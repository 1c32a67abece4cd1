"""API authentication: a personal token (`Authorization: Bearer cchc_…`) or the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cchc_…` — a per-user token, refused once revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=ApiToken.hash_key(token), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active or api_token.is_expired:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]
