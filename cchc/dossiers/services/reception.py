"""Reception at the desk (R-CHECK): start a dossier, then receive, ask to complete, or refuse."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cchc.accounts.constants import Role
from cchc.accounts.services import linked_account
from cchc.core.audit import log_action
from cchc.core.uploads import check_scan, stored_name
from cchc.organizations.models import AdministrativeArea, Agency, Desk
from cchc.procedures.constants import PerformerKind
from cchc.procedures.eforms import errors as declaration_errors
from cchc.procedures.eforms import is_declaration_document
from cchc.procedures.models import ProcedureVersion, ProcessStep
from cchc.procedures.services import resolve_competent_agency

from .. import constants as c
from ..models import Dossier, DossierFee, DossierStep
from ..pdf import render_declaration
from ..signals import dossier_event
from . import store
from .common import (
    AUDIT_HEAD,
    ServiceError,
    acting_user,
    agency_code,
    calendar_of,
    change_due,
    dossier_action,
    hold_rows,
    limit_of,
    mark_uncommitted,
    new_lookup_secret,
    next_number,
    note_written,
    now,
    province_of,
    release,
    rule_set_on,
)
from .corrections import correction_steps
from .documents import DocumentInput, SupplementItem, record_supplement_request, save_documents
from .forms import issue_form
from .permissions import require
from .steps import hand_over, start_step

ID_NUMBER = re.compile(r"^\d{12}$")
TAX_CODE = re.compile(r"^\d{10}(-?\d{3})?$")
PHONE = re.compile(r"^\+?\d{9,12}$")


@dataclass
class Applicant:
    kind: str
    name: str
    area: AdministrativeArea
    birth_date: dt.date | None = None
    id_number: str = ""
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class FeeInput:
    name: str
    amount: Decimal
    exempt: bool = False
    exemption_reason: str = ""


@dataclass
class Problems:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))
            raise ServiceError("invalid_input", first, self.errors)


def check_applicant(applicant: Applicant, problems: Problems, *, today: dt.date) -> None:
    if not applicant.name.strip():
        problems.add("applicant.name", _("Cần nhập họ tên người nộp hoặc tên tổ chức."))
    if applicant.kind == c.ApplicantKind.CITIZEN:
        if not ID_NUMBER.match(applicant.id_number or ""):
            problems.add("applicant.id_number", _("Số định danh cá nhân phải gồm đúng 12 chữ số."))
        if applicant.birth_date and applicant.birth_date > today:
            problems.add("applicant.birth_date", _("Ngày sinh không thể sau ngày hôm nay."))
    elif applicant.kind == c.ApplicantKind.ORGANISATION:
        if not TAX_CODE.match(applicant.tax_code or ""):
            problems.add("applicant.tax_code", _("Mã số thuế phải gồm 10 hoặc 13 chữ số."))
        if not applicant.representative.strip():
            problems.add("applicant.representative", _("Cần nhập người đại diện của tổ chức."))
    else:
        problems.add("applicant.kind", _("Loại người nộp không hợp lệ."))
    if applicant.phone and not PHONE.match(applicant.phone.replace(" ", "")):
        problems.add("applicant.phone", _("Số điện thoại không hợp lệ."))
    if applicant.area.level != "commune":
        problems.add("applicant.area", _("Địa chỉ phải chọn đến xã, phường, đặc khu."))


# An applicant's commune and the areas above it, as far as competence rules look (with the
# province the dossier is filed under): `select_related` paths for the area read at reception.
AREA_UPWARDS = ("parent__parent__parent", "province")


def read_for_reception(version: ProcedureVersion) -> None:
    """Read, in three statements, what a reception uses of `version`: its checklist, its fees
    and its process steps (with the other agencies they name)."""
    prefetch_related_objects(
        [version],
        "documents",
        "fees",
        Prefetch("steps", queryset=ProcessStep.objects.select_related("other_agency")),
    )


def _desk_may_receive(desk: Desk, version: ProcedureVersion, competent: Any) -> bool:
    """R-ANYWHERE: listed procedures anywhere; otherwise the desk serving the competent agency."""
    if version.anywhere_in_province:
        return True
    return bool(desk.agency_id == competent.pk or desk.area_id == competent.area_id)


def start_dossier(
    *,
    version: ProcedureVersion,
    desk: Desk,
    applicant: Applicant,
    channel: str,
    documents: list[DocumentInput],
    actor: Any,
    at: dt.datetime | None = None,
    sets: int = 1,
    return_method: str = c.ReturnMethod.DESK,
    request_note: str = "",
    fees: list[FeeInput] | None = None,
    idempotency_key: str = "",
    submission_code: str = "",
    applicant_user: Any = None,
    declaration: dict[str, Any] | None = None,
    on_behalf: str = "",
    key_checked: bool = False,
) -> Dossier:
    """Record a dossier brought to `desk` (or arrived online), before the officer's decision.
    A declaration (the procedure's e-form) is checked against the version's schema.

    `on_behalf` (the applicant's authorisation, in words) files a desk dossier into the
    applicant's own portal account — the one their national identity proves — so that they
    follow it, pay, get the result in their store and rate it online.

    `key_checked`: the caller has just looked `idempotency_key` up and found nothing (a
    request sent twice at once still meets the unique constraint below)."""
    moment = now(at)
    day = timezone.localdate(moment)  # every date below is Vietnam's, not UTC's
    problems = Problems()
    if channel not in c.Channel.values:
        problems.add("channel", _("Hình thức nộp không hợp lệ."))
    if return_method not in c.ReturnMethod.values:
        problems.add("return_method", _("Hình thức trả kết quả không hợp lệ."))
    if not version.is_in_force(day):
        problems.add("procedure", _("Thủ tục này không còn hiệu lực hoặc chưa được công bố."))
    if not desk.is_valid_on(day):
        problems.add("desk", _("Bộ phận một cửa này không còn hoạt động vào ngày tiếp nhận."))
    if not 1 <= sets <= 50:
        problems.add("sets", _("Số bộ hồ sơ phải từ 1 đến 50."))
    check_applicant(applicant, problems, today=day)
    for fee in fees or []:
        if fee.exempt and not fee.exemption_reason.strip():
            problems.add(
                "fees", _("Cần ghi lý do miễn, giảm “%(fee_name)s”.") % {"fee_name": fee.name}
            )
    if declaration and version.declaration:
        for key, message in declaration_errors(version.declaration, declaration, day=day).items():
            problems.add(f"declaration.{key}", message)
    for doc in documents:
        if doc.upload is not None:
            try:
                check_scan(doc.upload)
            except ServiceError as exc:
                problems.add(f"documents.{doc.required_document_id or doc.name}", exc.message)
    on_behalf = on_behalf.strip()[:300]
    if on_behalf and applicant_user is None:
        applicant_user = linked_account(applicant.kind, applicant.tax_code or applicant.id_number)
        if applicant_user is None:
            problems.add(
                "applicant.on_behalf",
                _(
                    "Không có tài khoản Cổng dịch vụ công đã liên kết VNeID với số định danh / "
                    "mã số thuế này; hồ sơ chỉ được gắn vào tài khoản đã xác thực định danh."
                ),
            )
    problems.raise_if_any()
    competent = resolve_competent_agency(version.procedure, applicant.area, day)
    if competent is None:
        raise ServiceError(
            "no_competent_agency",
            _(
                "Chưa xác định được cơ quan có thẩm quyền giải quyết thủ tục này cho địa bàn của "
                "người nộp; quản trị viên cần bổ sung thẩm quyền trong danh mục."
            ),
        )
    if not _desk_may_receive(desk, version, competent):
        raise ServiceError(
            "wrong_desk",
            _(
                "Thủ tục này không thuộc danh mục tiếp nhận không phụ thuộc địa giới hành chính; "
                "hồ sơ cần nộp tại bộ phận một cửa phục vụ %(competent_name)s."
            )
            % {"competent_name": competent.name},
        )
    if idempotency_key and getattr(actor, "pk", None) and not key_checked:
        found: Dossier | None = Dossier.objects.filter(
            created_by=actor, idempotency_key=idempotency_key
        ).first()
        if found is not None:
            setattr(found, "replayed", True)  # noqa: B010 - a flag for the caller, not a field
            return found
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                submission_code=submission_code
                or (online_submission_code(moment) if channel == c.Channel.ONLINE else ""),
                lookup_secret=new_lookup_secret() if channel == c.Channel.ONLINE else "",
                idempotency_key=idempotency_key,
                procedure_version=version,
                procedure=version.procedure,
                field_id=version.field_id,
                rule_set=rule_set_on(day),
                channel=channel,
                desk=desk,
                receiving_agency=desk.agency,
                competent_agency=competent,
                province=province_of(applicant.area),
                on_the_spot=version.on_the_spot,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name.strip(),
                birth_date=applicant.birth_date,
                id_number=applicant.id_number,
                tax_code=applicant.tax_code,
                representative=applicant.representative,
                phone=applicant.phone.replace(" ", ""),
                email=applicant.email,
                address=applicant.address,
                applicant_area=applicant.area,
                applicant_user=applicant_user,
                on_behalf_authorisation=on_behalf,
                sets=sets,
                request_note=request_note,
                declaration=declaration or {},
                return_method=return_method,
                submitted_at=moment,
                last_action_at=moment,
                holder_agency=desk.agency,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            lines = save_documents(dossier, documents, at=moment, supplement_round=0, new=True)
            fee_rows = DossierFee.objects.bulk_create(
                DossierFee(
                    dossier=dossier,
                    name=f.name,
                    amount=f.amount,
                    exempt=f.exempt,
                    exemption_reason=f.exemption_reason,
                )
                for f in (fees if fees is not None else _fees_of(version))
            )
            hold_rows(dossier, documents=lines, fees=fee_rows)
            if declaration and version.declaration:
                attach_declaration(dossier)
            created = log_action(
                dossier,
                "dossier.create",
                actor=actor,
                to_status=dossier.status,
                # the declaration's fields, not their values: personal data stays on the dossier
                changes={
                    "channel": channel,
                    "desk": desk.pk,
                    "procedure": version.pk,
                    "declared": sorted(declaration or {}),
                    # documents taken from the applicant's store instead of a new copy
                    "reused": sorted(doc.stored_id for doc in documents if doc.stored_id),
                    # filed by a desk into the applicant's own account, on this authority
                    **(
                        {"account": applicant_user.pk, "on_behalf_authorisation": on_behalf}
                        if on_behalf
                        else {}
                    ),
                },
                at=moment,
                new_chain=True,
            )
            dossier.__dict__[AUDIT_HEAD] = (created.sequence, created.hash)
            dossier_event.send(
                Dossier,
                dossier=dossier,
                action=c.Action.CREATE,
                from_status="",
                to_status=dossier.status,
                at=moment,
            )
    except IntegrityError:
        again: Dossier | None = Dossier.objects.filter(
            created_by=actor, idempotency_key=idempotency_key
        ).first()
        if again is None:
            raise
        setattr(again, "replayed", True)  # noqa: B010 - the same request, sent twice at once
        return again
    if connection.in_atomic_block:
        # Until the caller's transaction commits, no one else can see this row: the next
        # action in the same transaction (receiving it at once) may use this instance as is.
        mark_uncommitted(dossier)
    else:
        release(dossier)
    return dossier


def attach_declaration(dossier: Dossier) -> None:
    """A declaration filled as an e-form is the dossier's "Tờ khai" line: the line carries it
    printed as the form, so it opens like any document and counts as an electronic copy."""
    lines = [
        line
        for line in dossier.documents.all()
        if line.received and not line.file and is_declaration_document(line.name)
    ]
    if not lines:
        return
    data = render_declaration(dossier)
    title = str(dossier.procedure_version.declaration.get("title") or "To khai")
    for line in lines:
        line.file.save(stored_name("application/pdf"), ContentFile(data), save=False)
        line.file_name = f"{title}.pdf"[:255]
        line.content_type = "application/pdf"
        line.size = len(data)
        line.save(update_fields=["file", "file_name", "content_type", "size"])


def online_submission_code(moment: dt.datetime) -> str:
    """The code an online applicant gets at once, before the desk's decision (R-ONLINE)."""
    day = timezone.localtime(moment).date()
    return f"DVC-{day:%y%m%d}-{next_number(f'submission:{day:%y%m%d}'):06d}"


def _fees_of(version: ProcedureVersion) -> list[FeeInput]:
    return [FeeInput(f.name, f.amount or Decimal(0)) for f in version.fees.all()]


def missing_documents(dossier: Dossier) -> list[str]:
    """Required (non-optional) documents of the version not ticked as received. What is only
    shown (identity papers, the parties' presence) is not sent online: it is shown when the
    result is collected."""
    received = {d.required_document_id for d in dossier.documents.all() if d.received or d.file}
    online = dossier.channel == c.Channel.ONLINE
    return [
        doc.name
        for doc in dossier.procedure_version.documents.all()
        if not doc.optional and not (online and doc.present_only) and doc.pk not in received
    ]


def receive(
    dossier: Dossier,
    *,
    actor: Any,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
    documents: list[DocumentInput] | None = None,
    issue_receipt: bool = True,
) -> Dossier:
    """R-CHECK 1: a complete dossier gets its code, its due moment, its steps and a receipt."""
    return _receive(
        dossier,
        actor=actor,
        at=at,
        expected_revision=expected_revision,
        documents=documents or [],
        issue_receipt=issue_receipt,
    )


@dossier_action(c.Action.RECEIVE)
def _receive(
    d: Dossier,
    *,
    actor: Any,
    at: dt.datetime,
    documents: list[DocumentInput],
    issue_receipt: bool,
) -> None:
    require(c.Action.RECEIVE, actor, d)  # the desk decides; not the applicant, nor another agency
    if documents:
        save_documents(d, documents, at=at, supplement_round=d.supplement_rounds)
    missing = missing_documents(d) if not d.corrects_id else []  # a correction: the result
    if missing:
        raise ServiceError(
            "incomplete",
            "Hồ sơ chưa đủ thành phần, chưa thể tiếp nhận: " + "; ".join(missing) + ".",
            {"missing": missing},
        )
    if d.supplement_rounds:  # only a request to complete opens a round (R-CHECK 2)
        d.supplement_requests.filter(answered_at__isnull=True).update(answered_at=at)
    calendar = calendar_of(d)
    limit = limit_of(d)
    code_agency = (
        d.receiving_agency
        if d.rule_set == c.RuleSet.CIRCULAR_01_2018 or d.procedure_version.inter_agency
        else d.competent_agency
    )
    prefix = agency_code(code_agency)
    day = calendar.local(at).date()
    d.lookup_secret = d.lookup_secret or new_lookup_secret()
    d.received_at = at
    d.clock_started_at = calendar.clock_start(at, limit.cutoff)
    d.legal_due_at = calendar.due(at, limit)
    change_due(d, d.legal_due_at, reason="Tiếp nhận hồ sơ", actor=actor, at=at)
    _instantiate_steps(d, actor=actor, at=at)
    # The shared counters last: their rows stay locked until the commit, so every other
    # reception at the same desk waits only for what follows them.
    sequence = next_number(f"dossier:{code_agency.pk}:{day:%y%m%d}")
    d.code = dossier_code(prefix, day, sequence)
    d.register_number = next_number(f"register:{d.desk_id}:{day.year}")
    if issue_receipt:
        issue_form(d, c.FormKind.RECEIPT, actor=actor, at=at)
    store.keep_digitised(d, at=at)


def dossier_code(prefix: str, day: dt.date, sequence: int) -> str:
    """R-CODE in the format the province runs (CCHC_DOSSIER_CODE_FORMAT)."""
    if settings.CCHC_DOSSIER_CODE_FORMAT == "centralised":
        series = settings.CCHC_DOSSIER_CODE_SERIES[:2].upper()
        return f"{prefix}-{day:%y%m%d}-{series}{sequence:04d}"
    return f"{prefix}-{day:%y%m%d}-{sequence:04d}"


def _instantiate_steps(d: Dossier, *, actor: Any, at: dt.datetime) -> None:
    """R-STEPS, R-TIME-6: the version's process becomes the dossier's own steps."""
    # in the process's order (the steps' own ordering), prefetched by the caller if it can
    template = list(d.procedure_version.steps.all()) if not d.corrects_id else []
    desk_agency = d.receiving_agency
    rows: list[DossierStep] = []
    template_rows: list[tuple[str, Agency, bool, str, Decimal]]
    if d.corrects_id:
        template_rows = correction_steps(d)
    elif not template:
        limit = d.procedure_version.time_limit or Decimal(0)
        template_rows = [
            ("Tiếp nhận hồ sơ", desk_agency, True, Role.RECEPTIONIST, Decimal(0)),
            ("Thẩm định, giải quyết", d.competent_agency, False, Role.SPECIALIST, limit),
            ("Trả kết quả", desk_agency, True, Role.RECEPTIONIST, Decimal(0)),
        ]
        if d.on_the_spot:
            template_rows[1] = ("Giải quyết tại chỗ", desk_agency, True, Role.RECEPTIONIST, limit)
    else:
        template_rows = []
        for step in template:
            if d.on_the_spot or step.performer == PerformerKind.RECEIVING_DESK:
                agency, at_desk = desk_agency, True
            elif step.performer == PerformerKind.OTHER_AGENCY and step.other_agency is not None:
                agency, at_desk = step.other_agency, False
            else:
                agency, at_desk = d.competent_agency, False
            role = Role.RECEPTIONIST if at_desk and d.on_the_spot else step.role
            template_rows.append((step.name, agency, at_desk, role, step.time_share))
    for order, (name, agency, at_desk, role, share) in enumerate(template_rows, start=1):
        rows.append(
            DossierStep(
                dossier=d,
                order=order,
                name=name,
                agency=agency,
                at_desk=at_desk,
                role=role,
                time_share=share or Decimal(0),
            )
        )
    # The first steps' state is set before the one insert (no re-read, no per-step update).

    first = rows[0]
    giver: DossierStep | None = None
    active = first
    if first.at_desk and len(rows) > 1:
        # The reception step is done by receiving the dossier.
        first.status = c.StepStatus.DONE
        first.started_at = first.finished_at = at
        first.timeliness = c.Timeliness.ON_TIME
        first.assignee = first.done_by = acting_user(actor)
        giver, active = first, rows[1]
    start_step(d, active, at)
    DossierStep.objects.bulk_create(rows)
    note_written(d, "steps", *rows)
    hand_over(d, active, giver=giver, actor=actor, at=at)


@dossier_action(
    c.Action.REQUEST_COMPLETION, needs_reason=_lazy("Cần ghi rõ lý do yêu cầu bổ sung.")
)
def request_completion(
    d: Dossier,
    *,
    items: list[SupplementItem],
    reason: str,
    actor: Any,
    at: dt.datetime,
    override_reason: str = "",
) -> None:
    """R-CHECK 2 at the desk: every missing item in one request; a second needs an override."""

    if not d.supplement_rounds:  # a second request is a leader's, checked with its override
        require(c.Action.REQUEST_COMPLETION, actor, d)
    record_supplement_request(
        d,
        items=items,
        reason=reason,
        actor=actor,
        at=at,
        at_reception=True,
        override_reason=override_reason,
    )


@dossier_action(c.Action.RESUBMIT)
def resubmit(d: Dossier, *, documents: list[DocumentInput], actor: Any, at: dt.datetime) -> None:
    """The applicant answers a request to complete, online: back to the desk for its check."""
    require(c.Action.RESUBMIT, actor, d)
    if not documents:
        raise ServiceError("items_required", _("Cần đính kèm giấy tờ được yêu cầu bổ sung."))
    save_documents(d, documents, at=at, supplement_round=d.supplement_rounds)
    d.supplement_requests.filter(answered_at__isnull=True).update(answered_at=at)


@dossier_action(
    c.Action.REFUSE_RECEPTION, needs_reason=_lazy("Cần ghi rõ lý do từ chối tiếp nhận.")
)
def refuse_reception(d: Dossier, *, reason: str, actor: Any, at: dt.datetime) -> None:
    """R-CHECK 3: not this procedure, not competent, not eligible — with the reason."""
    require(c.Action.REFUSE_RECEPTION, actor, d)
    d.refusal_reason = reason
    d.outcome = c.Outcome.REFUSED
    d.finished_at = at
    d.holder_agency = None
    issue_form(d, c.FormKind.REFUSAL, actor=actor, at=at)
