import datetime as dt
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.calendars.services import province_by_code
from cchc.dossiers.bulk import clone_history
from cchc.dossiers.models import Dossier
from cchc.dossiers.workload import Generator, Options


def province_code(slug_or_code: str) -> str:
    for path in sorted(Path(settings.CCHC_DATA_DIR, "provinces").glob("*/province.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if slug_or_code in (data.get("slug"), str(data.get("province_code"))):
            return str(data["province_code"])
    raise CommandError(f"Không có dữ liệu tỉnh “{slug_or_code}” trong data/provinces/.")


class Command(BaseCommand):
    help = (
        "Generate a realistic, deterministic history of dossiers through the workflow services "
        "(receptions, supplements, pauses, apologies, withdrawals, returns). Demo/bench only."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--province", default="son-la")
        parser.add_argument(
            "--from", dest="start", default="", help="YYYY-MM-DD (default: --days ago)"
        )
        parser.add_argument(
            "--days", type=int, default=45, help="without --from: how many days back to start"
        )
        parser.add_argument("--to", dest="end", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when dossiers already exist in the period",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiplier of the base rates (dossiers per desk per working day)",
        )
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument(
            "--staffed-factor",
            type=float,
            default=1.0,
            help="multiply the rate of desks where someone is posted (richer demo inboxes)",
        )
        parser.add_argument(
            "--clone-to",
            type=int,
            default=0,
            help="bulk path (PostgreSQL): then clone the window's finished dossiers back in time, "
            "whole weeks at a time, until this many dossiers exist",
        )
        parser.add_argument(
            "--clones-per-week",
            type=int,
            default=4,
            help="with --clone-to: copies of the window placed in each earlier week",
        )
        parser.add_argument(
            "--clone-workers",
            type=int,
            default=2,
            help="with --clone-to: parallel database sessions (one per core)",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(
                options["start"] or str(today - dt.timedelta(days=options["days"]))
            )
            end = dt.date.fromisoformat(options["end"] or str(today))
        except ValueError as exc:
            raise CommandError("Ngày phải theo dạng YYYY-MM-DD.") from exc
        if (
            options["if_empty"]
            and Dossier.objects.filter(
                submitted_at__date__gte=start, submitted_at__date__lte=end
            ).exists()
        ):
            self.stdout.write("Đã có hồ sơ trong khoảng thời gian này; bỏ qua (--if-empty).")
            self.clone(options, start, end)
            return
        if end < start:
            raise CommandError("--to phải sau --from.")
        if options["scale"] <= 0:
            raise CommandError("--scale phải lớn hơn 0.")
        province = province_by_code(province_code(options["province"]))
        if province is None:
            raise CommandError("Chưa nạp dữ liệu tham chiếu: chạy load_reference_data trước.")
        began = time.monotonic()
        stats = Generator(
            Options(
                province,
                start,
                end,
                options["scale"],
                options["seed"],
                options["staffed_factor"],
            )
        ).run()
        seconds = time.monotonic() - began
        summary = ", ".join(f"{k}={v}" for k, v in sorted(stats.items()))
        self.stdout.write(f"Đã tạo {stats['created']} hồ sơ trong {seconds:.1f} giây ({summary}).")
        self.clone(options, start, end)

    def clone(self, options, start: dt.date, end: dt.date) -> None:  # type: ignore[no-untyped-def]
        if not options["clone_to"]:
            return

        try:
            report = clone_history(
                start=start.isoformat(),
                end=end.isoformat(),
                target=options["clone_to"],
                per_week=max(1, options["clones_per_week"]),
                workers=max(1, options["clone_workers"]),
                say=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Nhân bản {report.templates} hồ sơ mẫu × {report.clones}: {report.dossiers:,} hồ sơ "
            f"sau {report.seconds:.0f} giây."
        )
