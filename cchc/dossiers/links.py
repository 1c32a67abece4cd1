"""Addresses of the public site printed or sent by the workflow (receipt QR codes, SMS)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def public_url(name: str, **query: str) -> str:
    """An address of the public site from its URL name: the workflow names the page, the
    portal decides where it lives."""
    base = settings.CCHC_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{reverse(name)}" + (f"?{urlencode(query)}" if query else "")
