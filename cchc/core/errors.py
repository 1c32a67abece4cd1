"""One family of domain errors for every app (ADR 0009).

A service refuses with one of these; the API maps `status` to the HTTP answer and the pages
show `message` (Vietnamese, through gettext) beside what the user typed. `code` is the
machine-readable reason and `details` (optional) says which fields are at fault.

- `Invalid` (400; 422 where the API's own parameters are malformed): the input is wrong;
- `Forbidden` (403): the user may not do this;
- `NotFound` (404): the object does not exist or is outside the user's scope;
- `Conflict` (409): the object is not in a state that allows it (or changed meanwhile);
- `TooMany` (429): too many attempts in a while (codes, lookups); try again later.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused action, with a machine code and a message for the user."""

    status = 400

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, str(message), details


class Invalid(DomainError):
    status = 400


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooMany(DomainError):
    status = 429


def as_error(status: int, code: str, message: str, details: Any = None) -> DomainError:
    """The family member for an HTTP status (for callers that decide the status themselves)."""
    kind = {403: Forbidden, 404: NotFound, 409: Conflict, 429: TooMany}.get(status, DomainError)
    error = kind(code, message, details)
    error.status = status
    return error
