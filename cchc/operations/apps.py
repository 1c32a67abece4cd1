from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "cchc.operations"
    label = "operations"
    verbose_name = _("Vận hành hệ thống")

    def ready(self) -> None:
        from . import checks, metrics, signals  # noqa: F401 - receivers register themselves

        metrics.register()
