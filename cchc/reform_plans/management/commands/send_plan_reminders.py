from django.core.management.base import BaseCommand

from cchc.reform_plans.reminders import run


class Command(BaseCommand):
    help = (
        "Remind lead agencies of reporting and task deadlines; tell leaders and the reform "
        "office of missing reports and overdue tasks. Each person once per occasion; run daily."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"Đã gửi {run()} nhắc việc, cảnh báo kế hoạch CCHC.")
