"""Staff pages of the one-stop workflow: reception, inboxes, the dossier page, the register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.constants import Role
from cchc.accounts.models import User
from cchc.core.audit import log_action
from cchc.core.files import stored_file_response
from cchc.core.models import AuditEvent
from cchc.core.params import as_day, as_id, as_int
from cchc.core.text import search_terms
from cchc.organizations.constants import AreaLevel, DeskKind
from cchc.organizations.models import AdministrativeArea, Agency
from cchc.procedures import eforms
from cchc.procedures.eforms import readable
from cchc.procedures.models import ProcedureField, ProcedureVersion
from cchc.procedures.querysets import search_versions

from . import constants as c
from . import services as s
from .actions import perform
from .exports import register_xlsx
from .files import result_response
from .forms import ReceptionForm
from .inbox import badges, desk_queue, inbox_page, overview
from .models import Dossier, DossierStep, IssuedForm
from .pdf import render_control_slip, render_declaration, signed_form
from .services import store
from .services.common import calendar_of, limit_of, province_of, timeliness
from .services.permissions import allowed_actions, user_desks, works_at_desk


def visible(request: HttpRequest) -> object:
    return Dossier.objects.visible_to(request.user)


def get_visible(request: HttpRequest, pk: int) -> Dossier:
    """404 (not 403) for a dossier outside the user's scope: its existence stays private.
    Citizens never reach the staff pages of a dossier, their own included: officers' names
    and the internal timeline are not theirs to see (the portal shows them their dossier)."""
    if getattr(request.user, "is_public_account", False):
        raise Http404
    # Four joins, not eight: PostgreSQL spends longer planning a join of eight tables around
    # the dossiers' (many indexes) than running it — 6 ms against 0.8 (bench/RESULTS.md).
    return get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related(
            "procedure_version", "desk", "competent_agency", "province"
        ),
        pk=pk,
    )


def attach_names(d: Dossier) -> None:
    """The dossier page's other related rows, read by primary key in one query per table."""
    agencies = Agency.objects.in_bulk({d.receiving_agency_id, d.holder_agency_id} - {None})
    d.receiving_agency = agencies[d.receiving_agency_id]
    if d.holder_agency_id:
        d.holder_agency = agencies[d.holder_agency_id]
    if d.applicant_area_id:
        d.applicant_area = AdministrativeArea.objects.get(pk=d.applicant_area_id)


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    qs = Dossier.objects.visible_to(request.user).select_related(
        "procedure_version", "desk", "competent_agency", "holder_agency"
    )
    q = request.GET.get("q", "").strip()
    for term in search_terms(q):
        qs = qs.filter(search_text__contains=term)
    status = request.GET.get("status", "")
    if status in c.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-submitted_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dossiers/list.html",
        {"page": page, "q": q, "status": status, "statuses": c.Status.choices},
    )


INBOX_PAGE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    steps, next_key = inbox_page(request.user, request.GET.get("sau", ""), INBOX_PAGE)
    step_rows = [(st, badges(st.dossier, st.due_at, now)) for st in steps]
    queue = list(desk_queue(request.user)[:100])
    scope = overview(request.user)
    overview_rows = None
    if scope is not None:
        overview_rows = [(d, badges(d, d.due_at, now)) for d in scope[:100]]
    return render(
        request,
        "dossiers/inbox.html",
        {
            "next_key": next_key,
            "first_page": not request.GET.get("sau"),
            "step_rows": step_rows,
            "queue": queue,
            "overview_rows": overview_rows,
        },
    )


DESK_LEVELS = {
    DeskKind.PROVINCIAL_CENTER: AreaLevel.PROVINCE,
    DeskKind.DEPARTMENT_RECEPTION: AreaLevel.PROVINCE,
    DeskKind.DISTRICT_RECEPTION: AreaLevel.DISTRICT,
    DeskKind.COMMUNE_CENTER: AreaLevel.COMMUNE,
    DeskKind.COMMUNE_RECEPTION: AreaLevel.COMMUNE,
}


