from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "cchc.organizations"
    label = "organizations"
    verbose_name = _("Địa bàn và cơ quan")
