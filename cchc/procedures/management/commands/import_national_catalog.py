"""Draft the catalog's procedures from national procedure records (CSDL TTHC, issue 21)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.accounts.commands import actor_from, add_by_argument
from cchc.procedures import national, sync


class Command(BaseCommand):
    help = (
        "Read national procedure records (JSON: the portal's LayThuTuc answer, a list or one "
        "record; or an .xlsx list of procedures) and make a draft of every procedure they "
        "change; unchanged ones stay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options)
        records: list[dict[str, Any]] = []
        for name in options["files"]:
            try:
                if name.lower().endswith(".xlsx"):
                    records += national.records_from_xlsx(Path(name).read_bytes())
                    continue
                records += national.records_of(
                    json.loads(Path(name).read_text(encoding="utf-8-sig"))
                )
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(f"Không đọc được tệp {name}: {exc}") from exc
            except national.RecordError as exc:
                raise CommandError(f"{name}: {exc}") from exc
        report = sync.sync(records, actor=actor, dry_run=options["dry_run"])
        mode = "CHẠY THỬ, CHƯA GHI GÌ" if options["dry_run"] else "ĐÃ TẠO DỰ THẢO"
        self.stdout.write(f"Đọc {len(records)} bản ghi thủ tục quốc gia — {mode}")
        self.stdout.write(f"  Thủ tục mới (dự thảo): {len(report.created)}")
        self.stdout.write(f"  Thủ tục thay đổi (dự thảo chờ duyệt): {len(report.changed)}")
        self.stdout.write(f"  Không thay đổi: {len(report.unchanged)}")
        self.stdout.write(f"  Bị từ chối: {len(report.refused)}")
        for n, code, why in report.refused:
            self.stdout.write(f"    bản ghi {n} ({code}): {why}")
        for code in report.created + report.changed:
            self.stdout.write(f"    xem và công bố: /thu-tuc/{code}/")
