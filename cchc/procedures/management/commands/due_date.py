"""`manage.py due_date --start 2019-02-01T09:00 --working-days 3 [--explain]`."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from cchc.calendars.arithmetic import VN_ZONE, Limit, LimitUnit
from cchc.calendars.services import calendar_for, default_province, province_by_code
from cchc.procedures.constants import TimeUnit, VersionStatus
from cchc.procedures.models import ProcedureVersion


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"Số không hợp lệ: {value!r}") from exc
    if number < 0:
        raise CommandError("Thời hạn không được âm.")
    return number


class Command(BaseCommand):
    help = "Print the due moment (ISO 8601, +07:00) of a time limit on the working calendar."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--start", required=True, help="e.g. 2019-02-01T09:00 (Vietnam time)")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--working-days", type=_decimal)
        group.add_argument("--working-hours", type=_decimal)
        group.add_argument("--calendar-days", type=int)
        group.add_argument("--procedure", help="national code: use its limit and cut-off")
        parser.add_argument("--cutoff", help="HH:MM after which the clock starts next day")
        parser.add_argument("--province", help="GSO code of the province (default from settings)")
        parser.add_argument("--explain", action="store_true", help="list skipped days and why")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            start = dt.datetime.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"Thời điểm không hợp lệ: {options['start']!r}") from exc
        if start.tzinfo is None:
            start = start.replace(tzinfo=VN_ZONE)
        cutoff = None
        if options["cutoff"]:
            try:
                cutoff = dt.time.fromisoformat(options["cutoff"])
            except ValueError as exc:
                raise CommandError(f"Giờ không hợp lệ: {options['cutoff']!r}") from exc
        if options["procedure"]:
            version = (
                ProcedureVersion.objects.filter(
                    procedure__code=options["procedure"], status=VersionStatus.PUBLISHED
                )
                .order_by("-number")
                .first()
            )
            if version is None:
                raise CommandError(f"Không tìm thấy thủ tục {options['procedure']}.")
            if version.time_limit is None:
                raise CommandError("Thủ tục chưa có thời hạn giải quyết.")
            unit = {
                TimeUnit.WORKING_DAYS: LimitUnit.WORKING_DAYS,
                TimeUnit.WORKING_HOURS: LimitUnit.WORKING_HOURS,
                TimeUnit.CALENDAR_DAYS: LimitUnit.CALENDAR_DAYS,
            }[TimeUnit(version.time_unit)]
            limit = Limit(version.time_limit, unit, cutoff or version.cutoff_time)
        elif options["working_days"] is not None:
            limit = Limit(options["working_days"], LimitUnit.WORKING_DAYS, cutoff)
        elif options["working_hours"] is not None:
            limit = Limit(options["working_hours"], LimitUnit.WORKING_HOURS, cutoff)
        else:
            if options["calendar_days"] < 0:
                raise CommandError("Thời hạn không được âm.")
            limit = Limit(Decimal(options["calendar_days"]), LimitUnit.CALENDAR_DAYS, cutoff)
        province = (
            province_by_code(options["province"]) if options["province"] else default_province()
        )
        if options["province"] and province is None:
            raise CommandError(f"Không tìm thấy tỉnh có mã {options['province']}.")
        explanation = calendar_for(province).explain(start, limit)
        self.stdout.write(explanation.due.isoformat(timespec="minutes"))
        if options["explain"]:
            for line in explanation.lines:
                ref = f" ({line.reference})" if line.reference else ""
                self.stdout.write(f"  {line.date:%d/%m/%Y}  {line.text}{ref}")
