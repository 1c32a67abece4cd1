"""The public portal: catalog, accounts, online submission, my dossiers, lookup, ratings,
feedback and public statistics. No staff code here: every change goes through services."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.constants import Role
from cchc.accounts.models import AccountKind
from cchc.accounts.services import identity_level
from cchc.core import throttle
from cchc.core.errors import DomainError, Forbidden, TooMany
from cchc.core.exports import csv_text
from cchc.core.files import stored_file_response
from cchc.core.http import safe_next
from cchc.core.models import AuditEvent
from cchc.core.params import as_day, as_id, as_int
from cchc.core.throttle import client_ip
from cchc.dossiers import constants as dc
from cchc.dossiers import services as ds
from cchc.dossiers.files import result_available, result_response, signed_result_available
from cchc.dossiers.models import Dossier, IssuedForm
from cchc.dossiers.pdf import render_declaration, signed_form
from cchc.dossiers.services import store
from cchc.dossiers.services.common import ServiceError
from cchc.integrations import payment, postal
from cchc.integrations.models import Payment
from cchc.organizations.constants import AreaLevel
from cchc.organizations.models import AdministrativeArea, Agency, Counter, Desk
from cchc.procedures import eforms
from cchc.procedures.models import Procedure, ProcedureField, ProcedureVersion, RequiredDocument
from cchc.procedures.querysets import search_versions
from cchc.reports import rollups

from . import services
from .models import (
    DraftStatus,
    DraftUpload,
    Feedback,
    FeedbackTopic,
    KioskDevice,
    LifeEvent,
    OnlineDraft,
    RatingChannel,
    RatingCriterion,
)

PUBLIC_HISTORY = {
    "dossier.create": "Hồ sơ được ghi nhận",
    "dossier.receive": "Hồ sơ được tiếp nhận, bắt đầu giải quyết",
    "dossier.request_completion": "Đề nghị bổ sung, hoàn thiện hồ sơ",
    "dossier.resubmit": "Người nộp đã bổ sung hồ sơ",
    "dossier.refuse_reception": "Hồ sơ không được tiếp nhận",
    "dossier.request_supplement": "Đề nghị bổ sung hồ sơ trong quá trình giải quyết",
    "dossier.supply": "Đã nhận đủ hồ sơ bổ sung",
    "dossier.pause": "Tạm dừng giải quyết",
    "dossier.resume": "Tiếp tục giải quyết",
    "dossier.apologise": "Cơ quan xin lỗi và hẹn lại ngày trả kết quả",
    "dossier.declare_ineligible": "Hồ sơ không đủ điều kiện giải quyết",
    "dossier.mark_result_ready": "Đã có kết quả",
    "dossier.notify_early": "Thông báo có kết quả sớm",
    "dossier.return_result": "Đã trả kết quả",
    "dossier.withdraw": "Dừng giải quyết theo đề nghị của người nộp",
    "dossier.close_unsupplemented": "Dừng giải quyết do không bổ sung hồ sơ",
    "postal.requested": "Bưu chính: đã gửi yêu cầu tới bưu điện",
    "postal.accepted": "Bưu chính: bưu điện đã nhận yêu cầu",
    "postal.picked_up": "Bưu chính: bưu điện đã nhận bưu gửi",
    "postal.in_transit": "Bưu chính: đang vận chuyển",
    "postal.failed": "Bưu chính: phát không thành công, sẽ phát lại",
    "postal.delivered": "Bưu chính: đã phát thành công",
    "postal.returned": "Bưu chính: đã chuyển hoàn",
}


def published_versions():  # type: ignore[no-untyped-def]
    return ProcedureVersion.objects.in_force_at().select_related("procedure", "field")


def _code_and_secret(request: HttpRequest, size: int = 60) -> tuple[str, str]:
    """The code and secret from the form (POST: kept out of access logs) or from the link
    printed on the receipt (GET). Both are issued in capitals: what is typed in lower case
    is the same code."""
    data = request.POST if "ma" in request.POST else request.GET
    return data.get("ma", "").strip().upper()[:size], data.get("mk", "").strip().upper()[:12]


def _lookup_blocked(request: HttpRequest) -> bool:
    return throttle.blocked(
        f"lookup:{client_ip(request)}", limit=settings.CCHC_LOOKUP_LIMIT, window_seconds=600
    )


def _refuse_when_blocked(request: HttpRequest) -> None:
    """429 in the portal's frame once this client has guessed too many codes."""
    if _lookup_blocked(request):
        raise TooMany(
            "too_many_lookups",
            _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau ít phút."),
        )


def _lookup_failed(request: HttpRequest) -> None:
    throttle.hit(
        f"lookup:{client_ip(request)}", limit=settings.CCHC_LOOKUP_LIMIT, window_seconds=600
    )


# -- catalog ---------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "fields": ProcedureField.objects.order_by("name"),
            "events": LifeEvent.objects.all(),
            "open": settings.CCHC_PORTAL_OPEN,
        },
    )


