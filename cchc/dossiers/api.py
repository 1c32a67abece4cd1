"""`/api/v1/dossiers/…`: the workflow for integrations, through the same service functions."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_serializer

from cchc.accounts.auth import AUTH
from cchc.core.api import ApiError, Day, ErrorOut, Id, Page
from cchc.core.text import search_terms
from cchc.organizations.models import AdministrativeArea, Desk
from cchc.procedures.models import ProcedureVersion

from . import constants as c
from . import services as s
from .actions import perform
from .exports import register_xlsx
from .files import result_response
from .inbox import inbox_page
from .models import Dossier, DossierStep, Handover, IssuedForm
from .pdf import render_control_slip, signed_form
from .services import store
from .services.permissions import allowed_actions, user_desks

router = Router(tags=["dossiers"], auth=AUTH)
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LocalTimes(Schema):
    """Moments are given in Vietnam's time (+07:00), whichever way they were computed."""

    @field_serializer("*")
    def _local(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value


class DossierOut(LocalTimes):
    id: int
    code: str | None
    submission_code: str
    status: c.Status
    status_label: str
    outcome: str
    procedure: str
    procedure_version: int
    rule_set: str
    channel: c.Channel
    desk: str
    competent_agency: str
    holder_agency: str | None
    applicant_name: str
    id_number_masked: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    legal_due_at: dt.datetime | None
    returned_at: dt.datetime | None
    timeliness: str
    revision: int

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_procedure(obj: Dossier) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_procedure_version(obj: Dossier) -> int:
        return obj.procedure_version.number

    @staticmethod
    def resolve_desk(obj: Dossier) -> str:
        return obj.desk.name

    @staticmethod
    def resolve_competent_agency(obj: Dossier) -> str:
        return obj.competent_agency.name

    @staticmethod
    def resolve_holder_agency(obj: Dossier) -> str | None:
        return obj.holder_agency.name if obj.holder_agency_id else None

    @staticmethod
    def resolve_id_number_masked(obj: Dossier) -> str:
        return obj.masked_id_number


class StepOut(LocalTimes):
    id: int
    order: int
    kind: str
    name: str
    agency: str
    role: str
    assignee: str | None
    status: str
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    timeliness: str

    @staticmethod
    def resolve_agency(obj: DossierStep) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_assignee(obj: DossierStep) -> str | None:
        return obj.assignee.username if obj.assignee_id else None


class StepDetailOut(StepOut):
    """A step on the dossier's own page: who did it and the opinion they wrote."""

    done_by: str | None
    note: str

    @staticmethod
    def resolve_done_by(obj: DossierStep) -> str | None:
        return str(obj.done_by) if obj.done_by_id else None


class HandoverOut(LocalTimes):
    at: dt.datetime
    from_agency: str | None = Field(None, alias="from_agency.name")
    to_agency: str | None = Field(None, alias="to_agency.name")
    to_label: str
    timeliness: str
    medium: str
    paper_due_at: dt.datetime | None
    note: str


class DueChangeOut(LocalTimes):
    at: dt.datetime
    before: dt.datetime | None
    after: dt.datetime | None
    reason: str


class ClockStopOut(LocalTimes):
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str


class FormOut(Schema):
    id: int
    kind: str
    number: str
    issued_at: dt.datetime


class DocumentOut(Schema):
    id: int
    name: str
    originals: int
    copies: int
    received: bool
    stored_document: int | None = Field(None, alias="reused_from_id")
    reuse_check: str


class StoredOut(Schema):
    id: int
    kind: str
    name: str
    number: str
    agency: str = Field(alias="agency.name")
    issued_on: dt.date
    valid_until: dt.date | None
    sha256: str
    source_dossier: str | None = Field(None, alias="source_dossier.code")


class DossierDetailOut(DossierOut):
    corrects: int | None = Field(None, alias="corrects_id")
    corrections: list[int]
    request_note: str
    declaration: dict[str, Any] = Field(description="Nội dung tờ khai điện tử (nếu có)")
    documents: list[DocumentOut]
    result_number: str
    result_signed_at: dt.datetime | None
    result_summary: str
    result_file: str | None
    steps: list[StepDetailOut]
    handovers: list[HandoverOut]
    forms: list[FormOut]
    due_changes: list[DueChangeOut]
    clock_stops: list[ClockStopOut]
    allowed_actions: list[str]

    # every list below reads the rows prefetched by `_detailed` or held by `s.hold_written`

    @staticmethod
    def resolve_steps(obj: Dossier) -> list[DossierStep]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_documents(obj: Dossier) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_corrections(obj: Dossier) -> list[int]:
        return [later.pk for later in obj.corrections.all()]

    @staticmethod
    def resolve_result_file(obj: Dossier) -> str | None:
        return reverse("dossiers:result_file", args=[obj.pk]) if obj.result_file else None

    @staticmethod
    def resolve_handovers(obj: Dossier) -> list[Any]:
        return list(obj.handovers.all())

    @staticmethod
    def resolve_forms(obj: Dossier) -> list[IssuedForm]:
        return list(obj.forms.all())

    @staticmethod
    def resolve_due_changes(obj: Dossier) -> list[Any]:
        return list(obj.due_changes.all())

    @staticmethod
    def resolve_clock_stops(obj: Dossier) -> list[Any]:
        return list(obj.clock_stops.all())

    @staticmethod
    def resolve_allowed_actions(obj: Dossier, context: Any = None) -> list[str]:
        """What the caller may do now: the status table and the caller's permission, the same
        predicates the services apply (`permissions.allowed_actions`)."""
        request = (context or {}).get("request")
        user = getattr(request, "user", None)
        return allowed_actions(user, obj, list(obj.steps.all()))


# what a dossier's detail shows besides its own row: one read each (see `DossierDetailOut`)
DETAIL_ROWS = (
    "documents",
    Prefetch("corrections", Dossier.objects.only("pk", "corrects_id")),
    Prefetch("steps", DossierStep.objects.select_related("agency", "assignee", "done_by")),
    Prefetch("handovers", Handover.objects.select_related("from_agency", "to_agency")),
    "forms",
    "due_changes",
    "clock_stops",
)


def _detailed(dossier: Dossier) -> Dossier:
    """`dossier` with the rows its detail shows, read unless already in hand."""
    prefetch_related_objects([dossier], *DETAIL_ROWS)
    return dossier


class ApplicantIn(Schema):
    kind: c.ApplicantKind = c.ApplicantKind.CITIZEN
    name: str = Field(..., max_length=255)
    area_code: str = Field(..., description="Mã đơn vị hành chính cấp xã (GSO)", max_length=10)
    birth_date: Day | None = None
    id_number: str = Field("", max_length=12)
    tax_code: str = Field("", max_length=14)
    representative: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)

    def to_applicant(self, area: AdministrativeArea) -> s.Applicant:
        return s.Applicant(
            kind=self.kind,
            name=self.name,
            area=area,
            birth_date=self.birth_date,
            id_number=self.id_number,
            tax_code=self.tax_code,
            representative=self.representative,
            phone=self.phone,
            email=self.email,
            address=self.address,
        )


