import datetime as dt
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.calendars.services import province_by_code
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
