"""Vietnamese first: the interface language changes only when the user chooses it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import DomainError


class VietnameseFirstMiddleware:
    """Drop the browser's Accept-Language so LocaleMiddleware falls back to `vi`.

    A user who picks English in the menu gets it through the language cookie; a visitor whose
    browser happens to be English still sees the official Vietnamese interface.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DomainErrorMiddleware:
    """The page side of the one error mapping (the API's is in `cchc.core.api`): a domain
    refusal a view did not handle itself becomes a 4xx page with its Vietnamese message —
    never a 500. Invalid → 400, forbidden → 403, not found → 404, conflict → 409."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        public = request.path.startswith("/dich-vu-cong/") or getattr(
            getattr(request, "user", None), "is_public_account", False
        )
        return render(
            request,
            "portal/refused.html" if public else "refused.html",  # citizens keep the portal's frame
            {"message": exception.message, "code": exception.code},
            status=exception.status,
        )