class DocumentIn(Schema):
    required_document: int
    originals: int = Field(0, ge=0, le=50)
    copies: int = Field(0, ge=0, le=50)
    stored_document: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="Giấy tờ lấy từ kho dữ liệu của người nộp (GET /api/v1/store) thay cho bản "
        "nộp mới; chỉ với thành phần được tái sử dụng.",
    )


class ExemptionIn(Schema):
    fee: Id = Field(..., description="Khoản phí, lệ phí của phiên bản thủ tục")
    reason: str = Field(..., min_length=1, max_length=300)


class DossierIn(Schema):
    procedure: str = Field(..., description="Mã thủ tục, ví dụ 1.004873")
    desk: int
    channel: c.Channel = c.Channel.IN_PERSON
    applicant: ApplicantIn
    documents: list[DocumentIn] = []
    sets: int = Field(1, ge=1, le=50)
    return_method: c.ReturnMethod = c.ReturnMethod.DESK
    request_note: str = Field("", max_length=2000)
    outcome: Literal["none", "receive", "request_completion", "refuse", "at_once"] = "receive"
    reason: str = Field("", max_length=2000)
    missing: list[int] = Field([], description="Giấy tờ cần bổ sung (khi yêu cầu bổ sung)")
    returned_to: str = Field("", max_length=200, description="Người nhận (khi giải quyết ngay)")
    fee_receipt: str = Field("", max_length=60, description="Số biên lai (khi giải quyết ngay)")
    exemptions: list[ExemptionIn] = Field([], description="Miễn, giảm phí, lệ phí (R-FEE)")


class ActionIn(Schema):
    revision: int | None = Field(
        None, description="Phiên bản dữ liệu đã đọc; khác thì trả 409 dossier_changed"
    )
    data: dict[str, Any] = {}


class ListFilters(Schema):
    q: str = ""
    status: c.Status | None = None
    desk: Id | None = None


