from django.core.management.base import BaseCommand

from cchc.reports.rollups import rebuild


class Command(BaseCommand):
    help = "Rebuild the monthly rollups of the dashboards from the dossiers (run from cron)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"Đã tính lại {rebuild()} dòng tổng hợp theo tháng.")
