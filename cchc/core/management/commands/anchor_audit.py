from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone

from cchc.core.audit import anchor_to_json, make_anchor


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of every audit chain's head outside the database "
        "(CCHC_AUDIT_ANCHOR_DIR, and mail to CCHC_AUDIT_ANCHOR_MAIL); run daily."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        anchor = make_anchor()
        text = anchor_to_json(anchor)
        folder = settings.CCHC_AUDIT_ANCHOR_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{timezone.now():%Y%m%dT%H%M%S%fZ}.json"
        path.write_text(text + "\n", encoding="utf-8")
        if settings.CCHC_AUDIT_ANCHOR_MAIL:
            send_mail(
                "[cchc] Mốc kiểm chứng nhật ký thao tác",
                "Lưu giữ nguyên văn dòng dưới đây để kiểm chứng nhật ký thao tác:\n\n" + text,
                None,
                settings.CCHC_AUDIT_ANCHOR_MAIL,
            )
        self.stdout.write(f"{path}: {anchor.chains} chuỗi, {anchor.events} sự kiện.")