def catalog(request: HttpRequest) -> HttpResponse:
    qs = published_versions()
    q = request.GET.get("q", "").strip()
    if q:
        qs = search_versions(qs, q)
    level = request.GET.get("level", "")
    if level in AreaLevel.values:
        qs = qs.filter(levels__contains=level)
    field = request.GET.get("field", "")
    if field:
        qs = qs.filter(field__code=field)
    event = request.GET.get("event", "")
    if as_id(event):
        qs = qs.filter(procedure__life_events__pk=as_id(event))
    agency = request.GET.get("agency", "")
    if as_id(agency):
        qs = qs.filter(procedure__competences__agency_id=as_id(agency)).distinct()
    page = Paginator(qs.order_by("field__name", "name"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/catalog.html",
        {
            "page": page,
            "q": q,
            "level": level,
            "levels": [(k, v) for k, v in AreaLevel.choices if k != AreaLevel.DISTRICT],
            "field": field,
            "fields": ProcedureField.objects.order_by("name"),
            "event": event,
            "events": LifeEvent.objects.all(),
            "agency": agency,
            "agencies": Agency.objects.on(timezone.localdate())
            .filter(kind="department")
            .order_by("name"),
        },
    )


def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    version = published_versions().filter(procedure__code=code).first()
    if version is None:
        raise Http404
    today = timezone.localdate()
    province = AdministrativeArea.objects.filter(
        level="province", code=settings.CCHC_DEFAULT_PROVINCE_CODE
    ).first()
    levels = version.level_list()
    desks = Desk.objects.on(today).prefetch_related("opening_periods").select_related("agency")
    if "province" in levels and "commune" not in levels:
        desks = desks.filter(kind="provincial_center")
    elif "commune" in levels and "province" not in levels:
        desks = desks.filter(kind="commune_center")
    return render(
        request,
        "portal/procedure.html",
        {
            "v": version,
            "documents": version.documents.all(),
            "fees": version.fees.all(),
            "desks": desks.order_by("kind", "name")[:8],
            "desk_count": desks.count(),
            "province": province,
            "open": settings.CCHC_PORTAL_OPEN and version.accepts_online,
        },
    )


# -- accounts --------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = services.register_account(
                kind=request.POST.get("kind", AccountKind.CITIZEN),
                contact=request.POST.get("contact", ""),
                password=request.POST.get("password", ""),
                full_name=request.POST.get("full_name", ""),
                id_number=request.POST.get("id_number", "").strip(),
                tax_code=request.POST.get("tax_code", "").strip(),
                representative=request.POST.get("representative", ""),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            errors = exc.details if isinstance(exc.details, dict) else {"contact": exc.message}
            messages.error(request, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đã gửi mã xác thực đến %(to)s.") % {"to": user.username})
            return redirect("portal:verify")
    return render(
        request,
        "portal/register.html",
        {"errors": errors, "data": request.POST, "kinds": AccountKind.choices[1:3]},
        status=400 if errors else 200,
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("resend"):
                services.send_verification(request.user, ip=client_ip(request))  # type: ignore[arg-type]
                messages.info(request, _("Đã gửi lại mã xác thực."))
            else:
                services.verify_account(
                    request.user,  # type: ignore[arg-type]
                    request.POST.get("code", "")[:20],
                    ip=client_ip(request),
                )
                messages.success(request, _("Tài khoản đã được xác thực."))
                return redirect(safe_next(request, "portal:my_dossiers"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    return render(request, "portal/verify.html")


# -- online submission -----------------------------------------------------------------------


def _require_open() -> None:
    if not settings.CCHC_PORTAL_OPEN:
        raise Http404


def _public_user(request: HttpRequest) -> None:
    if not getattr(request.user, "is_public_account", False):
        raise Http404


@login_required
def start_application(request: HttpRequest, code: str) -> HttpResponse:
    _require_open()
    _public_user(request)
    version = published_versions().filter(procedure__code=code).first()
    if version is None:
        raise Http404
    services.require_online(version)
    draft = OnlineDraft.objects.filter(
        user=request.user, version=version, status=DraftStatus.DRAFT
    ).first() or OnlineDraft.objects.create(
        user=request.user,
        version=version,
        data={
            "name": request.user.full_name,
            "phone": request.user.phone,  # type: ignore[union-attr]
            "email": request.user.email,
            "address": request.user.address,
        },  # type: ignore[union-attr]
    )
    return redirect("portal:draft", pk=draft.pk)


FIELDS = ("name", "birth_date", "phone", "email", "address", "request_note", "representative")


@login_required
def draft_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_open()
    draft = get_object_or_404(OnlineDraft, pk=pk, user=request.user, status=DraftStatus.DRAFT)
    today = timezone.localdate()
    areas = AdministrativeArea.objects.on(today).filter(level="commune").order_by("name")
    if request.method == "POST":
        for name in FIELDS:
            if name in request.POST:
                draft.data[name] = request.POST.get(name, "").strip()[:500]
        birth = draft.data.get("birth_date", "")
        if birth:
            day = as_day(birth)
            if day is None:
                messages.error(request, _("Ngày sinh phải theo dạng dd/mm/yyyy."))
                draft.data["birth_date"] = ""
            else:
                draft.data["birth_date"] = day.isoformat()
        area = areas.filter(pk=as_id(request.POST.get("area")) or 0).first()
        if area is not None:
            draft.area = area
        if draft.version.declaration and any(k.startswith("ef-") for k in request.POST):
            # what was typed is kept, valid or not
            draft.data["declaration"] = eforms.from_post(draft.version.declaration, request.POST)
        reusable = [doc for doc in draft.version.documents.all() if doc.reusable]
        if reusable:
            services.choose_stored(draft, request.POST, [doc.pk for doc in reusable])
        draft.save()
        for doc in draft.version.documents.all():
            upload = request.FILES.get(f"file-{doc.pk}")
            if upload is not None:
                try:
                    services.save_upload(draft, doc.pk, upload)
                except ServiceError as exc:
                    messages.error(request, f"{doc.name}: {exc.message}")
        desks = services.desks_for(draft.version, draft.area, today) if draft.area else []
        chosen = next((d for d in desks if str(d.pk) == request.POST.get("desk")), None)
        if chosen is None and desks and (draft.desk_id not in {d.pk for d in desks}):
            chosen = desks[0]
        if chosen is not None:
            draft.desk = chosen
            draft.save(update_fields=["desk", "updated_at"])
        if request.POST.get("submit"):
            try:
                dossier = services.submit_draft(draft)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Đã nộp hồ sơ. Mã nộp hồ sơ: %(code)s. Bộ phận một cửa sẽ kiểm tra và "
                        "thông báo trong 8 giờ làm việc."
                    )
                    % {"code": dossier.submission_code},
                )
                return redirect("portal:my_dossier", pk=dossier.pk)
        else:
            messages.success(request, _("Đã lưu bản nháp."))
        return redirect("portal:draft", pk=draft.pk)
    desks = services.desks_for(draft.version, draft.area, today) if draft.area else []
    uploads = {u.required_document_id: u for u in draft.uploads.all()}
    return render(
        request,
        "portal/draft.html",
        {
            "draft": draft,
            "areas": areas,
            "desks": desks,
            "rows": [(doc, uploads.get(doc.pk)) for doc in draft.version.documents.all()],
            "stored": services.stored_choices(draft),
            "declared": services.declared_by_eform(draft.version),
            "reused": draft.data.get("reuse", {}),
            "missing": services.missing_for(draft),
            "verified": request.user.verified_at is not None,  # type: ignore[union-attr]
            "level_needed": services.level_needed(draft),
            "vneid": settings.CCHC_VNEID,
            "eform": _eform(draft),
        },
    )


def _eform(draft: OnlineDraft) -> dict[str, Any] | None:
    """The declaration to fill: what was typed, or what is already known (the account, the
    person's latest declaration); its errors beside each field once it has been saved."""
    definition = draft.version.declaration
    if not definition:
        return None
    saved = draft.data.get("declaration") is not None
    values = services.declaration_values(draft)
    return {
        "definition": definition,
        "values": values,
        "errors": eforms.errors(definition, values) if saved else {},
        "communes": AdministrativeArea.objects.on(timezone.localdate())
        .filter(level="commune")
        .order_by("name")
        .values_list("code", "name"),
    }


@login_required
def draft_file(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    """A file the citizen attached to their own draft (to check what they uploaded)."""
    upload = get_object_or_404(
        DraftUpload,
        pk=upload_pk,
        draft__pk=pk,
        draft__user=request.user,
        draft__status=DraftStatus.DRAFT,
    )
    return stored_file_response(
        upload.file, content_type=upload.content_type, name=upload.file_name
    )


# -- my dossiers -----------------------------------------------------------------------------


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    _public_user(request)
    dossiers = (
        Dossier.objects.filter(applicant_user=request.user)
        .select_related("procedure_version")
        .order_by("-submitted_at")
    )
    drafts = OnlineDraft.objects.filter(user=request.user, status=DraftStatus.DRAFT).select_related(
        "version"
    )
    return render(
        request,
        "portal/my_dossiers.html",
        {
            "dossiers": dossiers,
            "drafts": drafts,
            "level": identity_level(request.user),  # type: ignore[arg-type]
            "vneid": settings.CCHC_VNEID,
        },
    )


@login_required
def my_store(request: HttpRequest) -> HttpResponse:
    """The applicant's document store: signed results and documents digitised at a desk,
    which a later application takes instead of a new copy."""
    _public_user(request)
    rows = store.store_of(request.user).select_related("source_dossier")
    return render(
        request,
        "portal/my_store.html",
        {
            "rows": rows,
            "today": timezone.localdate(),
            "linked": store.identity_verified(request.user),
            "vneid": settings.CCHC_VNEID,
        },
    )


@login_required
def my_stored_file(request: HttpRequest, pk: int) -> HttpResponse:
    _public_user(request)
    row = get_object_or_404(store.store_of(request.user), pk=pk)
    extension = row.file.name.rsplit(".", 1)[-1]
    return stored_file_response(
        row.file, content_type=row.content_type, name=f"{row.name[:80]}.{extension}"
    )


def history(dossier: Dossier) -> list[tuple[dt.datetime, str, str]]:
    """The dossier's history in plain words, without names of officers or personal data."""
    events = (
        AuditEvent.objects.filter(
            object_type="dossiers.dossier", object_id=str(dossier.pk), action__in=PUBLIC_HISTORY
        )
        .order_by("sequence")
        .values_list("occurred_at", "action", "reason")
    )
    public_reasons = {
        "dossier.request_completion",
        "dossier.request_supplement",
        "dossier.refuse_reception",
        "dossier.apologise",
        "dossier.declare_ineligible",
        "dossier.pause",
    }
    return [
        (at, PUBLIC_HISTORY[action], reason if action in public_reasons else "")
        for at, action, reason in events
    ]


@login_required
def my_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    _public_user(request)
    d = get_object_or_404(
        Dossier.objects.select_related("procedure_version", "desk"),
        pk=pk,
        applicant_user=request.user,
    )
    request_row = d.supplement_requests.filter(answered_at__isnull=True).first()
    return render(
        request,
        "portal/my_dossier.html",
        {
            "d": d,
            "history": history(d),
            "forms": d.forms.all(),
            "documents": d.documents.all(),
            "notifications": d.notifications.filter(user__isnull=True, channel="email"),
            "request": request_row,
            "result": result_available(d),
            "can_withdraw": dc.allowed(dc.Action.WITHDRAW, d.status),
            "can_rate": d.status == dc.Status.RETURNED and not hasattr(d, "rating"),
            "criteria": RatingCriterion.objects.filter(active=True),
            "scale": services.SCALE,
            "fees": [f for f in d.fees.all() if not f.exempt],
            "payable": payment.payable(d),
            "postal_orders": d.postal_orders.all(),
            "may_pickup": d.channel == dc.Channel.ONLINE and postal.may_request_pickup(d),
        },
    )


@login_required
@require_POST
def my_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant pays the dossier's unpaid fees online: off to the payment gateway."""
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    try:
        url = payment.start(
            d, base_url=request.build_absolute_uri("/").rstrip("/"), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:my_dossier", pk=d.pk)
    return redirect(url)


@login_required
@require_POST
def my_pickup(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant asks the postal service to collect the dossier's papers at home."""
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    try:
        order = postal.request_pickup(
            d,
            actor=request.user,
            address=request.POST.get("address", "")[:400],
            phone=request.POST.get("phone", "")[:20],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã gửi yêu cầu thu gom tới bưu điện (đơn hàng %(number)s).")
            % {"number": order.number},
        )
    return redirect("portal:my_dossier", pk=d.pk)


@login_required
def payment_result(request: HttpRequest, reference: str) -> HttpResponse:
    """Where the gateway sends the applicant back: the payment's state as recorded from the
    gateway's own (server-to-server) result, never from the address."""
    _public_user(request)
    row = get_object_or_404(
        Payment.objects.select_related("dossier"),
        reference=reference[:40],
        dossier__applicant_user=request.user,
    )
    return render(request, "portal/payment_result.html", {"payment": row, "d": row.dossier})


@login_required
@require_POST
def my_dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    try:
        if action == "withdraw":
            ds.withdraw(d, reason=request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("Đã dừng giải quyết hồ sơ theo đề nghị của bạn."))
        elif action == "supplement":
            listed = {doc.pk: doc for doc in d.procedure_version.documents.all()}
            documents = []
            for doc_id, doc in listed.items():
                upload = request.FILES.get(f"file-{doc_id}")
                if upload is not None:
                    documents.append(
                        ds.DocumentInput(doc.name, doc_id, doc.originals, doc.copies, True, upload)
                    )
            if d.status == dc.Status.AWAITING_COMPLETION:
                ds.resubmit(d, documents=documents, actor=request.user)
            else:
                if not documents:
                    raise ServiceError("items_required", _("Cần đính kèm giấy tờ được yêu cầu."))
                ds.supply(d, documents=documents, actor=request.user)
            messages.success(request, _("Đã gửi hồ sơ bổ sung."))
        elif action == "rate":
            scores = {
                c.code: as_int(request.POST.get(f"score-{c.code}"), lo=-1, hi=10, default=-1)
                for c in RatingCriterion.objects.filter(active=True)
            }
            services.rate(
                d,
                scores=scores,
                comment=request.POST.get("comment", ""),
                channel=RatingChannel.PORTAL,
            )
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Mức đánh giá không hợp lệ."))
    return redirect("portal:my_dossier", pk=d.pk)


@login_required
def my_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's own result file (R-RETURN: electronic as well as on paper)."""
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    if not signed_result_available(d):
        raise Http404
    return _deliver(d)


def _deliver(d: Dossier) -> HttpResponse:
    """The signed result; its first download is the electronic return when the applicant
    chose that (R-RETURN), recorded as the system's act on the applicant's behalf."""
    if d.status == dc.Status.RESULT_READY and d.return_method == dc.ReturnMethod.ELECTRONIC:
        try:
            d = ds.return_result(
                d,
                actor=None,
                method=dc.ReturnMethod.ELECTRONIC,
                returned_to=d.applicant_name,
                told_early=True,
            )
        except DomainError as exc:  # a fee still due: the desk settles it first
            raise Forbidden(exc.code, exc.message) from exc
    return result_response(d)


@login_required
def my_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    """A file the applicant sent with their own dossier (online or as a supplement)."""
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    doc = get_object_or_404(d.documents.exclude(file=""), pk=doc_pk)
    return stored_file_response(doc.file, doc.content_type, doc.file_name)


@login_required
def my_declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's own declaration, printed as the official form."""
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    if not d.declaration:
        raise Http404
    return HttpResponse(render_declaration(d), content_type="application/pdf")


@login_required
def my_form_pdf(request: HttpRequest, pk: int, form_pk: int) -> HttpResponse:
    _public_user(request)
    d = get_object_or_404(Dossier, pk=pk, applicant_user=request.user)
    form = get_object_or_404(IssuedForm, pk=form_pk, dossier=d)
    return HttpResponse(signed_form(form), content_type="application/pdf")


# -- lookup without an account -----------------------------------------------------------------


def lookup_result(request: HttpRequest) -> HttpResponse:
    """The result file for whoever holds the code and the secret printed on the receipt,
    limited like the lookup itself."""
    code, secret = _code_and_secret(request)
    _refuse_when_blocked(request)
    found = services.find_by_secret(code, secret)
    if found is None:
        _lookup_failed(request)
        raise Http404
    if not signed_result_available(found):
        raise Http404
    response = _deliver(found)
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: the secret never leaves the site, and the browser still
    # sends a real Origin with the lookup form's POST (no-referrer makes it "null", which
    # Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def verify_document(request: HttpRequest, token: str = "") -> HttpResponse:
    """Anyone checks a signed document: the QR code's page states what the document is (no
    personal data), and a PDF sent here is checked — signatures intact, trusted, covering the
    whole file, and for a result the very file issued."""
    from cchc.core.signing import verify_pdf
    from cchc.dossiers.links import read_verify_token

    document: dict[str, Any] | None = None
    issued_hash = ""
    if token:
        found = read_verify_token(token)
        if found is None:
            raise Http404
        kind, pk = found
        if kind == "result":
            d = (
                Dossier.objects.select_related(
                    "procedure_version", "competent_agency", "holder_agency"
                )
                .filter(pk=pk, result_signed_at__isnull=False)
                .first()
            )
            if d is None:
                raise Http404
            agency = d.competent_agency
            document = {
                "kind": _("Kết quả giải quyết thủ tục hành chính"),
                "number": d.result_number,
                "dossier": d.code,
                "procedure": d.procedure_version.name,
                "agency": agency.name,
                "signer": d.result_signer,
                "at": d.result_signed_at,
            }
            issued_hash = d.result_sha256
        else:
            form = IssuedForm.objects.select_related("dossier").filter(pk=pk).first()
            if form is None:
                raise Http404
            document = {
                "kind": form.get_kind_display(),
                "number": form.number,
                "dossier": form.dossier.code or form.dossier.submission_code,
                "procedure": form.data.get("procedure", ""),
                "agency": form.data.get("issuer", ""),
                "signer": "",
                "at": form.issued_at,
            }
    verdict = None
    same_file = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Chọn tệp PDF cần kiểm tra."))
            status = 400
        elif upload.size > settings.CCHC_SCAN_MAX_BYTES:
            messages.error(request, _("Tệp quá lớn để kiểm tra."))
            status = 400
        else:
            verdict = verify_pdf(upload.read())
            same_file = bool(issued_hash) and verdict.sha256 == issued_hash
    return render(
        request,
        "portal/verify_document.html",
        {"document": document, "verdict": verdict, "same_file": same_file, "token": token},
        status=status,
    )


def lookup(request: HttpRequest) -> HttpResponse:
    """Code + secret (or the receipt's QR code). A wrong secret answers exactly like an unknown
    code, and failures are limited per client so that codes cannot be enumerated."""
    code, secret = _code_and_secret(request)
    found = None
    blocked = False
    if code or secret:
        if _lookup_blocked(request):
            blocked = True
        else:
            found = services.find_by_secret(code, secret)
            if found is None:
                _lookup_failed(request)
    response = render(
        request,
        "portal/lookup.html",
        {
            "found": found,
            "code": code,
            "asked": bool(code or secret),
            "blocked": blocked,
            "history": history(found) if found else [],
            "result": found is not None and result_available(found),
            "secret": secret,
        },
        status=429 if blocked else 200,
    )
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: the secret never leaves the site, and the browser still
    # sends a real Origin with the lookup form's POST (no-referrer makes it "null", which
    # Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


# -- ratings: by link and at the counter -------------------------------------------------------


def rate_by_link(request: HttpRequest) -> HttpResponse:
    """The rating page for whoever holds the code and secret; guessed like the lookup, so
    limited with it."""
    code, secret = _code_and_secret(request)
    _refuse_when_blocked(request)
    d = services.find_by_secret(code, secret)
    if d is None:
        _lookup_failed(request)
        raise Http404
    # Arriving from the lookup page ("open"): show the form, rate nothing yet.
    submitted = request.method == "POST" and not request.POST.get("open")
    return _rating_page(request, d, RatingChannel.LINK, {"ma": code, "mk": secret}, submitted)


def kiosk(request: HttpRequest) -> HttpResponse:
    """A tablet at a counter: the dossier returned there in the last minutes, to be rated.
    Only a tablet bound to a counter by the desk's supervisor (a signed cookie) sees it."""
    device = services.kiosk_device(request.COOKIES.get(services.KIOSK_COOKIE))
    if device is None:
        return render(request, "portal/kiosk_locked.html", status=403)
    counter = device.counter
    if request.method == "POST" and throttle.hit(
        f"kiosk:{device.pk}", limit=settings.CCHC_KIOSK_RATINGS_PER_HOUR, window_seconds=3600
    ):
        raise TooMany("too_many_ratings", _("Thiết bị gửi quá nhiều đánh giá; vui lòng chờ."))
    since = timezone.now() - dt.timedelta(minutes=settings.CCHC_KIOSK_MINUTES)
    d = (
        Dossier.objects.filter(
            desk=counter.desk,
            status=dc.Status.RETURNED,
            returned_at__gte=since,
            rating__isnull=True,
        )
        .select_related("procedure_version")
        .order_by("-returned_at")
        .first()
    )
    if d is None:
        return render(request, "portal/kiosk_idle.html", {"counter": counter})
    return _rating_page(
        request, d, RatingChannel.KIOSK, {}, request.method == "POST", counter=counter
    )


@login_required
def kiosk_setup(request: HttpRequest) -> HttpResponse:
    """The desk's supervisor binds this browser (the counter's tablet) to a counter, or
    revokes a tablet."""
    desks = services.kiosk_desks(request.user)  # type: ignore[arg-type]
    if not desks:
        raise Http404
    counters = Counter.objects.filter(desk_id__in=desks).select_related("desk")
    if request.method == "POST":
        if as_id(request.POST.get("revoke")):
            device = get_object_or_404(
                KioskDevice, pk=as_id(request.POST.get("revoke")), counter__desk_id__in=desks
            )
            services.revoke_kiosk(device, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Đã thu hồi thiết bị."))
            return redirect("portal:kiosk_setup")
        counter = get_object_or_404(counters, pk=as_id(request.POST.get("counter")) or 0)
        _device, cookie = services.activate_kiosk(
            counter,
            name=request.POST.get("name", "").strip(),
            actor=request.user,  # type: ignore[arg-type]
        )
        response = redirect("portal:kiosk")
        response.set_cookie(
            services.KIOSK_COOKIE,
            cookie,
            max_age=settings.CCHC_KIOSK_DEVICE_DAYS * 86400,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        # The tablet stays signed out: it rates, it does not act as the supervisor.
        logout(request)
        return response
    return render(
        request,
        "portal/kiosk_setup.html",
        {
            "counters": counters.order_by("desk__name", "number"),
            "devices": KioskDevice.objects.filter(counter__desk_id__in=desks, revoked_at=None)
            .select_related("counter__desk", "activated_by")
            .order_by("counter__desk__name", "counter__number"),
        },
    )


def _rating_page(request, d, channel, hidden, submitted, counter=None):  # type: ignore[no-untyped-def]
    criteria = RatingCriterion.objects.filter(active=True)
    if submitted:
        try:
            scores = {
                c.code: as_int(request.POST.get(f"score-{c.code}"), lo=-1, hi=10, default=-1)
                for c in criteria
            }
            services.rate(
                d, scores=scores, comment=request.POST.get("comment", ""), channel=channel
            )
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Mức đánh giá không hợp lệ.")))
        else:
            return render(request, "portal/rated.html", {"counter": counter})
    return render(
        request,
        "portal/rate.html",
        {
            "d": d,
            "criteria": criteria,
            "scale": services.SCALE,
            "hidden": hidden,
            "rated": hasattr(d, "rating"),
        },
    )


# -- feedback ----------------------------------------------------------------------------------


def feedback_new(request: HttpRequest) -> HttpResponse:
    created = None
    if request.method == "POST":
        procedure = Procedure.objects.filter(code=request.POST.get("procedure", "")).first()
        desk = Desk.objects.filter(pk=as_id(request.POST.get("desk")) or 0).first()
        topic = request.POST.get("topic", FeedbackTopic.OTHER)
        try:
            created = services.submit_feedback(
                topic=topic if topic in FeedbackTopic.values else FeedbackTopic.OTHER,
                procedure=procedure,
                desk=desk,
                officer_name=request.POST.get("officer_name", "")[:200],
                name=request.POST.get("name", "")[:200],
                contact=request.POST.get("contact", "")[:200],
                content=request.POST.get("content", "")[:5000],
                publish_consent=bool(request.POST.get("publish_consent")),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "portal/feedback_new.html",
        {
            "created": created,
            "data": request.POST,
            "procedure_code": request.POST.get("procedure", request.GET.get("procedure", "")),
            "topics": FeedbackTopic.choices,
            "desks": Desk.objects.on(timezone.localdate()).order_by("kind", "name")[:200],
            "published": Feedback.objects.filter(published=True).order_by("-answered_at")[:20],
        },
        status=400 if request.method == "POST" and created is None else 200,
    )


def feedback_track(request: HttpRequest) -> HttpResponse:
    code, secret = _code_and_secret(request, size=24)
    secret = secret.upper()
    found = None
    key = f"feedback:{client_ip(request)}"
    blocked = False
    if code and secret:
        if throttle.blocked(key, limit=settings.CCHC_LOOKUP_LIMIT, window_seconds=600):
            blocked = True
        else:
            row = Feedback.objects.filter(tracking_code=code).first()
            if row is not None and secrets.compare_digest(row.secret, secret):
                found = row
            else:
                throttle.hit(key, limit=settings.CCHC_LOOKUP_LIMIT, window_seconds=600)
    response = render(
        request,
        "portal/feedback_track.html",
        {"found": found, "asked": bool(code or secret), "code": code, "blocked": blocked},
        status=429 if blocked else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _feedback_staff(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The feedback a user handles: reform officers the whole province; a Center supervisor
    what concerns their desks; an agency leader what concerns their agency's desks, dossiers
    and procedures it settles. Anyone else: 404."""
    user = request.user
    rows = Feedback.objects.all()
    if user.is_superuser:  # type: ignore[union-attr]
        return rows
    if getattr(user, "is_public_account", False):
        raise Http404
    memberships = list(user.current_memberships())  # type: ignore[union-attr]
    roles = {m.role for m in memberships}
    if Role.REFORM_OFFICER in roles:
        return rows
    desks = {m.desk_id for m in memberships if m.role == Role.CENTER_SUPERVISOR and m.desk_id}
    centers = {m.agency_id for m in memberships if m.role == Role.CENTER_SUPERVISOR}
    agencies = {m.agency_id for m in memberships if m.role == Role.AGENCY_LEADER}
    handlers = {m.agency_id for m in memberships if m.role in services.FEEDBACK_HANDLERS}
    if not (desks or centers or agencies or handlers):
        return rows.none()
    return rows.filter(
        Q(agency_id__in=handlers)  # routed (or forwarded) to their agency
        | Q(agency__parent_id__in=agencies)  # or to a unit under a leader's agency (a Center)
        | Q(desk_id__in=desks)
        | Q(desk__agency_id__in=centers | agencies)
        | Q(dossier__competent_agency_id__in=agencies)
        | Q(procedure__competences__agency_id__in=agencies)
    ).distinct()


@login_required
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    rows = (
        _feedback_staff(request)
        .select_related("procedure", "desk", "agency")
        .order_by("status", "due_at")
    )
    return render(
        request,
        "portal/feedback_inbox.html",
        {"page": Paginator(rows, 50).get_page(request.GET.get("page")), "now": timezone.now()},
    )


@login_required
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(_feedback_staff(request), pk=pk)
    if request.method == "POST" and request.POST.get("do") == "forward":
        try:
            services.forward_feedback(
                row,
                to_agency=Agency.objects.filter(pk=as_id(request.POST.get("agency")) or 0).first(),
                reason=request.POST.get("reason", ""),
                actor=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã chuyển phản ánh, kiến nghị."))
            return redirect("portal:feedback_inbox")
    elif request.method == "POST":
        try:
            services.answer_feedback(
                row,
                answer=request.POST.get("answer", ""),
                category=request.POST.get("category", ""),
                actor=request.user,  # type: ignore[arg-type]
                publish=bool(request.POST.get("publish")),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã trả lời phản ánh, kiến nghị."))
            return redirect("portal:feedback_inbox")
    forwards = AuditEvent.objects.filter(
        object_type="portal.feedback", object_id=str(row.pk), action="feedback.forward"
    ).order_by("sequence")
    names = dict(
        Agency.objects.filter(pk__in=_forward_agencies(forwards)).values_list("pk", "name")
    )
    return render(
        request,
        "portal/feedback_answer.html",
        {
            "f": row,
            "forwards": [
                (e, names.get(e.changes.get("agency", {}).get("after"), "—")) for e in forwards
            ],
            "may_forward": services.may_route_feedback(request.user, row),
            "agencies": Agency.objects.on(timezone.localdate()).order_by("name")[:600],
        },
    )


def _forward_agencies(events: Any) -> set[int]:
    return {e.changes.get("agency", {}).get("after") for e in events} - {None}


# -- public statistics -------------------------------------------------------------------------


IN_TIME = [dc.Timeliness.EARLY, dc.Timeliness.ON_TIME]


def statistics(request: HttpRequest) -> HttpResponse:
    """This month and year per agency (or desk): received, settled, on time, satisfaction; the
    late dossiers with apologies (publicised as the law asks). No personal data."""
    by = "desk" if request.GET.get("by") == "desk" else "agency"
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    # Read from the monthly rollups (rebuilt every few minutes), never the millions of dossiers.
    computed_at = rollups.as_of()
    if request.GET.get("format") == "csv":
        table = rollups.public_year(today, by) if computed_at else []
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="thong-ke-{today:%Y}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                "Đơn vị",
                "Tiếp nhận trong năm",
                "Tiếp nhận trong tháng",
                "Đã trả kết quả",
                "Tỷ lệ đúng hạn (%)",
                "Tỷ lệ hài lòng (%)",
            ]
        )
        for r in table:
            writer.writerow(
                [
                    csv_text(r["name"]),
                    r["received_year"],
                    r["received_month"],
                    r["settled"],
                    r["on_time_pct"] if r["on_time_pct"] is not None else "",
                    r["satisfaction_pct"] if r["satisfaction_pct"] is not None else "",
                ]
            )
        return response
    late = (
        Dossier.objects.filter(
            apologised_at__gte=dt.datetime.combine(
                year_start, dt.time(), tzinfo=timezone.get_current_timezone()
            )
        )
        .select_related("procedure_version", "competent_agency")
        .only(
            "code",
            "legal_due_at",
            "due_at",
            "procedure_version__name",
            "competent_agency__name",
        )
        .order_by("-apologised_at")[:100]
    )
    return render(
        request,
        "portal/statistics.html",
        {
            # read by the template only when its cached copy (keyed by the rollups' moment)
            # is missing: the table changes only when the rollups are rebuilt
            "table": lambda: rollups.public_year(today, by) if computed_at else [],
            "by": by,
            "late": late,
            "year": today.year,
            "today": today.isoformat(),
            "computed_at": computed_at,
        },
    )


def document_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A procedure's blank form (mẫu đơn, tờ khai): public, like the procedure page."""
    doc = get_object_or_404(RequiredDocument, pk=pk, version__in=published_versions())
    return stored_file_response(doc.template_file, name=doc.template_file.name.rsplit("/", 1)[-1])


# -- forgotten password, account erasure ------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgotten password: a code to the account's mailbox or phone, then a new password."""
    step = "ask"
    contact = request.POST.get("contact", "").strip()[:200]
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("code"):
                step = "code"
                services.reset_password(
                    contact,
                    request.POST.get("code", "")[:20],
                    request.POST.get("password", ""),
                    ip=client_ip(request),
                )
                messages.success(request, _("Đã đặt mật khẩu mới; mời đăng nhập."))
                return redirect("login")
            services.request_password_reset(contact, ip=client_ip(request))
            step = "code"
            messages.info(
                request,
                _("Nếu có tài khoản với địa chỉ này, mã đặt lại mật khẩu đã được gửi tới đó."),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = exc.status if exc.status != 409 else 400
    return render(
        request, "portal/password_reset.html", {"step": step, "contact": contact}, status=status
    )


@login_required
def erase_account(request: HttpRequest) -> HttpResponse:
    """A citizen asks for their account's personal data to be erased (what the law allows)."""
    _public_user(request)
    if request.method == "POST":
        if not request.user.check_password(request.POST.get("password", "")):
            messages.error(request, _("Mật khẩu không đúng."))
        elif request.POST.get("confirm") != "1":
            messages.error(request, _("Cần đánh dấu xác nhận."))
        else:
            services.erase_account(request.user, actor=request.user)  # type: ignore[arg-type]
            logout(request)
            messages.success(request, _("Đã xóa dữ liệu cá nhân của tài khoản."))
            return redirect("portal:home")
    return render(request, "portal/erase_account.html")
