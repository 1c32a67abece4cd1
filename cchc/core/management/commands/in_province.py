"""Run any command in one province's database (several provinces on one platform)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cchc.core.tenancy import province_database


class Command(BaseCommand):
    help = (
        "manage.py in_province <alias> <command> [args…]: run <command> with the province's "
        "database as the default one (reference data, daily jobs, the worker, imports)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("alias", help="the database alias named in CCHC_PROVINCE_HOSTS")
        parser.add_argument("command", help="the command to run")
        parser.add_argument("args", nargs="*", help="its arguments (after --)")

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["alias"]
        if alias not in settings.DATABASES or alias == "replica":
            raise CommandError(
                f"Không có cơ sở dữ liệu “{alias}” (CCHC_PROVINCE_HOSTS, "
                f"DATABASE_URL_{alias.upper()})."
            )
        with province_database(alias):
            call_command(options["command"], *args)
