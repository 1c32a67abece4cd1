from django.core.management.base import BaseCommand

from cchc.dossiers.alerts import send_alerts


class Command(BaseCommand):
    help = (
        "Warn officers before due moments, when steps are overdue and when a dossier is "
        "stalled. Idempotent: each warning is sent once. Run every 15–30 minutes (cron/timer)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sent = send_alerts()
        self.stdout.write(
            f"Đã gửi: {sent['deadline']} cảnh báo sắp đến hạn, {sent['overdue']} quá hạn, "
            f"{sent['stalled']} hồ sơ chậm xử lý, {sent['online_new']} hồ sơ trực tuyến mới, "
            f"{sent['online_late']} hồ sơ trực tuyến quá 8 giờ làm việc."
        )
