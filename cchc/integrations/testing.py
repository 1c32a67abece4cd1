"""Tests talk to the local simulators through Django's test client: the same views and the
same protocol as over a socket, inside the test's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from .transport import Transport


def _answer(response: Any) -> Any:
    try:
        return json.loads(response.content or b"{}")
    except ValueError:
        return {"text": response.content[:300].decode(errors="replace")}


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
    try:
        yield client
    finally:
        Transport.post_json, Transport.get_json = saved  # type: ignore[assignment]
