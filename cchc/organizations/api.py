import datetime as dt

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cchc.core.api import Clock, Day, Id, Page
from cchc.core.text import search_terms

from .constants import AgencyKind, AreaLevel, DeskKind
from .models import AdministrativeArea, Agency, Desk

router = Router(tags=["organizations"])


class AreaOut(Schema):
    id: int
    code: str
    name: str
    division_type: str
    level: AreaLevel
    parent_id: int | None
    province_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class AreaDetailOut(AreaOut):
    formed_from: list[AreaOut]
    succeeded_by: list[AreaOut]


class AreaFilter(Schema):
    on: Day | None = None
    level: AreaLevel | None = None
    province: Id | None = None
    parent: Id | None = None
    q: str | None = None


@router.get("/areas", response=list[AreaOut], summary="Đơn vị hành chính (theo ngày ?on=)")
@paginate(Page)
def list_areas(request: HttpRequest, filters: Query[AreaFilter]) -> QuerySet[AdministrativeArea]:
    qs = AdministrativeArea.objects.on(filters.on or timezone.localdate())
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.province:
        qs = qs.filter(province_id=filters.province)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    for term in search_terms(filters.q or ""):
        qs = qs.filter(Q(search_text__contains=term) | Q(code=term))
    return qs.order_by("level", "code")


@router.get("/areas/{area_id}", response=AreaDetailOut, summary="Một đơn vị hành chính")
def get_area(request: HttpRequest, area_id: int) -> dict:
    area = get_object_or_404(AdministrativeArea, pk=area_id)
    return {
        **AreaOut.from_orm(area).dict(),
        "formed_from": list(area.formed_from.all()),
        "succeeded_by": list(area.succeeded_by.all()),
    }


class AgencyOut(Schema):
    id: int
    name: str
    short_name: str
    kind: AgencyKind
    area_id: int
    parent_id: int | None
    eid_code: str
    eid_code_is_demo: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_ids: list[int]


class AgencyFilter(Schema):
    on: Day | None = None
    kind: AgencyKind | None = None
    area: Id | None = None
    q: str | None = None


def _agency_rows(qs: QuerySet[Agency]) -> list[dict]:
    rows = []
    for agency in qs.prefetch_related("successors"):
        rows.append(
            {
                **{f: getattr(agency, f) for f in AgencyOut.model_fields if f != "successor_ids"},
                "successor_ids": [s.pk for s in agency.successors.all()],
            }
        )
    return rows


@router.get("/agencies", response=list[AgencyOut], summary="Cơ quan (theo ngày ?on=)")
@paginate(Page)
def list_agencies(request: HttpRequest, filters: Query[AgencyFilter]) -> list[dict]:
    qs = Agency.objects.on(filters.on or timezone.localdate())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.area:
        qs = qs.filter(Q(area_id=filters.area) | Q(area__parent_id=filters.area))
    for term in search_terms(filters.q or ""):
        qs = qs.filter(search_text__contains=term)
    return _agency_rows(qs.order_by("kind", "name"))


@router.get("/agencies/{agency_id}", response=AgencyOut, summary="Một cơ quan")
def get_agency(request: HttpRequest, agency_id: int) -> dict:
    agency = get_object_or_404(Agency, pk=agency_id)
    return _agency_rows(Agency.objects.filter(pk=agency.pk))[0]


class OpeningOut(Schema):
    weekday: int
    opens: Clock
    closes: Clock


class CounterOut(Schema):
    number: int
    label: str
    agency_id: int | None


class DeskOut(Schema):
    id: int
    name: str
    kind: DeskKind
    agency_id: int
    area_id: int
    address: str
    phone: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    counters: list[CounterOut]
    opening_periods: list[OpeningOut]


class DeskFilter(Schema):
    on: Day | None = None
    q: str | None = None
    kind: DeskKind | None = None
    agency: Id | None = None
    area: Id | None = None


@router.get("/desks", response=list[DeskOut], summary="Bộ phận một cửa, Trung tâm PVHCC")
@paginate(Page)
def list_desks(request: HttpRequest, filters: Query[DeskFilter]) -> QuerySet[Desk]:
    qs = Desk.objects.on(filters.on or timezone.localdate())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    if filters.area:
        qs = qs.filter(Q(area_id=filters.area) | Q(area__parent_id=filters.area))
    for term in search_terms(filters.q or ""):
        qs = qs.filter(search_text__contains=term)
    return qs.prefetch_related("counters", "opening_periods").order_by("name")
