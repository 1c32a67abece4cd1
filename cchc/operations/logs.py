"""Structured logs: every record carries the request's id and the user's id (never a name, an
ID number or a query string); with CCHC_LOG_FORMAT=json, one JSON object a line
(python-json-logger) for the province's log collector."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="-")
user_id: ContextVar[str] = ContextVar("user_id", default="")
GIVEN = re.compile(r"^[A-Za-z0-9-]{8,64}$")  # an id nginx or a load balancer set

logger = logging.getLogger("cchc.request")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
            record.user_id = user_id.get()
        return True


class RequestIdMiddleware:
    """The request's id (the proxy's X-Request-ID, or a new one) on every log record and on
    the response; one line per request: method, route, path without its query, status, time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if GIVEN.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        user_token = user_id.set("")
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if getattr(user, "is_authenticated", False):
                user_id.set(str(user.pk))  # type: ignore[union-attr]
            match = getattr(request, "resolver_match", None)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,  # never the query string: lookup codes, tokens
                response.status_code,
                extra={
                    "request_id": rid,
                    "user_id": user_id.get(),
                    "route": (match.view_name if match else "") or "unmatched",
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            response["X-Request-ID"] = rid
            return response
        finally:
            request_id.reset(token)
            user_id.reset(user_token)