@login_required
def reception(request: HttpRequest) -> HttpResponse:
    desks = user_desks(request.user)
    if not desks:
        messages.warning(request, _("Bạn không được phân công tại bộ phận một cửa nào."))
        return redirect("dossiers:inbox")
    desk = next(
        (d for d in desks if str(d.pk) == request.POST.get("desk", request.GET.get("desk"))),
        desks[0],
    )
    versions = ProcedureVersion.objects.in_force_at().select_related("procedure").order_by("name")
    chosen = request.POST.get("version") or request.GET.get("version")
    version = versions.filter(pk=as_id(chosen)).first() if as_id(chosen) else None
    province = province_of(desk.area)
    if version is None:
        # a province publishes ~2,000 procedures: the desk lists those of its own level (and
        # those whose level the catalog does not say), narrowed by a diacritics-free search
        q = request.GET.get("q", "").strip()[:100]
        listed = search_versions(versions, q) if q else versions
        level = DESK_LEVELS.get(desk.kind)
        if level and not request.GET.get("moi-cap"):
            listed = listed.filter(Q(levels__contains=level) | Q(levels=""))
        return render(
            request,
            "dossiers/reception_pick.html",
            {"desks": desks, "desk": desk, "versions": listed, "q": q, "level": level},
        )
    s.read_for_reception(version)  # the checklist, fees and steps, shared with the services
    documents = list(version.documents.all())
    for doc in documents:  # the stored document picked for it, kept on a re-shown form
        doc.chosen_stored = request.POST.get(f"stored-{doc.pk}", "")  # type: ignore[attr-defined]
    fees = list(version.fees.all())
    form = ReceptionForm(request.POST or None, province=province)
    checked: set[str] = (
        set(request.POST.getlist("documents"))
        if request.method == "POST"
        else {str(doc.pk) for doc in documents}
    )
    errors: dict[str, str] = {}
    definition = version.declaration or {}
    declared = eforms.from_post(definition, request.POST) if definition and request.POST else {}
    outcome = request.POST.get("outcome", "receive")
    number = (request.POST.get("id_number") or request.POST.get("tax_code") or "").strip()[:14]
    if outcome == LOOK_UP and request.method == "POST":
        # The officer asked what is already known of this applicant: the declaration is
        # completed from their latest one, the store's documents are offered below.
        declared = {**_known_declaration(definition, request.POST, number), **declared}
    elif request.method == "POST" and form.is_valid():
        if declared:  # the declaration typed here is the "Tờ khai" line, received
            checked |= {
                str(doc.pk) for doc in documents if eforms.is_declaration_document(doc.name)
            }
        data = form.cleaned_data
        applicant = s.Applicant(
            kind=data["applicant_kind"],
            name=data["name"],
            area=data["area"],
            birth_date=data["birth_date"],
            id_number=data["id_number"],
            tax_code=data["tax_code"],
            representative=data["representative"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
        )
        docs = [
            s.DocumentInput(
                doc.name,
                doc.pk,
                as_int(request.POST.get(f"originals-{doc.pk}"), hi=50, default=doc.originals or 0)
                or 0,
                as_int(request.POST.get(f"copies-{doc.pk}"), hi=50, default=doc.copies or 0) or 0,
                str(doc.pk) in checked or bool(as_id(request.POST.get(f"stored-{doc.pk}"))),
                request.FILES.get(f"file-{doc.pk}"),
                stored_id=as_id(request.POST.get(f"stored-{doc.pk}")) if doc.reusable else None,
            )
            for doc in documents
            if str(doc.pk) in checked
            or request.FILES.get(f"file-{doc.pk}")
            or (doc.reusable and as_id(request.POST.get(f"stored-{doc.pk}")))
        ]
        fee_inputs = [
            s.FeeInput(
                fee.name,
                fee.amount or Decimal(0),
                exempt=bool(request.POST.get(f"exempt-{fee.pk}")),
                exemption_reason=request.POST.get(f"exemption-{fee.pk}", "")[:300],
            )
            for fee in fees
        ]
        missing = [
            s.SupplementItem(doc.pk, request.POST.get(f"problem-{doc.pk}", ""))
            for doc in documents
            if str(doc.pk) not in checked
        ] or [s.SupplementItem(n) for x in request.POST.getlist("wrong") if (n := as_id(x))]
        try:
            dossier = s.take(
                outcome=outcome,
                version=version,
                desk=desk,
                applicant=applicant,
                channel=data["channel"],
                documents=docs,
                actor=request.user,
                sets=data["sets"],
                return_method=data["return_method"],
                request_note=data["request_note"],
                fees=fee_inputs,
                missing=missing,
                reason=data["reason"],
                returned_to=data["returned_to"],
                fee_receipt=data["fee_receipt"],
                declaration=declared or None,
                on_behalf=data["on_behalf"],
            )
        except s.ServiceError as exc:
            errors = exc.details if isinstance(exc.details, dict) else {}
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu hồ sơ."))
            return redirect("dossiers:detail", pk=dossier.pk)
    return render(
        request,
        "dossiers/reception.html",
        {
            "desks": desks,
            "desk": desk,
            "version": version,
            "documents": documents,
            "fee_rows": [
                (
                    fee,
                    bool(request.POST.get(f"exempt-{fee.pk}")),
                    request.POST.get(f"exemption-{fee.pk}", ""),
                )
                for fee in fees
            ],
            "checked": checked,
            "form": form,
            "show_errors": outcome != LOOK_UP,  # looking up is not submitting
            "errors": errors,
            "eform": _desk_eform(definition, declared, errors) if definition else None,
            "stored": (
                list(store.usable(store.store_for_applicant(number), timezone.localdate()))
                if number and any(doc.reusable for doc in documents)
                else []
            ),
        },
        status=400 if request.method == "POST" and outcome != LOOK_UP else 200,
    )


LOOK_UP = "look_up"


def _known_declaration(definition: dict[str, Any], post: Any, number: str) -> dict[str, Any]:
    """What is known of a walk-in applicant: the applicant fields typed above, then their
    latest declaration under the same ID number or tax code."""
    if not definition:
        return {}
    person = SimpleNamespace(
        full_name=post.get("name", ""),
        birth_date=as_day(post.get("birth_date")),
        id_number=post.get("id_number", ""),
        phone=post.get("phone", ""),
        email=post.get("email", ""),
        address=post.get("address", ""),
    )
    earlier = {}
    if number:
        earlier = (
            Dossier.objects.filter(Q(id_number=number) | Q(tax_code=number))
            .exclude(declaration={})
            .order_by("-pk")
            .values_list("declaration", flat=True)
            .first()
        ) or {}
    return eforms.prefill(definition, person, earlier)


def _desk_eform(
    definition: dict[str, Any], values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """The declaration the officer types for a walk-in applicant (optional at the desk: a
    paper declaration handed in is a document like the others)."""
    return {
        "definition": definition,
        "values": values,
        "errors": {
            key.removeprefix("declaration."): message
            for key, message in errors.items()
            if key.startswith("declaration.")
        },
        "communes": AdministrativeArea.objects.on(timezone.localdate())
        .filter(level="commune")
        .order_by("name")
        .values_list("code", "name"),
    }


def available_actions(user: User, d: Dossier, steps: list[DossierStep]) -> list[str]:
    """The actions the dossier's status allows and this user may take (the forms shown)."""
    return allowed_actions(user, d, steps)


STATUS_LABELS = dict(c.Status.choices)
ACTION_LABELS = {
    **{f"dossier.{value}": label for value, label in c.Action.choices},
    # the postal operator's reports on the dossier's pickup or delivery
    **{f"postal.{value}": label for value, label in c.PostalState.choices},
}


def timeline_labels(event: AuditEvent) -> tuple[str, str, str]:
    """The action and statuses of an audit event in words."""
    return (
        str(ACTION_LABELS.get(event.action, event.action)),
        str(STATUS_LABELS.get(event.from_status, event.from_status)),
        str(STATUS_LABELS.get(event.to_status, event.to_status)),
    )


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_visible(request, pk)  # citizens never get here (core StaffAreaMiddleware)
    attach_names(d)
    steps = list(d.steps.select_related("agency", "assignee", "done_by").order_by("order", "pk"))
    active = [st for st in steps if st.status == c.StepStatus.ACTIVE]
    explanation = None
    # a dossier carried over from another system keeps the due date that system set
    if d.received_at and d.procedure_version.time_limit is not None and not d.imported_from:
        explanation = calendar_of(d).explain(d.received_at, limit_of(d))
    agencies = {st.agency_id for st in active}
    members = (
        User.objects.filter(memberships__agency_id__in=agencies, is_active=True)
        .distinct()
        .order_by("full_name")
        if agencies
        else User.objects.none()
    )
    fees = list(d.fees.all())
    events = [
        (event, *timeline_labels(event))
        for event in AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))
        .only("occurred_at", "actor_label", "action", "from_status", "to_status", "reason")
        .order_by("sequence")
    ]
    return render(
        request,
        "dossiers/detail.html",
        {
            "d": d,
            "steps": steps,
            "active": active,
            "documents": d.documents.select_related("required_document"),
            "declaration": readable(d.procedure_version.declaration, d.declaration)
            if d.declaration and d.procedure_version.declaration
            else None,
            # read only when a form lists them (reception, supplement), once per page
            "version_documents": d.procedure_version.documents.all(),
            "handovers": d.handovers.select_related("from_agency", "to_agency", "from_user"),
            "stops": d.clock_stops.all(),
            "due_changes": d.due_changes.all(),
            "forms": d.forms.all(),
            "fees": fees,
            "supplements": d.supplement_requests.all(),
            "events": events,
            "actions": available_actions(request.user, d, steps),
            "finished": d.status in c.FINAL_STATUSES,
            "members": members,
            # (key, name) pairs: a province has a few hundred, read only for the consult form
            "agencies": Agency.objects.on(timezone.localdate())
            .exclude(pk__in=agencies)
            .filter(kind__in=["department", "vertical_agency", "commune_peoples_committee"])
            .order_by("name")
            .values_list("pk", "name")[:400],
            "badge": badges(d, d.due_at) if d.status in c.ACTIVE_STATUSES else None,
            "explanation": explanation,
            "at_desk": works_at_desk(request.user, d),
            "return_methods": c.ReturnMethod.choices,
            "correction_faults": c.CorrectionFault.choices,
            "corrections": list(d.corrections.only("pk", "code", "status", "due_at")),
            "early_return": d.status == c.Status.RESULT_READY
            and timeliness(timezone.now(), d.legal_due_at) == c.Timeliness.EARLY,
            "unpaid_fees": [f for f in fees if not f.exempt and f.paid_at is None and f.amount],
            "payment_methods": c.PaymentMethod.choices,
        },
    )


