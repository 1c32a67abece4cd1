from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc.portal"
    verbose_name = _("Cổng dịch vụ công")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cchc.dossiers.bulk import register_child  # importable only once apps are ready

        register_child("portal_rating", {"dossier_id": "dossiers_dossier"})
