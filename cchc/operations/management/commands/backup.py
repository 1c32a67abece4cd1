from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cchc.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (one consistent snapshot) and the stored files into an "
        "empty folder, with a manifest: row counts, file checksums, the audit chains' heads."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, help="an empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(Path(options["to"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["database"]["rows"].values())
        files = len(manifest["files"]["sha256"])
        self.stdout.write(f"{options['to']}: {rows} rows, {files} files")
