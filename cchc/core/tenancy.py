"""Several provinces on one platform, one database each, behind the same code (issue 19).

A host name names a province's database (`CCHC_PROVINCE_HOSTS`, `DATABASE_URL_<ALIAS>`). For
the length of a request to that host, or of `in_province <alias> <command>`, the connection
Django calls "default" *is* that province's connection. A `DATABASE_ROUTERS` entry alone could
not do this: `transaction.atomic()`, `select_for_update()` inside it and the raw SQL of the
counters and the audit chain always take the default alias, so a router would split one
reception across two databases. Switching the default connection moves all of them at once,
and every other host keeps the default database.

What lives outside the database follows the same key: cache keys carry the alias
(`cache_key`, the CACHES key function), and the per-process caches of calendars and of the
authority's name are kept per alias (`current()`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse


def current() -> str:
    """The database this request or job works in ("default" unless switched)."""
    return str(connections[DEFAULT_DB_ALIAS].alias)


@contextlib.contextmanager
def province_database(alias: str) -> Iterator[None]:
    """Work in province `alias`'s database: the default connection is that one meanwhile."""
    if alias == current():
        yield
        return
    if alias not in settings.DATABASES:
        raise KeyError(f"no database {alias!r} (CCHC_PROVINCE_HOSTS, DATABASE_URL_{alias.upper()})")
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections[alias]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = original


def alias_for_host(host: str) -> str:
    name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()
    return settings.CCHC_PROVINCE_HOSTS.get(name, DEFAULT_DB_ALIAS)


class ProvinceDatabaseMiddleware:
    """A request to a province's host name works in that province's database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.CCHC_PROVINCE_HOSTS:
            return self.get_response(request)
        with province_database(alias_for_host(request.get_host())):
            return self.get_response(request)


def cache_key(key: str, key_prefix: str, version: Any) -> str:
    """Django's key, with the province's alias in it when not the default database."""
    alias = current()
    if alias == DEFAULT_DB_ALIAS:
        return f"{key_prefix}:{version}:{key}"
    return f"{key_prefix}:{version}:{alias}:{key}"
