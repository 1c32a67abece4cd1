"""What every page shows about whose system this is: the province (or the name a deployment
sets in `CCHC_AUTHORITY_NAME`) and its emblem."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject

from cchc.core import tenancy
from cchc.reform_plans.permissions import is_official

_cache: dict[str, tuple[float, str]] = {}


def authority_name() -> str:
    """The deployment's province as the registry names it ("Tỉnh Sơn La", the province of
    `CCHC_DEFAULT_PROVINCE_CODE`), or `CCHC_AUTHORITY_NAME` when set (several provinces on
    one deployment, a ministry). Read once an hour per process, and again after an area is
    saved."""
    if settings.CCHC_AUTHORITY_NAME:
        return settings.CCHC_AUTHORITY_NAME
    key = tenancy.current()  # several provinces on one platform: one name each
    hit = _cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    from cchc.calendars.services import default_province

    province = default_province()
    name = province.name if province is not None else ""
    _cache[key] = (time.monotonic() + 3600, name)  # and forgotten when an area changes
    return name


def identity(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "authority_name": authority_name(),
        "emblem_url": settings.CCHC_EMBLEM_URL or static("cchc/emblem.svg"),
        # the staff menu is for officials (an assignment today, or an administrator): an
        # account without one is told so rather than offered pages that refuse it
        "official": SimpleLazyObject(lambda: user is not None and is_official(user)),
        # the Ministry's usage-measurement script on the portal (checklist item 33)
        "emc_script_url": settings.CCHC_EMC_SCRIPT_URL,
        "emc_site_code": settings.CCHC_EMC_SITE_CODE,
    }


@receiver([post_save, post_delete], sender="organizations.AdministrativeArea")
def _forget(**kwargs: Any) -> None:
    _cache.clear()
