"""Test helpers of the platform core."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def outside_the_app() -> Iterator[None]:
    """Tamper with rows as an intruder with database access would: on PostgreSQL the
    append-only triggers are bypassed for the block (session_replication_role = replica, a
    superuser's power), so that the tests can show what verification then finds."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
