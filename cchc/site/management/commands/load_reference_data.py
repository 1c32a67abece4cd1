from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cchc.indices.loaders import load_indices
from cchc.organizations.loaders import ProvinceLoader
from cchc.portal.services import ensure_rating_criteria, load_life_events
from cchc.procedures.loaders import CatalogLoader
from cchc.reform_plans.loaders import load_plans


class Command(BaseCommand):
    help = (
        "Load a province's areas (2019 and 2025), agencies, desks, working hours and the "
        "procedure catalog from the reviewed data files. Idempotent; records an administrator "
        "edited are kept unless --force."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--province", default=settings.CCHC_DEFAULT_PROVINCE_CODE)
        parser.add_argument("--force", action="store_true", help="overwrite edited records")
        parser.add_argument("--skip-catalog", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            loader = ProvinceLoader(options["province"], force=options["force"])
        except (FileNotFoundError, ValueError, KeyError) as exc:
            raise CommandError(f"Không nạp được dữ liệu tỉnh {options['province']}: {exc}") from exc
        report = loader.load()
        self.stdout.write(f"Địa bàn, cơ quan, bộ phận một cửa: {report.summary()}")
        if loader.unmapped:
            self.stdout.write(
                "  Đơn vị cấp xã cũ chưa có liên kết kế thừa trong dữ liệu nguồn (quản trị viên "
                f"bổ sung tại Quản trị › Kế thừa địa bàn): {', '.join(loader.unmapped)}"
            )
        for item in report.kept:
            self.stdout.write(f"  giữ nguyên (quản trị viên đã sửa): {item}")
        if not options["skip_catalog"]:
            catalog = CatalogLoader(force=options["force"], province_code=options["province"])
            creport = catalog.load()
            self.stdout.write(f"Danh mục thủ tục: {creport.summary()}")

            ensure_rating_criteria()

            events = load_life_events(settings.CCHC_DATA_DIR / "catalog" / "life-events.yaml")
            self.stdout.write(f"Sự kiện cuộc sống: {events} mới")

        try:
            plans = load_plans(str(options["province"]))
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Không nạp được kế hoạch CCHC: {exc}") from exc
        self.stdout.write(f"Kế hoạch cải cách hành chính: {plans} mới")

        try:
            frameworks, national = load_indices(str(options["province"]))
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Không nạp được bộ chỉ số CCHC: {exc}") from exc
        self.stdout.write(
            f"Bộ chỉ số CCHC: {frameworks} mới; kết quả chỉ số quốc gia: {national} mới"
        )
