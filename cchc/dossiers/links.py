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


VERIFY_SALT = "cchc.verify"
VERIFY_KINDS = {"result": "r", "form": "f"}


def verify_token(kind: str, pk: int) -> str:
    """The unguessable part of a document's verification address (signed, so that nobody
    walks through the documents by changing a number)."""
    from django.core import signing

    return signing.dumps([VERIFY_KINDS[kind], pk], salt=VERIFY_SALT, compress=True)


def read_verify_token(token: str) -> tuple[str, int] | None:
    """(kind, id) of a verification token; None when it is not one of ours."""
    from django.core import signing

    try:
        code, pk = signing.loads(token, salt=VERIFY_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    kinds = {v: k for k, v in VERIFY_KINDS.items()}
    if code not in kinds or not isinstance(pk, int):
        return None
    return kinds[code], pk


def verify_url(kind: str, pk: int) -> str:
    """The public page that tells what a signed document is and checks a copy of it."""
    base = settings.CCHC_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{reverse('verify', args=[verify_token(kind, pk)])}"
