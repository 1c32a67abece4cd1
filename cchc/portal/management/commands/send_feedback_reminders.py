from django.core.management.base import BaseCommand

from cchc.portal.reminders import run


class Command(BaseCommand):
    help = (
        "Remind the agencies handling citizens' feedback (PAKN) before an answer is due, and "
        "tell them and the reform office once it is overdue. Each person once; run daily."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"Đã gửi {run()} nhắc việc trả lời phản ánh, kiến nghị.")
