from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import services


def maintenance(request: HttpRequest) -> dict[str, Any]:
    """The announced maintenance window, for the notice on every page."""
    window = services.announced_window()
    if window is None:
        return {}
    starts, ends, reason = window
    return {"maintenance": {"starts": starts, "ends": ends, "reason": reason}}
