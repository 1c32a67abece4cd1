from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cchc.core.api import Clock, Page
from cchc.organizations.constants import AreaLevel

from .constants import OnlineLevel, TimeUnit, VersionStatus
from .models import ProcedureVersion
from .querysets import search_versions

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    code: str
    version: int
    name: str
    field: str
    levels: list[str]
    time_limit: Decimal | None
    time_unit: TimeUnit
    cutoff_time: Clock | None
    online_level: OnlineLevel
    on_the_spot: bool
    inter_agency: bool
    anywhere_in_province: bool
    to_confirm: bool

    @staticmethod
    def resolve_code(obj: ProcedureVersion) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_version(obj: ProcedureVersion) -> int:
        return obj.number

    @staticmethod
    def resolve_levels(obj: ProcedureVersion) -> list[str]:
        return obj.level_list()

    @staticmethod
    def resolve_field(obj: ProcedureVersion) -> str:
        return obj.field.name

    @staticmethod
    def resolve_to_confirm(obj: ProcedureVersion) -> bool:
        return obj.needs_confirmation


class DocumentOut(Schema):
    order: int
    name: str
    originals: int
    copies: int
    present_only: bool
    optional: bool
    reusable: bool


class FeeOut(Schema):
    kind: str
    name: str
    amount: Decimal | None
    exemption: str


class ProcessStepOut(Schema):
    order: int
    name: str
    performer: str
    role: str
    time_share: Decimal
    is_typical: bool


class ProcedureDetailOut(ProcedureOut):
    applicant_types: list[str]
    submission_methods: str
    time_note: str
    fee_note: str
    conditions: str
    legal_basis: str
    result_document: str
    documents: list[DocumentOut]
    fees: list[FeeOut]
    steps: list[ProcessStepOut]


class ProcedureFilter(Schema):
    q: str | None = None
    field: str | None = None
    level: AreaLevel | None = None
    online_level: OnlineLevel | None = None
    on_the_spot: bool | None = None


@router.get("", response=list[ProcedureOut], summary="Danh mục thủ tục đã công bố")
@paginate(Page)
def list_procedures(
    request: HttpRequest, filters: Query[ProcedureFilter]
) -> QuerySet[ProcedureVersion]:
    qs = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "procedure", "field"
    )
    if filters.q:
        qs = search_versions(qs, filters.q)
    if filters.field:
        qs = qs.filter(field__code=filters.field)
    if filters.level:
        qs = qs.filter(levels__contains=filters.level)
    if filters.online_level:
        qs = qs.filter(online_level=filters.online_level)
    if filters.on_the_spot is not None:
        qs = qs.filter(on_the_spot=filters.on_the_spot)
    return qs.order_by("procedure__code")


@router.get("/{code}", response=ProcedureDetailOut, summary="Một thủ tục (phiên bản đang áp dụng)")
def get_procedure(request: HttpRequest, code: str) -> ProcedureVersion:
    return get_object_or_404(
        ProcedureVersion.objects.select_related("procedure", "field").prefetch_related(
            "documents", "fees", "steps"
        ),
        procedure__code=code,
        status=VersionStatus.PUBLISHED,
    )
