"""Carry a merged system's accounts and finished dossiers over (checklist item 42)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cchc.accounts.commands import actor_from, add_by_argument
from cchc.operations import merger


class Command(BaseCommand):
    help = (
        "Check (and with --apply, import) another one-stop system's accounts and finished "
        "dossiers, keeping their codes. Format: docs/how-to/merger-import.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--system", default="", help="the source system's name")
        parser.add_argument("--json", action="append", default=[], help="a JSON document")
        parser.add_argument("--accounts", action="append", default=[], help="a CSV of accounts")
        parser.add_argument("--dossiers", action="append", default=[], help="a CSV of dossiers")
        parser.add_argument("--apply", action="store_true", help="write (default: a dry run)")
        parser.add_argument(
            "--partial", action="store_true", help="with --apply, import the valid rows anyway"
        )
        add_by_argument(parser)
        parser.add_argument("--report", default="", help="write the whole report (JSON) here")

    def handle(self, *args: Any, **options: Any) -> None:
        source = merger.Source(system=options["system"])
        actor = actor_from(options)
        try:
            for path in options["json"]:
                merger.read(Path(path), None, source)
            for kind in ("accounts", "dossiers"):
                for path in options[kind]:
                    merger.read(Path(path), kind, source)
            if not source.files:
                raise CommandError("Chưa chỉ tệp nào: --json, --accounts hoặc --dossiers.")
            batch = merger.run(
                source, apply=options["apply"], partial=options["partial"], actor=actor
            )
        except merger.FormatError as exc:
            raise CommandError(exc.message) from exc
        counts = batch.counts
        mode = "GHI VÀO HỆ THỐNG" if batch.applied else "CHẠY THỬ, CHƯA GHI GÌ"
        self.stdout.write(f"Nhập dữ liệu từ “{batch.system}” — {mode} (lần nhập số {batch.pk})")
        for label, n in merger.count_lines(counts):
            self.stdout.write(f"  {label}: {n}")
        for p in batch.problems[:50]:
            self.stdout.write(f"    {merger.problem_line(p)}")
        if len(batch.problems) > 50:
            self.stdout.write(f"    … và {len(batch.problems) - 50} dòng khác (xem --report)")
        if options["report"]:
            Path(options["report"]).write_text(
                json.dumps(
                    {
                        "system": batch.system,
                        "applied": batch.applied,
                        "counts": counts,
                        "problems": batch.problems,
                    },
                    ensure_ascii=False,
                    indent=2,
                ),
                encoding="utf-8",
            )
        if options["apply"] and not batch.applied:
            self.stdout.write(
                "Không ghi gì vì có dòng bị từ chối. Sửa tệp rồi chạy lại, "
                "hoặc thêm --partial để chỉ nhập các dòng hợp lệ."
            )
        if batch.applied and counts.get("dossiers_created"):
            call_command("rebuild_rollups", stdout=self.stdout)  # counted in their months
