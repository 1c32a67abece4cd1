from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured (empty) database and file store, then check it "
        "against its manifest: row counts, file checksums and the audit chains. Exit 1 on any "
        "difference."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", required=True, help="the backup folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            problems = restore(Path(options["source"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in problems:
            self.stdout.write(problem)
        self.stdout.write(f"{len(problems)} problems")
        if problems:
            raise SystemExit(1)
