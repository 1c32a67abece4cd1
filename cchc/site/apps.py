from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site's own wiring over every app: the staff home page, the reference and demo data
    loaders, the test fixtures. The only place allowed to import every app (ADR 0009)."""

    name = "cchc.site"
    label = "cchc_site"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from . import context  # noqa: F401  (connects the cache's invalidation)
