"""Draft the catalog from the national portal's procedure records, read live (issue 21)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.accounts.commands import actor_from, add_by_argument
from cchc.integrations.dvcqg import catalog
from cchc.procedures import sync


class Command(BaseCommand):
    help = (
        "Read procedure records from the National Public Service Portal (all it lists, or "
        "--code …) and make a draft of every procedure they change; unchanged ones stay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", action="append", default=None, help="a national code")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options)
        try:
            records = catalog.records(options["code"])
        except catalog.CatalogUnavailable as exc:
            raise CommandError(str(exc)) from exc
        report = sync.sync(records, actor=actor, dry_run=options["dry_run"])
        self.stdout.write(
            f"Đọc {len(records)} bản ghi từ Cổng dịch vụ công quốc gia: "
            f"{len(report.created)} thủ tục mới, {len(report.changed)} thay đổi, "
            f"{len(report.unchanged)} không đổi, {len(report.refused)} bị từ chối."
        )
        for n, code, why in report.refused:
            self.stdout.write(f"    bản ghi {n} ({code}): {why}")
