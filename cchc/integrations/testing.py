"""Tests talk to the local simulators through Django's test client: the same views and the
same protocol as over a socket, inside the test's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from mozilla_django_oidc import auth as oidc_auth

from .transport import Transport


def _answer(response: Any) -> Any:
    try:
        return json.loads(response.content or b"{}")
    except ValueError:
        return {"text": response.content[:300].decode(errors="replace")}


class _Response:
    """What mozilla-django-oidc reads of a `requests` response."""

    def __init__(self, response: Any, url: str) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self.text = response.content.decode(errors="replace")
        self.headers = {k.lower(): v for k, v in response.headers.items()}
        self.url = url

    def json(self) -> Any:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            import requests

            raise requests.HTTPError(f"{self.status_code} for {self.url}", response=self)


class _Requests:
    """`requests.get`/`post` as the OIDC library calls them, through the test client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str, headers: dict[str, str] | None = None, **_kw: Any) -> _Response:
        parts = urlsplit(url)
        return _Response(self.client.get(f"{parts.path}?{parts.query}", headers=headers), url)

    def post(self, url: str, data: Any = None, auth: Any = None, **_kw: Any) -> _Response:
        headers = {}
        if auth is not None:
            import base64

            pair = f"{auth.username}:{auth.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return _Response(self.client.post(urlsplit(url).path, data or {}, headers=headers), url)


@pytest.fixture
def simulators() -> Iterator[Client]:
    """Route the adapters' HTTP to the simulators mounted in this process."""
    client = Client()
    saved = (Transport.post_json, Transport.get_json)

    def post_json(
        url: str, body: dict[str, Any], headers: dict[str, str], timeout: float
    ) -> tuple[int, dict[str, Any]]:
        response = client.post(
            urlsplit(url).path, json.dumps(body), content_type="application/json", headers=headers
        )
        return response.status_code, _answer(response)

    def get_json(url: str, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
        parts = urlsplit(url)
        response = client.get(f"{parts.path}?{parts.query}", headers=headers)
        return response.status_code, _answer(response)

    Transport.post_json = staticmethod(post_json)  # type: ignore[assignment]
    Transport.get_json = staticmethod(get_json)  # type: ignore[assignment]
    oidc_requests = oidc_auth.requests
    oidc_auth.requests = _Requests(client)
    try:
        yield client
    finally:
        Transport.post_json, Transport.get_json = saved  # type: ignore[assignment]
        oidc_auth.requests = oidc_requests
