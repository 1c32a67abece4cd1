import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import announcements, national, services, sync
from .constants import OnlineLevel, VersionStatus
from .exchange import export_xlsx, export_yaml, import_records, read_xlsx, read_yaml
from .forms import DocumentFormSet, FeeFormSet, StepFormSet, VersionForm, formset_rows
from .models import Procedure, ProcedureField, ProcedureVersion
from .querysets import search_versions

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    qs = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "procedure", "field"
    )
    q = request.GET.get("q", "")
    if q:
        qs = search_versions(qs, q)
    field = request.GET.get("field", "")
    if field:
        qs = qs.filter(field__code=field)
    online = request.GET.get("online", "")
    if online in OnlineLevel.values:
        qs = qs.filter(online_level=online)
    if request.GET.get("to_confirm"):
        qs = (
            qs.filter(time_to_confirm=True)
            | qs.filter(fee_to_confirm=True)
            | qs.filter(online_to_confirm=True)
        )
    page = Paginator(qs.order_by("field__name", "procedure__code"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "procedures/list.html",
        {
            "page": page,
            "q": q,
            "field": field,
            "fields": ProcedureField.objects.all(),
            "online": online,
            "online_levels": OnlineLevel.choices,
        },
    )


@login_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    versions = procedure.versions.select_related("field").order_by("-number")
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    shown = current or versions.first()
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "version": shown,
            "versions": versions,
            "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
            "documents": shown.documents.all() if shown else [],
            "fees": shown.fees.all() if shown else [],
            "steps": shown.steps.select_related("other_agency") if shown else [],
            "competences": procedure.competences.select_related("agency", "area"),
        },
    )


