"""A province's announcement decision (quyết định công bố danh mục thủ tục hành chính) applied to
the catalog (issue 21): from its effective day, each listed procedure is offered (new),
offered as amended, or no longer offered (abolished), at the level or by the agency it names.

- new / amended: the draft waiting for the procedure (from the national record) is published
  from the effective day, with the decision as its announcement. Without a draft, the version
  in force stays as it is. The decision's competence (the People's Committee of the applicant's
  commune or district, or a named agency) holds from that day, and a different competence
  ends the day before.
- abolished: the procedure's versions and competences end the day before. Dossiers already
  received finish under the version they were received under. A new reception on or after
  that day is refused, because no version is in force (R-VERSION).

The file: `{"number", "signed_on", "effective_from", "issuer", "title", "items": [{"code",
"action", "level" (commune | district | province), "agency" (its electronic identifier or
exact name; required at province level)}]}`. Dates are ISO or dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action
from cchc.organizations.models import Agency

from . import services
from .constants import LocalLevel, VersionStatus
from .models import (
    Announcement,
    AnnouncementAction,
    AnnouncementItem,
    Competence,
    Procedure,
    ProcedureVersion,
)

LEVELS = {"commune": LocalLevel.COMMUNE, "xa": LocalLevel.COMMUNE, "district": LocalLevel.DISTRICT,
          "huyen": LocalLevel.DISTRICT, "province": "", "tinh": ""}  # fmt: skip


class AnnouncementError(ValueError):
    pass


@dataclass
class AnnouncementReport:
    number: str = ""
    already: bool = False
    published: list[str] = field(default_factory=list)  # drafts published from the day
    offered: list[str] = field(default_factory=list)  # competence set, version unchanged
    abolished: list[str] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)


def _date(value: Any, what: str) -> dt.date:
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            day, month, year = (int(x) for x in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise AnnouncementError(
            _("%(what)s “%(value)s” không phải ngày hợp lệ.") % {"what": what, "value": text}
        ) from exc


def _agency(ref: str, on: dt.date) -> Agency | None:
    if not ref:
        return None
    return (
        Agency.objects.filter(eid_code=ref).first()
        or Agency.objects.on(on).filter(name=ref).first()  # type: ignore[attr-defined]
    )


def _set_competence(
    procedure: Procedure, level: str, agency: Agency | None, start: dt.date, reference: str
) -> None:
    """The decision's competence from `start`; a different one ends the day before."""
    day_before = start - dt.timedelta(days=1)
    current = Competence.objects.filter(procedure=procedure, area__isnull=True).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    same = current.filter(agency=agency, local_level="" if agency else level)
    for other in current.exclude(pk__in=same.values("pk")):
        other.valid_to = day_before
        other.save(update_fields=["valid_to", "updated_at"])
    if not same.exists():
        Competence.objects.create(
            procedure=procedure,
            agency=agency,
            local_level="" if agency else level,
            valid_from=start,
            decision_reference=reference,
        )


def _abolish(procedure: Procedure, start: dt.date, actor: Any, reference: str) -> None:
    day_before = start - dt.timedelta(days=1)
    ended = ProcedureVersion.objects.filter(
        procedure=procedure, status__in=(VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    for version in ended:
        before = version.valid_to
        version.valid_to = day_before
        version.save(update_fields=["valid_to", "updated_at"])
        log_action(
            version,
            "procedure_version.abolish",
            actor=actor,
            reason=reference,
            changes={"valid_to": [str(before) if before else None, str(day_before)]},
        )
    Competence.objects.filter(procedure=procedure).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    ).update(valid_to=day_before)


def _apply_item(
    announcement: Announcement, item: dict[str, Any], actor: Any, report: AnnouncementReport
) -> None:
    code = str(item.get("code") or "").strip()
    action = str(item.get("action") or "").strip()
    procedure = Procedure.objects.filter(code=code).first()
    start = announcement.effective_from
    reference = _("Quyết định %(n)s ngày %(d)s") % {
        "n": announcement.number,
        "d": announcement.signed_on.strftime("%d/%m/%Y"),
    }
    if procedure is None:
        raise AnnouncementError(
            _("Thủ tục %s chưa có trong danh mục; nhập bản ghi quốc gia của thủ tục trước.") % code
        )
    if action not in AnnouncementAction.values:
        raise AnnouncementError(_("Nội dung phải là new, amended hoặc abolished."))
    if action == AnnouncementAction.ABOLISHED:
        _abolish(procedure, start, actor, reference)
        AnnouncementItem.objects.create(
            announcement=announcement, procedure=procedure, action=action
        )
        report.abolished.append(code)
        return
    level_word = str(item.get("level") or "").strip().lower()
    if level_word not in LEVELS:
        raise AnnouncementError(_("Cấp thực hiện phải là commune, district hoặc province."))
    level = LEVELS[level_word]
    agency = _agency(str(item.get("agency") or "").strip(), start)
    if item.get("agency") and agency is None:
        raise AnnouncementError(_("Không có cơ quan “%s”.") % item.get("agency"))
    if not level and agency is None:
        raise AnnouncementError(_("Thủ tục cấp tỉnh phải ghi cơ quan giải quyết (agency)."))
    draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
    published = procedure.versions.filter(status__in=(VersionStatus.PUBLISHED,)).exists()
    if draft is not None:
        draft.announcement = reference[:200]
        draft.save(update_fields=["announcement", "updated_at"])
        services.publish(draft, actor=actor, valid_from=start)
        report.published.append(code)
    elif not published:
        raise AnnouncementError(_("Thủ tục %s chưa có phiên bản để công bố.") % code)
    else:
        report.offered.append(code)
    _set_competence(procedure, level, agency, start, reference)
    AnnouncementItem.objects.create(
        announcement=announcement,
        procedure=procedure,
        action=action,
        local_level="" if agency else level,
        agency=agency,
    )


def apply(data: dict[str, Any], *, actor: Any, dry_run: bool = False) -> AnnouncementReport:
    """Apply one decision; the same decision number twice changes nothing."""
    number = str(data.get("number") or "").strip()
    if not number:
        raise AnnouncementError(_("Thiếu số quyết định (number)."))
    report = AnnouncementReport(number=number)
    if Announcement.objects.filter(number=number).exists():
        report.already = True
        return report
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise AnnouncementError(_("Quyết định phải có danh sách thủ tục (items)."))
    signed_on = _date(data.get("signed_on"), _("Ngày ký"))
    effective = _date(data.get("effective_from") or data.get("signed_on"), _("Ngày hiệu lực"))
    if effective < signed_on:
        raise AnnouncementError(_("Ngày hiệu lực trước ngày ký."))
    with transaction.atomic():
        announcement = Announcement.objects.create(
            number=number[:100],
            signed_on=signed_on,
            effective_from=effective,
            issuer=str(data.get("issuer") or "")[:200],
            title=str(data.get("title") or "")[:500],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                report.refused.append((n, "?", _("Mục không phải một đối tượng.")))
                continue
            try:
                with transaction.atomic():
                    _apply_item(announcement, item, actor, report)
            except (AnnouncementError, ValidationError) as exc:
                message = " ".join(getattr(exc, "messages", [str(exc)]))
                report.refused.append((n, str(item.get("code") or "?"), message))
        log_action(
            announcement,
            "announcement.apply",
            actor=actor,
            after={
                "number": number,
                "effective_from": str(effective),
                "published": report.published,
                "offered": report.offered,
                "abolished": report.abolished,
                "refused": [code for _n, code, _why in report.refused],
                "applied_at": timezone.now().isoformat(),
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