@login_required
@require_POST
def dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = get_visible(request, pk)
    revision = request.POST.get("revision")
    try:
        perform(
            d,
            action,
            request.POST,
            actor=request.user,
            files=request.FILES,
            revision=as_int(revision),
        )
    except s.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã thực hiện: %(action)s.") % {"action": c.Action(action).label}
        )
    return redirect("dossiers:detail", pk=d.pk)


@login_required
def personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID number, shown on request and logged (data protection)."""
    d = get_visible(request, pk)
    with transaction.atomic():
        log_action(d, "dossier.view_personal_data", actor=request.user)
    return render(request, "dossiers/personal.html", {"d": d})


@login_required
def form_pdf(request: HttpRequest, pk: int, form_pk: int) -> HttpResponse:
    d = get_visible(request, pk)
    form = get_object_or_404(IssuedForm, pk=form_pk, dossier=d)
    response = HttpResponse(signed_form(form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form.kind}-{d.code or d.pk}.pdf"'
    return response


@login_required
def control_slip(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_visible(request, pk)
    response = HttpResponse(render_control_slip(d), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-kiem-soat-{d.code or d.pk}.pdf"'
    return response


@login_required
def declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_visible(request, pk)
    if not d.declaration:
        raise Http404
    return pdf_response(render_declaration(d), f"to-khai-{d.code or d.submission_code or d.pk}")


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def document_file(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    d = get_visible(request, pk)
    doc = get_object_or_404(d.documents, pk=doc_pk)
    return stored_file_response(doc.file, doc.content_type, doc.file_name)


@login_required
def result_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The result file attached at the last step, for every official who sees the dossier."""
    return result_response(get_visible(request, pk))


