import sys

from django.core.management.base import BaseCommand

from cchc.core.audit import verify_chains


class Command(BaseCommand):
    help = "Recompute the audit hash chains; exit 1 and list every edited or removed event."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        problems = verify_chains()
        if not problems:
            self.stdout.write("Nhật ký thao tác toàn vẹn.")
            return
        for p in problems:
            self.stdout.write(f"{p.chain_key} #{p.sequence or '-'}: {p.message}")
        sys.exit(1)