def _visible(request: HttpRequest) -> Any:
    return Dossier.objects.visible_to(request.user).select_related(
        "procedure", "procedure_version", "desk", "competent_agency", "holder_agency"
    )


def _service_error(exc: s.ServiceError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, exc.details)


@router.get("", response=list[DossierOut], summary="Danh sách hồ sơ trong phạm vi được xem")
@paginate(Page)
def list_dossiers(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    qs = _visible(request)
    for term in search_terms(filters.q):
        qs = qs.filter(search_text__contains=term)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.desk:
        qs = qs.filter(desk_id=filters.desk)
    return qs.order_by("-submitted_at", "-pk")


class InboxOut(Schema):
    items: list[StepOut]
    next: str = Field(
        description="Khóa trang sau (truyền vào `after`); rỗng ở trang cuối.",
    )


@router.get(
    "/inbox",
    response=InboxOut,
    summary="Các bước xử lý đang chờ người dùng, theo hạn (phân trang theo khóa)",
    description="Không đếm tổng số và không dùng offset: trang sau lấy bằng `after=<next>`.",
)
def inbox(request: HttpRequest, after: str = "", limit: int = Query(50, ge=1, le=200)) -> Any:
    items, next_key = inbox_page(request.user, after, limit)
    return {"items": items, "next": next_key}


@router.post(
    "",
    response={201: DossierDetailOut, 200: DossierDetailOut, **ERRORS},
    summary="Tạo hồ sơ tại bộ phận một cửa (và tiếp nhận / yêu cầu bổ sung / từ chối)",
    description="Gửi kèm header `Idempotency-Key` để gửi lại an toàn: cùng khóa trả lại hồ sơ đã "
    "tạo, không tạo hồ sơ thứ hai.",
)
def create_dossier(request: HttpRequest, payload: DossierIn) -> Any:
    key = request.headers.get("Idempotency-Key", "")[:100]
    if key:
        existing = Dossier.objects.filter(created_by=request.user, idempotency_key=key).first()
        if existing is not None:
            return Status(200, existing)
    today = timezone.localdate()
    desk = Desk.objects.on(today).select_related("agency__parent").filter(pk=payload.desk).first()
    if desk is None or not _may_use_desk(request, desk):
        raise ApiError(404, "desk_not_found", _("Không tìm thấy bộ phận một cửa của bạn."))
    version = ProcedureVersion.objects.in_force_for(payload.procedure, today)
    if version is None:
        raise ApiError(404, "procedure_not_found", _("Không tìm thấy thủ tục đang có hiệu lực."))
    s.read_for_reception(version)
    area = (
        AdministrativeArea.objects.on(today)
        .select_related(*s.AREA_UPWARDS)
        .filter(code=payload.applicant.area_code, level="commune")
        .first()
    )
    if area is None:
        raise ApiError(
            422, "invalid_parameter", _("Mã xã, phường không hợp lệ."), [{"field": "area_code"}]
        )
    listed = {doc.pk: doc for doc in version.documents.all()}
    unknown = [d.required_document for d in payload.documents if d.required_document not in listed]
    if unknown:
        raise ApiError(
            422, "not_in_document_list", _("Giấy tờ không thuộc thành phần hồ sơ."), unknown
        )
    exempt = {e.fee: e.reason for e in payload.exemptions}
    fee_lines = list(version.fees.all())
    if set(exempt) - {f.pk for f in fee_lines}:
        raise ApiError(422, "invalid_parameter", _("Khoản phí miễn, giảm không thuộc thủ tục."))
    fees = [
        s.FeeInput(
            f.name,
            f.amount or Decimal(0),
            exempt=f.pk in exempt,
            exemption_reason=exempt.get(f.pk, ""),
        )
        for f in fee_lines
    ]
    try:
        dossier = s.take(
            outcome=payload.outcome,
            version=version,
            desk=desk,
            applicant=payload.applicant.to_applicant(area),
            channel=payload.channel,
            documents=[
                s.DocumentInput(
                    listed[d.required_document].name,
                    d.required_document,
                    d.originals,
                    d.copies,
                    True,
                    stored_id=d.stored_document,
                )
                for d in payload.documents
            ],
            actor=request.user,
            sets=payload.sets,
            return_method=payload.return_method,
            request_note=payload.request_note,
            idempotency_key=key,
            fees=fees,
            missing=[s.SupplementItem(x) for x in payload.missing],
            reason=payload.reason,
            returned_to=payload.returned_to,
            fee_receipt=payload.fee_receipt,
            key_checked=bool(key),
        )
        if getattr(dossier, "replayed", False):
            # the same Idempotency-Key raced another request: answer with what it made
            return Status(200, _detailed(_visible(request).get(pk=dossier.pk)))
    except s.ServiceError as exc:
        raise _service_error(exc) from exc
    # The creator at their own desk sees what they made: no second visibility read, and the
    # rows the reception decision wrote as it wrote them, not read back.
    s.hold_written(dossier)
    return Status(201, _detailed(dossier))


def _may_use_desk(request: HttpRequest, desk: Desk) -> bool:
    user = request.user
    if getattr(user, "is_superuser", False):
        return True
    return any(m.desk_id == desk.pk for m in user.current_memberships())  # type: ignore[union-attr]


@router.get("/{int:dossier_id}", response={200: DossierDetailOut, **ERRORS})
def get_dossier(request: HttpRequest, dossier_id: int) -> Any:
    return _detailed(get_object_or_404(_visible(request), pk=dossier_id))


@router.post(
    "/{int:dossier_id}/actions/{action}",
    response={200: DossierDetailOut, **ERRORS},
    summary="Thực hiện một thao tác trên hồ sơ",
    description="Thao tác: " + ", ".join(c.TRANSITIONS) + ". `data` chứa các tham số của thao "
    "tác (reason, items, step, assignee, new_due, method, returned_to…).",
)
def act(request: HttpRequest, dossier_id: int, action: str, payload: ActionIn) -> Any:
    dossier = get_object_or_404(_visible(request), pk=dossier_id)
    if action not in c.TRANSITIONS:
        raise ApiError(404, "unknown_action", _("Thao tác không tồn tại."), {"action": action})
    try:
        perform(dossier, action, payload.data, actor=request.user, revision=payload.revision)
    except s.ServiceError as exc:
        raise _service_error(exc) from exc
    return _detailed(_visible(request).get(pk=dossier.pk))


@router.get("/{int:dossier_id}/forms/{int:form_id}", response={200: None, **ERRORS})
def form_pdf(request: HttpRequest, dossier_id: int, form_id: int) -> HttpResponse:
    dossier = get_object_or_404(_visible(request), pk=dossier_id)
    form = get_object_or_404(IssuedForm, pk=form_id, dossier=dossier)
    return HttpResponse(signed_form(form), content_type="application/pdf")


@router.get(
    "/{int:dossier_id}/result",
    response={200: None, **ERRORS},
    summary="Tệp kết quả (bản ký số khi đã ký)",
    openapi_extra={"x-file-type": "application/pdf"},
)
def result(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = get_object_or_404(_visible(request), pk=dossier_id)
    return result_response(dossier)


@router.get("/{int:dossier_id}/control-slip", response={200: None, **ERRORS})
def control_slip(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = get_object_or_404(_visible(request), pk=dossier_id)
    return HttpResponse(render_control_slip(dossier), content_type="application/pdf")


@router.get("/register.xlsx", response={200: None, **ERRORS}, summary="Sổ theo dõi hồ sơ")
def register(
    request: HttpRequest,
    desk: Id | None = None,
    start: Day | None = None,
    end: Day | None = None,
) -> HttpResponse:
    qs = Dossier.objects.visible_to(request.user).filter(received_at__isnull=False)
    if desk:
        qs = qs.filter(desk_id=desk)
    if start:
        qs = qs.filter(received_at__date__gte=start)
    if end:
        qs = qs.filter(received_at__date__lte=end)
    return HttpResponse(
        register_xlsx(qs.order_by("received_at", "pk"), "Sổ theo dõi hồ sơ"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


store_router = Router(tags=["store"], auth=AUTH)


@store_router.get(
    "",
    response={200: list[StoredOut], **ERRORS},
    summary="Kho dữ liệu điện tử: kết quả ký số và giấy tờ số hóa",
    description="Không có `owner`: kho của chính tài khoản gọi (công dân, tổ chức). Có `owner` "
    "(số định danh hoặc mã số thuế): cán bộ một cửa tra kho của người nộp đang ở quầy.",
)
def stored_documents(
    request: HttpRequest, owner: str = Query("", max_length=14, pattern=r"^[0-9A-Za-z-]*$")
) -> Any:
    if not owner:
        rows = store.store_of(request.user)
    elif user_desks(request.user):
        rows = store.store_for_applicant(owner)
    else:
        raise ApiError(
            403, "forbidden", _("Chỉ cán bộ một cửa được tra kho dữ liệu của người nộp.")
        )
    return list(rows.select_related("source_dossier")[:500])
