from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cchc.core.reminders import send_once
from cchc.operations import services
from cchc.operations.models import AccountNotice


class Command(BaseCommand):
    help = (
        "Lock staff accounts unused for CCHC_ACCOUNT_IDLE_DAYS and accounts whose postings "
        "have all ended (checklist item 37); their agencies' leaders are told. Run daily."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, lock nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        idle, ended = services.accounts_to_lock(today)
        for user, cause in [(u, "idle") for u in idle] + [(u, "ended") for u in ended]:
            name = user.full_name or user.username
            if cause == "idle":
                reason = f"Không sử dụng quá {services.settings.CCHC_ACCOUNT_IDLE_DAYS} ngày"
            else:
                reason = "Đã hết thời gian công tác tại cơ quan"
            self.stdout.write(f"{user.username}: {reason}")
            if options["dry_run"]:
                continue
            services.lock(user, reason, today=today)
            send_once(
                AccountNotice,
                {"account": user},
                services.leaders_of(user, today),
                f"lock:{user.pk}:{today.isoformat()}",
                f"[CCHC] Tài khoản {user.username} đã bị khóa",
                f"Tài khoản {user.username} ({name}) đã bị khóa ngày {today:%d/%m/%Y}: "
                f"{reason.lower()}. Nếu cán bộ còn cần sử dụng, đề nghị quản trị hệ thống mở "
                "lại tài khoản.",
            )
        self.stdout.write(f"{len(idle) + len(ended)} tài khoản")
