import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cchc.core.audit import AuditProblem, anchor_from_json, verify_chains


class Command(BaseCommand):
    help = (
        "Recompute the audit chains with the audit keys and replay the signed anchors; "
        "exit 1 and list every edited, removed or recomputed event or chain."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--anchors",
            type=int,
            default=31,
            help="how many of the latest anchors to replay (0: all)",
        )
        parser.add_argument("--anchor-dir", default="", help="where the anchors are")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        folder = Path(options["anchor_dir"] or settings.CCHC_AUDIT_ANCHOR_DIR)
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if options["anchors"]:
            files = files[-options["anchors"] :]
        anchors, problems = [], []
        for path in files:
            try:
                anchors.append(anchor_from_json(path.read_text(encoding="utf-8"), path.name))
            except (ValueError, KeyError) as exc:
                problems.append(AuditProblem("*", None, f"{path.name}: {exc}"))
        problems += verify_chains(anchors)
        if not problems:
            self.stdout.write(
                f"Nhật ký thao tác toàn vẹn (đã đối chiếu {len(anchors)} mốc kiểm chứng)."
            )
            return
        for p in problems:
            self.stdout.write(f"{p.chain_key} #{p.sequence or '-'}: {p.message}")
        sys.exit(1)
