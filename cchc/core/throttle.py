"""Bounded attempts: lookups, verification codes, logins, ratings, feedback tracking.

Counters live in the database (`RateCounter`) so that every web worker shares them. A key
names what is limited ("lookup:ip:203.0.113.5", "code:to:0912345678"); a window is a fixed
slice of time, so a burst at a window's edge may reach twice the limit — acceptable for these
uses, and what keeps the check to one row.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .models import RateCounter


def _window(window_seconds: int) -> int:
    return int(timezone.now().timestamp()) // window_seconds


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key`; True when this attempt is over the limit.

    A caller that refuses the attempt must count it outside its own atomic block: a rollback
    of the refusal would drop the count with it (the verification-code bug of issue 15)."""
    window = _window(window_seconds)
    key = key[:160]
    with transaction.atomic():
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, count=1)
        except IntegrityError:
            RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
    count = (
        RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True).first()
    )
    return count is not None and count > limit


def blocked(key: str, *, limit: int, window_seconds: int) -> bool:
    """True when `key` already used up its attempts in this window (nothing is counted)."""
    count = (
        RateCounter.objects.filter(key=key[:160], window=_window(window_seconds))
        .values_list("count", flat=True)
        .first()
    )
    return count is not None and count >= limit


def take(limits: list[tuple[str, int, int]]) -> bool:
    """One attempt against several limits (key, limit, window in seconds) at once: False,
    counting nothing, when any of them is used up; else each counts the attempt."""
    if any(blocked(key, limit=limit, window_seconds=window) for key, limit, window in limits):
        return False
    for key, limit, window in limits:
        hit(key, limit=limit, window_seconds=window)
    return True


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind the province's reverse proxy (`CCHC_TRUSTED_PROXIES`),
    the right-most `X-Forwarded-For` entry that is not itself a trusted proxy; a header sent
    by anyone else is ignored, so a client cannot choose its own bucket."""
    remote = request.META.get("REMOTE_ADDR", "") or "?"
    trusted = settings.CCHC_TRUSTED_PROXIES
    if not trusted or not _in(remote, trusted):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([e.strip() for e in forwarded.split(",") if e.strip()]):
        if not _in(entry, trusted):
            return entry if _valid(entry) else remote
    return remote


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _in(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def axes_client_ip(request: HttpRequest) -> str | None:
    """The same address for django-axes, or None when there is none (a request built in
    code): axes stores it in an address column that refuses anything else."""
    address = client_ip(request)
    return address if _valid(address) else None
