from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.procedures.exchange import import_records, read_xlsx, read_yaml


class Command(BaseCommand):
    help = (
        "Import a catalog from .xlsx or .yaml: new procedures are created, changed ones superseded."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            if path.suffix == ".xlsx":
                records = read_xlsx(path.read_bytes())
            else:
                records = read_yaml(path.read_text(encoding="utf-8"))
            result = import_records(records, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(", ".join(f"{k}={v}" for k, v in result.items()))
