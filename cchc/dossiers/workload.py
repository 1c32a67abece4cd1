"""A realistic, deterministic history of dossiers, made through the workflow's own services.

Every dossier is received, processed, suspended, apologised for, withdrawn or returned by the
same service functions the desks use, so the records are exactly those the system would have.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from cchc.accounts.models import Membership
from cchc.calendars.arithmetic import WorkingCalendar
from cchc.calendars.services import calendar_for
from cchc.organizations.constants import DeskKind
from cchc.organizations.models import AdministrativeArea, Desk
from cchc.procedures.models import ProcedureVersion

from . import constants as c
from . import services as s
from .demo import give_demo_codes
from .models import Dossier

# Dossiers per desk per working day at scale 1: about 1,800 a day in the 2019 structure and
# 1,500 after the 2025 merger — the order of magnitude a mountain province of 1.3 million
# people reports (hundreds of thousands of dossiers a year, most at commune level).
RATES = {
    DeskKind.PROVINCIAL_CENTER: 40.0,
    DeskKind.DISTRICT_RECEPTION: 15.0,
    DeskKind.COMMUNE_RECEPTION: 6.0,
    DeskKind.COMMUNE_CENTER: 20.0,
    DeskKind.DEPARTMENT_RECEPTION: 5.0,
    DeskKind.RECEPTION_POINT: 3.0,
}
LEVEL_OF_DESK = {
    DeskKind.PROVINCIAL_CENTER: "province",
    DeskKind.DEPARTMENT_RECEPTION: "province",
    DeskKind.DISTRICT_RECEPTION: "district",
    DeskKind.COMMUNE_RECEPTION: "commune",
    DeskKind.COMMUNE_CENTER: "commune",
    DeskKind.RECEPTION_POINT: "commune",
}
FAMILY = [
    "Lò",
    "Quàng",
    "Cầm",
    "Lường",
    "Điêu",
    "Hà",
    "Tòng",
    "Mè",
    "Vì",
    "Nguyễn",
    "Trần",
    "Sùng",
    "Giàng",
    "Mùa",
    "Thào",
    "Lê",
    "Phạm",
    "Bạc",
]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "A", "Đức", "Ngọc", "Hồng"]
GIVEN = [
    "Hương",
    "Tiến",
    "Lan",
    "Dũng",
    "Mai",
    "Sơn",
    "Pàng",
    "Chứ",
    "Dế",
    "Xuân",
    "Hoa",
    "Bình",
    "Thắng",
    "Nga",
    "Phong",
    "Yến",
]


@dataclass
class Options:
    province: AdministrativeArea
    start: dt.date
    end: dt.date
    scale: float
    seed: int
    staffed_factor: float = 1.0  # extra load at desks where someone is posted (demo accounts)


class Generator:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.rng = random.Random(options.seed)
        self.calendar: WorkingCalendar = calendar_for(options.province)
        # Receptions happen between start and end; what follows them runs up to now.
        self.cutoff = timezone.now()
        self.stats: Counter[str] = Counter()
        self._versions: dict[tuple[str, dt.date], list[ProcedureVersion]] = {}
        self._communes: dict[tuple[int, dt.date], list[AdministrativeArea]] = {}

    # -- choices ----------------------------------------------------------------------------

    def versions(self, level: str, day: dt.date) -> list[ProcedureVersion]:
        key = (level, day.replace(day=1))
        if key not in self._versions:
            qs = (
                ProcedureVersion.objects.filter(
                    status__in=["published", "superseded"], time_limit__isnull=False
                )
                .exclude(valid_from__gt=day)
                .exclude(valid_to__lt=day)
                .select_related("procedure")
                .prefetch_related("documents")
                .order_by("pk")
            )
            self._versions[key] = [v for v in qs if level in v.level_list()]
        return self._versions[key]

    def communes(self, desk: Desk, day: dt.date) -> list[AdministrativeArea]:
        key = (desk.area_id, day.replace(day=1))
        if key not in self._communes:
            qs = AdministrativeArea.objects.on(day).filter(level="commune")
            if desk.area.level == "commune":
                qs = qs.filter(pk=desk.area_id)
            elif desk.area.level == "district":
                qs = qs.filter(parent_id=desk.area_id)
            else:
                qs = qs.filter(province=self.o.province)
            self._communes[key] = list(qs.order_by("pk"))
        return self._communes[key]

    def moment(self, day: dt.date) -> dt.datetime:
        periods = self.calendar.periods_on(day)
        period = self.rng.choice(periods)
        start = dt.datetime.combine(day, period.start)
        span = (dt.datetime.combine(day, period.end) - start).seconds // 60
        local = start + dt.timedelta(minutes=self.rng.randrange(max(span - 5, 1)))
        return timezone.make_aware(local)

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return self.calendar.add_working_time(moment, dt.timedelta(hours=max(hours, 0.1)))

    def applicant(self, area: AdministrativeArea) -> s.Applicant:
        r = self.rng
        name = f"{r.choice(FAMILY)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"
        return s.Applicant(
            kind=c.ApplicantKind.CITIZEN,
            name=name,
            area=area,
            birth_date=dt.date(r.randint(1950, 2005), r.randint(1, 12), r.randint(1, 28)),
            id_number=f"014{r.randint(0, 10**9 - 1):09d}",
            phone=f"09{r.randint(0, 10**8 - 1):08d}",
            address=f"Bản {r.choice(GIVEN)}",
        )

    # -- the history ------------------------------------------------------------------------

    def run(self) -> Counter[str]:
        give_demo_codes()
        self.staffed = set(
            Membership.objects.filter(desk__isnull=False).values_list("desk_id", flat=True)
        )
        day = self.o.start
        with override_settings(CCHC_SILENT_NOTIFICATIONS=True):
            while day <= self.o.end and day <= timezone.localdate():
                if self.calendar.is_working_day(day):
                    self.day(day)
                day += dt.timedelta(days=1)
        return self.stats

    def day(self, day: dt.date) -> None:
        desks = Desk.objects.on(day).select_related("area", "agency").order_by("pk")
        for desk in desks:
            rate = RATES.get(DeskKind(desk.kind), 0.5) * self.o.scale
            if desk.pk in self.staffed:
                rate *= self.o.staffed_factor
            count = int(rate) + (1 if self.rng.random() < rate - int(rate) else 0)
            versions = self.versions(LEVEL_OF_DESK[DeskKind(desk.kind)], day)
            communes = self.communes(desk, day)
            if not versions or not communes:
                continue
            for _ in range(count):
                for _attempt in range(3):  # a procedure another desk serves: pick again
                    if self.one(desk, self.rng.choice(versions), self.rng.choice(communes), day):
                        break

    def one(
        self, desk: Desk, version: ProcedureVersion, area: AdministrativeArea, day: dt.date
    ) -> bool:
        r = self.rng
        t = self.moment(day)
        if t > self.cutoff:
            return True
        online_share = 0.05 if day.year < 2021 else 0.35
        channel = (
            c.Channel.ONLINE
            if r.random() < online_share
            else (c.Channel.POST if r.random() < 0.05 else c.Channel.IN_PERSON)
        )
        documents = [
            s.DocumentInput(doc.name, doc.pk, doc.originals, doc.copies, True)
            for doc in version.documents.all()
        ]
        try:
            d = s.start_dossier(
                version=version,
                desk=desk,
                applicant=self.applicant(area),
                channel=channel,
                documents=documents,
                actor=None,
                at=t,
            )
        except s.ServiceError as exc:
            self.stats[f"skipped:{exc.code}"] += 1
            return False
        self.stats["created"] += 1
        roll = r.random()
        if roll < 0.03:
            s.refuse_reception(d, reason="Hồ sơ không thuộc thẩm quyền tiếp nhận", actor=None, at=t)
            self.stats["refused_at_reception"] += 1
            return True
        if roll < 0.08 and documents:
            d = s.request_completion(
                d,
                items=[s.SupplementItem(documents[0].required_document_id or 0)],
                reason="Tờ khai chưa đủ thông tin",
                actor=None,
                at=t,
            )
            self.stats["completion_requested"] += 1
            back = self.later(t, r.uniform(4, 40))
            if back > self.cutoff:
                return True
            t = back
        d = s.receive(d, actor=None, at=t)
        self.stats["received"] += 1
        self.process(d, t)
        return True

    def process(self, d: Dossier, t: dt.datetime) -> None:
        r = self.rng
        day_hours = 7.5
        hours_unit = d.procedure_version.time_unit == "working_hours"
        slow = r.random() < 0.06
        first = True
        while d.status == c.Status.IN_PROGRESS:
            step = d.steps.filter(status="active", kind="process").order_by("order").first()
            if step is None:
                break
            share = float(step.time_share or Decimal("0.1")) * (1 if hours_unit else day_hours)
            factor = r.uniform(1.3, 2.5) if slow else r.uniform(0.2, 0.95)
            if first and d.supplement_rounds == 0 and r.random() < 0.04:
                doc = d.procedure_version.documents.first()
                t = self.later(t, 1)
                if doc is None or t > self.cutoff:
                    return
                d = s.request_supplement(
                    d,
                    items=[s.SupplementItem(doc.pk)],
                    reason="Cần bổ sung bản sao hợp lệ",
                    actor=None,
                    at=t,
                )
                self.stats["supplement_requested"] += 1
                t = self.later(t, r.uniform(8, 60))
                if t > self.cutoff:
                    return
                d = s.supply(
                    d, documents=[s.DocumentInput(doc.name, doc.pk, 1, 0, True)], actor=None, at=t
                )
            elif first and r.random() < 0.03:
                t = self.later(t, 1)
                if t > self.cutoff:
                    return
                d = s.pause(d, reason="Chờ thực hiện nghĩa vụ tài chính", actor=None, at=t)
                self.stats["paused"] += 1
                t = self.later(t, r.uniform(4, 30))
                if t > self.cutoff:
                    return
                d = s.resume(d, actor=None, at=t)
            elif first and r.random() < 0.02:
                t = self.later(t, 2)
                if t <= self.cutoff:
                    s.withdraw(d, reason="Người nộp đề nghị rút hồ sơ", actor=None, at=t)
                    self.stats["withdrawn"] += 1
                return
            first = False
            finish = self.later(t, share * factor)
            if (
                slow
                and d.apologised_at is None
                and d.due_at
                and finish > d.due_at
                and self.calendar.add_working_days(t, 1) <= d.due_at  # R-LATE
                and r.random() < 0.6
            ):
                d = s.apologise(
                    d,
                    reason="Cần thêm thời gian xác minh",
                    actor=None,
                    at=t,
                    new_due=self.later(d.due_at, day_hours * r.randint(2, 5)),
                )
                self.stats["apologised"] += 1
            if finish > self.cutoff:
                return
            if step.role == "agency_leader" and r.random() < 0.02:
                d = s.declare_ineligible(
                    d, reason="Không đủ điều kiện theo quy định", actor=None, at=finish
                )
                self.stats["ineligible"] += 1
            else:
                d = s.complete_step(d, actor=None, at=finish)
            t = finish
        if d.status == c.Status.RESULT_READY:
            self.hand_back(d, t)

    def hand_back(self, d: Dossier, t: dt.datetime) -> None:
        r = self.rng
        due = d.legal_due_at or t
        if t < due and r.random() < 0.5:
            d = s.notify_early(d, actor=None, at=t)
            when = self.later(t, r.uniform(0.5, 4))
        else:
            when = max(self.later(t, 0.5), self.calendar.day_start(self.calendar.local(due).date()))
        if when > self.cutoff:
            return
        # generated history is handed back at the desk: an electronic return needs a signed
        # result, and signing thousands of generated results would only measure the signer
        method = c.ReturnMethod.DESK
        fees = [  # R-FEE: collected at the latest when the result is handed over
            s.FeeSettlement(fee.pk, receipt_number=f"BL-{d.pk}-{fee.pk}") for fee in d.fees.all()
        ]
        s.return_result(
            d, actor=None, method=method, returned_to=d.applicant_name, at=when, fees=fees
        )
        self.stats["returned"] += 1