@login_required
@permission_required("procedures.change_procedureversion", raise_exception=True)
@require_POST
def create_draft_view(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    source = procedure.versions.order_by("-number").first()
    if source is None:
        messages.error(request, _("Thủ tục chưa có phiên bản nào."))
        return redirect("procedures:detail", code=code)
    draft = services.create_draft(source, actor=request.user)
    messages.success(request, _("Đã tạo phiên bản dự thảo %(n)s.") % {"n": draft.number})
    return redirect("procedures:edit", code=code, number=draft.number)


@login_required
@permission_required("procedures.change_procedureversion", raise_exception=True)
def edit_draft(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = get_object_or_404(
        ProcedureVersion.objects.select_related("procedure"), procedure__code=code, number=number
    )
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."))
        return redirect("procedures:detail", code=code)
    form = VersionForm(request.POST or None, instance=version)
    documents = DocumentFormSet(request.POST or None, instance=version, prefix="doc")
    fees = FeeFormSet(request.POST or None, instance=version, prefix="fee")
    steps = StepFormSet(request.POST or None, instance=version, prefix="step")
    formsets = (documents, fees, steps)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            services.update_draft(
                version,
                form.cleaned_data,
                actor=request.user,
                documents=formset_rows(documents),
                fees=formset_rows(fees),
                steps=formset_rows(steps),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu phiên bản dự thảo."))
            return redirect("procedures:edit", code=code, number=number)
    return render(
        request,
        "procedures/edit.html",
        {"version": version, "form": form, "documents": documents, "fees": fees, "steps": steps},
    )


@login_required
@permission_required("procedures.change_procedureversion", raise_exception=True)
@require_POST
def publish_view(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = get_object_or_404(ProcedureVersion, procedure__code=code, number=number)
    back = request.POST.get("back") == "compare"
    again = redirect("procedures:compare" if back else "procedures:edit", code=code, number=number)
    raw = request.POST.get("valid_from", "").strip()
    valid_from = None
    if raw:
        try:  # dd/mm/yyyy as the page writes it (ISO from scripts)
            valid_from = (
                dt.datetime.strptime(raw, "%d/%m/%Y").date()
                if "/" in raw
                else dt.date.fromisoformat(raw)
            )
        except ValueError:
            messages.error(request, _("Ngày hiệu lực không hợp lệ."))
            return again
        if valid_from < timezone.localdate():
            messages.error(request, _("Ngày hiệu lực không được trước hôm nay."))
            return again
    try:
        services.publish(version, actor=request.user, valid_from=valid_from)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return again
    messages.success(
        request,
        _("Đã công bố phiên bản %(n)s, hiệu lực từ %(d)s.")
        % {"n": number, "d": (valid_from or timezone.localdate()).strftime("%d/%m/%Y")},
    )
    return redirect("procedures:detail", code=code)


@login_required
@permission_required("procedures.change_procedureversion", raise_exception=True)
def compare_view(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The review of a draft: what it changes against the version in force, field by field."""
    version = get_object_or_404(
        ProcedureVersion.objects.select_related("procedure"), procedure__code=code, number=number
    )
    current = sync.in_force(version.procedure)
    return render(
        request,
        "procedures/compare.html",
        {
            "version": version,
            "current": current,
            "rows": sync.changes(current, version),
            "imported": sync.last_action(version) == sync.DRAFT_ACTION,
            "today": timezone.localdate(),
        },
    )


@login_required
def export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="danh-muc-thu-tuc.xlsx"'
        return response
    if fmt == "yaml":
        response = HttpResponse(export_yaml(), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="danh-muc-thu-tuc.yaml"'
        return response
    messages.error(request, _("Định dạng không được hỗ trợ."))
    return redirect("procedures:list")


@login_required
@permission_required("procedures.change_procedureversion", raise_exception=True)
def import_view(request: HttpRequest) -> HttpResponse:
    """Three kinds of file: the catalog's own export (.xlsx/.yaml, published as it says),
    national procedure records (JSON, drafted for review) and an announcement decision."""
    kind = request.POST.get("kind", "catalog")
    context: dict[str, object] = {"kind": kind}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Hãy chọn tệp cần nhập."))
        elif upload.size > MAX_IMPORT_BYTES:
            messages.error(request, _("Tệp quá lớn (tối đa 10 MB)."))
        elif kind == "national":
            context["sync"] = _import_national(request, upload.name, upload.read())
        elif kind == "announcement":
            context["announcement"] = _import_announcement(request, upload.read())
        else:
            done = _import_catalog(request, upload.name, upload.read())
            if done:
                return redirect("procedures:list")
    return render(request, "procedures/import.html", context)


def _import_catalog(request: HttpRequest, name: str, content: bytes) -> bool:
    try:
        if name.lower().endswith(".xlsx"):
            records = read_xlsx(content)
        elif name.lower().endswith((".yaml", ".yml")):
            records = read_yaml(content.decode("utf-8"))
        else:
            raise ValidationError(_("Chỉ nhận tệp .xlsx hoặc .yaml."))
        result = import_records(records, actor=request.user)
    except (ValidationError, UnicodeDecodeError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("Không nhập được: %(e)s") % {"e": text})
        return False
    messages.success(
        request,
        _("Đã nhập: %(c)s thủ tục mới, %(s)s thay phiên bản, %(u)s không đổi.")
        % {"c": result["created"], "s": result["superseded"], "u": result["unchanged"]},
    )
    return True


def _json(request: HttpRequest, content: bytes) -> object | None:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        messages.error(request, _("Tệp không phải JSON hợp lệ: %(e)s") % {"e": exc})
        return None


def _import_national(request: HttpRequest, name: str, content: bytes) -> sync.SyncReport | None:
    try:
        if name.lower().endswith(".xlsx"):
            records = national.records_from_xlsx(content)
        else:
            document = _json(request, content)
            if document is None:
                return None
            records = national.records_of(document)
    except national.RecordError as exc:
        messages.error(request, str(exc))
        return None
    return sync.sync(records, actor=request.user)


def _import_announcement(
    request: HttpRequest, content: bytes
) -> announcements.AnnouncementReport | None:
    document = _json(request, content)
    if document is None:
        return None
    if not isinstance(document, dict):
        messages.error(request, _("Tệp phải là một quyết định (đối tượng JSON)."))
        return None
    try:
        return announcements.apply(document, actor=request.user)
    except announcements.AnnouncementError as exc:
        messages.error(request, str(exc))
        return None
