"""Apply a province's announcement decision to the catalog (issue 21)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.accounts.commands import actor_from, add_by_argument
from cchc.procedures import announcements


class Command(BaseCommand):
    help = (
        "Apply an announcement decision (JSON: number, signed_on, effective_from, items of "
        "code, action, level, agency): which procedures the province offers, where, from when."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options)
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {options['file']}: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("Tệp phải là một quyết định (đối tượng JSON).")
        try:
            report = announcements.apply(data, actor=actor, dry_run=options["dry_run"])
        except announcements.AnnouncementError as exc:
            raise CommandError(str(exc)) from exc
        if report.already:
            self.stdout.write(f"Quyết định {report.number} đã được nhập trước đây; không đổi gì.")
            return
        mode = "CHẠY THỬ, CHƯA GHI GÌ" if options["dry_run"] else "ĐÃ ÁP DỤNG"
        self.stdout.write(f"Quyết định {report.number} — {mode}")
        self.stdout.write(f"  Công bố phiên bản mới: {len(report.published)}")
        self.stdout.write(f"  Giữ phiên bản, ghi thẩm quyền: {len(report.offered)}")
        self.stdout.write(f"  Bãi bỏ: {len(report.abolished)}")
        self.stdout.write(f"  Bị từ chối: {len(report.refused)}")
        for n, code, why in report.refused:
            self.stdout.write(f"    mục {n} ({code}): {why}")