def _parse_day(raw: str | None) -> dt.date | None:
    return as_day(raw)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The dossier register per desk and field, filterable, exported to .xlsx (R-FORMS)."""
    qs = Dossier.objects.visible_to(request.user).filter(received_at__isnull=False)
    desk = request.GET.get("desk", "")
    if as_id(desk):
        qs = qs.filter(desk_id=as_id(desk))
    field = request.GET.get("field", "")
    if as_id(field):
        qs = qs.filter(field_id=as_id(field))
    start, end = _parse_day(request.GET.get("from")), _parse_day(request.GET.get("to"))
    if start:
        qs = qs.filter(received_at__date__gte=start)
    if end:
        qs = qs.filter(received_at__date__lte=end)
    qs = qs.order_by("received_at", "pk")
    if request.GET.get("format") == "xlsx":
        # an open end is the register's first reception, or today
        first = qs.values_list("received_at", flat=True).first()
        start = start or (timezone.localdate(first) if first else timezone.localdate())
        end = end or timezone.localdate()
        title = f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"
        response = HttpResponse(
            register_xlsx(qs, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="so-theo-doi-ho-so.xlsx"'
        return response
    page = Paginator(
        qs.select_related("procedure_version", "competent_agency", "applicant_area"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "dossiers/register.html",
        {
            "page": page,
            "desks": user_desks(request.user),
            "fields": ProcedureField.objects.order_by("name"),
            "desk": desk,
            "field": field,
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def reassign(request: HttpRequest) -> HttpResponse:
    """A leader hands every pending step of one officer to another (leave, posting ended)."""
    agencies = [
        m.agency_id
        for m in request.user.current_memberships()
        if m.role in (Role.AGENCY_LEADER, Role.DIVISION_HEAD)
    ]
    if not agencies and not request.user.is_superuser:
        raise Http404
    people = (
        User.objects.filter(memberships__agency_id__in=agencies).distinct().order_by("full_name")
    )
    if request.user.is_superuser:
        people = User.objects.filter(memberships__isnull=False).distinct().order_by("full_name")
    if request.method == "POST":
        try:
            source = people.get(pk=as_id(request.POST.get("from_user")) or 0)
            target = people.get(pk=as_id(request.POST.get("to_user")) or 0)
            moved = s.reassign_pending(
                from_user=source,
                to_user=target,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except User.DoesNotExist:
            messages.error(request, _("Chọn cán bộ trong cơ quan của bạn."))
        except s.ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã chuyển %(n)s bước xử lý.") % {"n": moved})
            return redirect("dossiers:inbox")
    return render(request, "dossiers/reassign.html", {"people": people})
