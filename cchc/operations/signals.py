"""Sign-ins, failed sign-ins and sign-outs recorded (checklist item 28), with the address the
trusted proxy reports; the user's agency kept in the session for the usage counters."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from cchc.core.throttle import client_ip

from .models import AccessEvent
from .services import agency_key_of

SESSION_AGENCY = "operations_agency"


def _address(request: Any) -> str | None:
    """The client's address, or nothing when there is none (a sign-in made by a command)."""
    try:
        return str(ipaddress.ip_address(client_ip(request))) if request is not None else None
    except ValueError:
        return None


def _record(kind: str, request: Any, user: Any = None, username: str = "") -> None:
    address = _address(request)
    agent = request.headers.get("User-Agent", "")[:200] if request is not None else ""
    AccessEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", ""))[:150],
        at=timezone.now(),
        address=address or None,
        agent=agent,
    )


@receiver(user_logged_in, dispatch_uid="operations-sign-in")
def signed_in(sender: Any, request: Any, user: Any, **_kw: Any) -> None:
    _record(AccessEvent.Kind.SIGN_IN, request, user)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_AGENCY] = agency_key_of(user)


@receiver(user_logged_out, dispatch_uid="operations-sign-out")
def signed_out(sender: Any, request: Any, user: Any, **_kw: Any) -> None:
    if user is not None:
        _record(AccessEvent.Kind.SIGN_OUT, request, user)


@receiver(user_login_failed, dispatch_uid="operations-failed")
def failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_kw: Any) -> None:
    username = str(credentials.get("username", ""))
    if username:  # an OIDC return without a user is not a password guess
        _record(AccessEvent.Kind.FAILED, request, None, username)
