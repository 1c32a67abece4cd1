"""Vietnamese first: the interface language changes only when the user chooses it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
