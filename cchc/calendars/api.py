import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from cchc.core.api import ApiError

from .arithmetic import Limit, LimitUnit
from .services import calendar_for, default_province, province_by_code

router = Router(tags=["calendar"])
VIETNAM = dt.timezone(dt.timedelta(hours=7))


class DueDateQuery(Schema):
    start: dt.datetime
    # The calendar counts working time within twenty years; these bounds stay well inside
    working_days: Decimal | None = Field(default=None, ge=0, le=2000)
    working_hours: Decimal | None = Field(default=None, ge=0, le=16000)
    calendar_days: int | None = Field(default=None, ge=0, le=3650)
    cutoff: dt.time | None = None
    province: str | None = None

    @model_validator(mode="after")
    def one_limit(self) -> "DueDateQuery":
        if self.cutoff is not None and self.cutoff.tzinfo is not None:
            # A cut-off is a wall-clock time in Vietnam: "08:00Z" is 15:00 there.
            moment = dt.datetime.combine(dt.date(2000, 1, 1), self.cutoff)
            self.cutoff = moment.astimezone(VIETNAM).time()
        if not 1990 <= self.start.year <= 2100:
            raise ApiError(
                422, "invalid_start", _("Thời điểm tiếp nhận phải trong các năm 1990–2100.")
            )
        given = [
            v for v in (self.working_days, self.working_hours, self.calendar_days) if v is not None
        ]
        if len(given) != 1:
            raise ApiError(
                422,
                "invalid_limit",
                _("Cần đúng một trong các tham số working_days, working_hours, calendar_days."),
            )
        return self


class ExplainLineOut(Schema):
    date: dt.date
    kind: str
    text: str
    reference: str


class DueDateOut(Schema):
    received_at: dt.datetime
    clock_start: dt.datetime
    due: dt.datetime
    explanation: list[ExplainLineOut]


@router.get("/due-date", response=DueDateOut, summary="Tính hạn giải quyết theo lịch làm việc")
def due_date(request: HttpRequest, params: Query[DueDateQuery]) -> dict:
    start = params.start if params.start.tzinfo else params.start.replace(tzinfo=VIETNAM)
    if params.working_days is not None:
        limit = Limit(params.working_days, LimitUnit.WORKING_DAYS, params.cutoff)
    elif params.working_hours is not None:
        limit = Limit(params.working_hours, LimitUnit.WORKING_HOURS, params.cutoff)
    else:
        limit = Limit(Decimal(params.calendar_days or 0), LimitUnit.CALENDAR_DAYS, params.cutoff)
    province = province_by_code(params.province) if params.province else default_province()
    if params.province and province is None:
        raise ApiError(404, "province_not_found", _("Không tìm thấy tỉnh có mã này."))
    calendar = calendar_for(province)
    try:
        explanation = calendar.explain(start, limit)
    except ValueError as exc:  # a limit the working calendar cannot reach (a guard)
        raise ApiError(
            422,
            "limit_too_long",
            _("Thời hạn quá dài so với phạm vi của lịch làm việc."),
        ) from exc
    return {
        "received_at": explanation.received_at,
        "clock_start": explanation.clock_start,
        "due": explanation.due,
        "explanation": [line.__dict__ for line in explanation.lines],
    }
