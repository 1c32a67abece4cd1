"""HTTP for the adapters: one function, so that tests can route it through Django's test
client to the local simulators (the same views, the same protocol) instead of a socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from .outbox import DeliveryError

PostJson = Callable[[str, dict[str, Any], dict[str, str], float], tuple[int, dict[str, Any]]]


def http_post_json(
    url: str, body: dict[str, Any], headers: dict[str, str], timeout: float
) -> tuple[int, dict[str, Any]]:
    try:
        response = requests.post(url, json=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:  # refused, timed out, reset: try again later
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    try:
        data = response.json()
    except ValueError:
        data = {"text": response.text[:300]}
    return response.status_code, data if isinstance(data, dict) else {"data": data}


def http_get_json(url: str, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
        return response.status_code, response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc


class Transport:
    """The functions in use; tests swap them (`cchc.integrations.testing`)."""

    post_json: PostJson = staticmethod(http_post_json)  # type: ignore[assignment]
    get_json: Callable[[str, dict[str, str], float], tuple[int, Any]] = staticmethod(http_get_json)  # type: ignore[assignment]
