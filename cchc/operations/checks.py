"""`manage.py check --deploy`: what a production configuration of several processes lacks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs: Any, **kwargs: Any) -> list[Warning]:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            Warning(
                "Mỗi tiến trình web giữ bộ nhớ đệm riêng: giới hạn tra cứu sai, giới hạn gửi mã "
                "xác thực và thông báo bảo trì không dùng chung giữa các tiến trình và máy chủ.",
                hint="Đặt CACHE_URL=redis://<máy chủ>:6379/0 (docs/operations.md).",
                id="cchc.W201",
            )
        ]
    return []
