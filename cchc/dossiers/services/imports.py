"""Dossiers carried over from another one-stop system (a merged province's, checklist item 42).

Only *finished* dossiers are carried over: returned (granted or refused), not received,
withdrawn or closed. They keep the code they had (never renumbered), their own moments, and
are judged on time or late by the same rule as every other dossier (`timeliness`), so the
reports count them in their months like any other. A dossier still in progress in the old
system is finished there, or received again here: carrying half a workflow over would invent
steps and clock stops the old system never recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action
from cchc.core.errors import Invalid
from cchc.organizations.models import AdministrativeArea, Agency, Desk
from cchc.procedures.models import ProcedureVersion

from .. import constants as c
from ..models import Dossier
from .common import new_lookup_secret, rule_set_on, timeliness

CARRIED_STATUSES = (c.Status.RETURNED, c.Status.NOT_RECEIVED, c.Status.WITHDRAWN, c.Status.CLOSED)


@dataclass
class CarriedDossier:
    """One finished dossier of the old system, its references already resolved."""

    code: str
    system: str
    version: ProcedureVersion
    desk: Desk
    agency: Agency
    applicant_area: AdministrativeArea
    channel: str
    applicant_kind: str
    applicant_name: str
    status: str
    submitted_at: dt.datetime
    finished_at: dt.datetime
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    outcome: str = ""
    id_number: str = ""
    tax_code: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    result_summary: str = ""
    result_number: str = ""
    refusal_reason: str = ""
    lookup_secret: str = ""
    applicant_user_id: int | None = None


def check(rec: CarriedDossier) -> list[str]:
    """What makes the record impossible as a finished dossier (Vietnamese, for the report)."""
    problems = []
    if rec.status not in CARRIED_STATUSES:
        problems.append(
            _("Chỉ chuyển hồ sơ đã kết thúc (đã trả kết quả, không tiếp nhận, dừng giải quyết).")
        )
    if rec.status == c.Status.NOT_RECEIVED:
        if rec.received_at is not None:
            problems.append(_("Hồ sơ không được tiếp nhận thì không có ngày tiếp nhận."))
    elif rec.received_at is None:
        problems.append(_("Thiếu ngày tiếp nhận."))
    if rec.status == c.Status.RETURNED and rec.outcome not in c.Outcome.values:
        problems.append(_("Hồ sơ đã trả kết quả phải ghi kết quả: giải quyết hoặc từ chối."))
    if rec.status != c.Status.RETURNED and rec.outcome:
        problems.append(_("Chỉ hồ sơ đã trả kết quả mới có kết quả giải quyết."))
    start = rec.received_at or rec.submitted_at
    if rec.submitted_at > start:
        problems.append(_("Ngày nộp sau ngày tiếp nhận."))
    if rec.finished_at < start:
        problems.append(_("Ngày kết thúc trước ngày tiếp nhận."))
    if rec.due_at is not None and rec.received_at is not None and rec.due_at < rec.received_at:
        problems.append(_("Ngày hẹn trả trước ngày tiếp nhận."))
    if rec.returned_at is not None and rec.returned_at < rec.finished_at:
        problems.append(_("Ngày trả kết quả trước ngày có kết quả."))
    if rec.status == c.Status.RETURNED and rec.returned_at is None:
        problems.append(_("Hồ sơ đã trả kết quả phải có ngày trả."))
    return problems


@transaction.atomic
def carry_over(rec: CarriedDossier, *, actor: object = None) -> Dossier:
    """Create the finished dossier `rec` describes, audited as carried over from its system."""
    problems = check(rec)
    if problems:
        raise Invalid("invalid_import", " ".join(problems), details=problems)
    returned = rec.status == c.Status.RETURNED
    d = Dossier(
        code=rec.code,
        lookup_secret=rec.lookup_secret or new_lookup_secret(),
        procedure_version=rec.version,
        procedure_id=rec.version.procedure_id,
        field_id=rec.version.field_id,
        rule_set=rule_set_on(timezone.localdate(rec.received_at or rec.submitted_at)),
        channel=rec.channel,
        desk=rec.desk,
        receiving_agency_id=rec.desk.agency_id,
        competent_agency=rec.agency,
        province_id=rec.desk.area.province_id or rec.desk.area_id,
        applicant_kind=rec.applicant_kind,
        applicant_name=rec.applicant_name,
        birth_date=rec.birth_date,
        id_number=rec.id_number,
        tax_code=rec.tax_code,
        phone=rec.phone,
        email=rec.email,
        address=rec.address,
        applicant_area=rec.applicant_area,
        applicant_user_id=rec.applicant_user_id,
        status=rec.status,
        outcome=rec.outcome,
        submitted_at=rec.submitted_at,
        received_at=rec.received_at,
        clock_started_at=rec.received_at,
        due_at=rec.due_at,
        legal_due_at=rec.due_at,
        result_ready_at=rec.finished_at if returned else None,
        returned_at=rec.returned_at if returned else None,
        finished_at=rec.finished_at,
        timeliness=timeliness(rec.finished_at, rec.due_at) if returned else "",
        result_summary=rec.result_summary,
        result_number=rec.result_number,
        refusal_reason=rec.refusal_reason,
        imported_from=rec.system,
        last_action_at=rec.returned_at or rec.finished_at,
    )
    d.save()
    log_action(
        d,
        f"dossier.{c.Action.IMPORT}",
        actor=actor,
        to_status=rec.status,
        reason=_("Chuyển từ %(system)s, giữ nguyên mã %(code)s.")
        % {"system": rec.system, "code": rec.code},
        after={
            "code": d.code,
            "imported_from": rec.system,
            "status": d.status,
            "outcome": d.outcome,
            "received_at": d.received_at,
            "due_at": d.due_at,
            "finished_at": d.finished_at,
            "timeliness": d.timeliness,
        },
    )
    return d
