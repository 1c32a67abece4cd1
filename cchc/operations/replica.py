"""Reports and dashboards read from a streaming replica when one is configured
(REPLICA_DATABASE_URL): a database router sends the reads of a request marked for it to the
"replica" alias, and the page says how far behind the replica is."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

from cchc.core import tenancy

reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def has_replica() -> bool:
    """A replica of the default database, and this request works in that database (another
    province's database has no replica here)."""
    return "replica" in settings.DATABASES and tenancy.current() == DEFAULT_DB_ALIAS


@contextlib.contextmanager
def from_replica() -> Iterator[None]:
    token = reading_replica.set(has_replica())
    try:
        yield
    finally:
        reading_replica.reset(token)


class ReplicaRouter:
    """Reads go to the replica inside `from_replica()`; writes, migrations and everything
    else stay on the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "replica" if reading_replica.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != "replica"  # the primary and the provinces' databases


class ReplicaReadsMiddleware:
    """GET requests to the report pages (CCHC_REPLICA_PATHS) read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            has_replica()
            and request.method == "GET"
            and request.path.startswith(tuple(settings.CCHC_REPLICA_PATHS))
        ):
            with from_replica():
                request.reading_replica = True  # type: ignore[attr-defined]
                return self.get_response(request)
        return self.get_response(request)


def lag_seconds() -> float | None:
    """How far the replica's data is behind the primary (cached ten seconds)."""
    if not has_replica():
        return None
    found = cache.get("operations:replica_lag")
    if found is None:
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)"
                " WHERE pg_is_in_recovery()"
            )
            row = cursor.fetchone()
        found = float(row[0]) if row else 0.0
        cache.set("operations:replica_lag", found, 10)
    return found


def context(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "reading_replica", False):
        return {}
    return {"replica_lag": lag_seconds()}
