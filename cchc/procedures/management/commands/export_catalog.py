from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.procedures.exchange import export_xlsx, export_yaml


class Command(BaseCommand):
    help = "Export the published catalog to .xlsx or .yaml (by the file's extension)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["path"])
        if path.suffix == ".xlsx":
            path.write_bytes(export_xlsx())
        elif path.suffix in (".yaml", ".yml"):
            path.write_text(export_yaml(), encoding="utf-8")
        else:
            raise CommandError("Chỉ hỗ trợ tệp .xlsx hoặc .yaml")
        self.stdout.write(f"Đã xuất danh mục ra {path}")
