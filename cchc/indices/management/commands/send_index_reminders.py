from django.core.management.base import BaseCommand

from cchc.indices.reminders import run


class Command(BaseCommand):
    help = (
        "Remind agencies of the self-assessment deadline of the reform index; tell their "
        "leaders and the reform office when it passed unsubmitted. Each person once; run daily."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"Đã gửi {run()} nhắc việc tự đánh giá Chỉ số CCHC.")
