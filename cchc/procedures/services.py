"""State changes of the catalog: drafts, edits, publication, competence resolution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action, model_values
from cchc.organizations.constants import AgencyKind, AreaLevel
from cchc.organizations.models import AdministrativeArea, Agency

from .constants import PerformerKind, VersionStatus
from .models import (
    IN_FORCE_STATUSES,
    Competence,
    FeeLine,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
)

COPIED_RELATIONS = ("documents", "fees", "steps")


def validate_step_shares(limit: Decimal | None, shares: list[Decimal]) -> None:
    """R-TIME-6: the steps' shares may not exceed the time limit."""
    total = sum(shares, Decimal(0))
    if limit is not None and total > limit:
        raise ValidationError(
            _("Tổng thời gian các bước (%(total)s) vượt quá thời hạn giải quyết (%(limit)s).")
            % {"total": f"{total.normalize():f}", "limit": f"{limit.normalize():f}"},
            code="step_shares_exceed_limit",
        )


@transaction.atomic
def create_draft(version: ProcedureVersion, *, actor: object) -> ProcedureVersion:
    """A new draft copied from `version` (documents, fees and steps included)."""
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    existing = procedure.versions.filter(status=VersionStatus.DRAFT).first()
    if existing:
        return existing
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    source_pk = version.pk
    draft = ProcedureVersion.objects.get(pk=source_pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True
    draft.number = number
    draft.status = VersionStatus.DRAFT
    draft.published_at = None
    draft.valid_from = None
    draft.valid_to = None
    draft.save()
    source = ProcedureVersion.objects.get(pk=source_pk)
    for relation in COPIED_RELATIONS:
        for item in getattr(source, relation).all():
            item.pk = None
            item.id = None
            item._state.adding = True
            item.version = draft
            item.save()
    log_action(
        draft, "procedure_version.draft", actor=actor, after={"from_version": version.number}
    )
    return draft


CONTENT_FIELDS = {
    "documents": ("order", "name", "originals", "copies", "present_only", "optional", "reusable"),
    "fees": ("order", "kind", "name", "amount", "exemption"),
    "steps": ("order", "name", "performer", "other_agency_id", "role", "time_share", "is_typical"),
}


def _content(version: ProcedureVersion) -> dict[str, list[dict[str, object]]]:
    """Documents, fees and steps of `version` as plain rows (for audit snapshots)."""
    return {
        relation: [
            {name: getattr(item, name) for name in names}
            for item in getattr(version, relation).order_by("order")
        ]
        for relation, names in CONTENT_FIELDS.items()
    }


def validate_steps(limit: Decimal | None, steps: list[dict]) -> None:
    """R-TIME-6 and R-INTERAGENCY: shares within the limit; inter-agency steps name the agency."""
    validate_step_shares(limit, [Decimal(step.get("time_share") or 0) for step in steps])
    for step in steps:
        if (step.get("performer") == PerformerKind.OTHER_AGENCY) != bool(
            step.get("other_agency_id")
        ):
            raise ValidationError(
                _(
                    "Bước %(n)s: chỉ bước liên thông mới ghi cơ quan phối hợp, "
                    "và phải ghi rõ cơ quan."
                )
                % {"n": step.get("order")},
                code="step_other_agency",
            )


@transaction.atomic
def update_draft(
    version: ProcedureVersion,
    values: dict,
    *,
    actor: object,
    documents: list[dict] | None = None,
    fees: list[dict] | None = None,
    steps: list[dict] | None = None,
) -> ProcedureVersion:
    """Change a draft: its fields and, when given, its documents, fees and steps (replaced)."""
    locked = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."), code="not_draft"
        )
    before = {**model_values(locked), **_content(locked)}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    if steps is not None:  # the whole process is checked again when it is published
        validate_steps(locked.time_limit, steps)
    locked.save()
    replacements = {
        "documents": (RequiredDocument, documents),
        "fees": (FeeLine, fees),
        "steps": (ProcessStep, steps),
    }
    for relation, (model, rows) in replacements.items():
        if rows is None:
            continue
        orders = [row.get("order") for row in rows]
        if len(orders) != len(set(orders)):
            raise ValidationError(
                _("Số thứ tự bị trùng trong %(part)s.") % {"part": model._meta.verbose_name_plural},
                code="order_duplicate",
            )
        kept_files = (
            {d.order: d.template_file for d in locked.documents.all()}
            if relation == "documents"
            else {}
        )
        getattr(locked, relation).all().delete()
        for row in rows:
            item = model(
                version=locked, **{k: row.get(k) for k in CONTENT_FIELDS[relation] if k in row}
            )
            if relation == "documents" and kept_files.get(item.order):
                item.template_file = kept_files[item.order]
            item.full_clean(exclude=["version"])
            item.save()
    after = {**model_values(locked), **_content(locked)}
    log_action(locked, "procedure_version.update", actor=actor, before=before, after=after)
    return locked


@transaction.atomic
def publish(
    version: ProcedureVersion, *, actor: object, valid_from: dt.date | None = None
) -> ProcedureVersion:
    """Publish a draft; the previously published version ends the day before."""
    locked = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("Chỉ công bố được phiên bản dự thảo."), code="not_draft")
    validate_steps(locked.time_limit, _content(locked)["steps"])
    start = valid_from or timezone.localdate()
    # The versions published before stay in force until the day before `start` (R-VERSION):
    # reception goes on under version 1 until version 2's first day.
    for old in ProcedureVersion.objects.select_for_update().filter(
        procedure_id=locked.procedure_id, status__in=IN_FORCE_STATUSES
    ):
        was = old.status
        if was == VersionStatus.SUPERSEDED and old.valid_to is not None and old.valid_to < start:
            continue
        old.status = VersionStatus.SUPERSEDED
        if old.valid_to is None or old.valid_to >= start:
            old.valid_to = start - dt.timedelta(days=1)
        old.save(update_fields=["status", "valid_to", "updated_at"])
        log_action(
            old,
            "procedure_version.supersede",
            actor=actor,
            from_status=was,
            to_status=VersionStatus.SUPERSEDED,
            changes={"valid_to": str(old.valid_to)},
        )
    locked.status = VersionStatus.PUBLISHED
    locked.valid_from = start
    locked.published_at = timezone.now()
    locked.save()
    log_action(
        locked,
        "procedure_version.publish",
        actor=actor,
        from_status=VersionStatus.DRAFT,
        to_status=VersionStatus.PUBLISHED,
    )
    return locked


def _area_chain(area: AdministrativeArea) -> list[AdministrativeArea]:
    chain = [area]
    while chain[-1].parent_id is not None and len(chain) < 5:
        chain.append(chain[-1].parent)  # type: ignore[arg-type]
    return chain


def resolve_competent_agency(
    procedure: Procedure, area: AdministrativeArea, on: dt.date
) -> Agency | None:
    """The agency that settles `procedure` for an applicant of `area` on `on`.

    The most specific valid rule wins (a rule for the commune beats one for its district,
    which beats a province-wide rule). A `local_level` rule names the People's Committee of
    the applicant's commune or district valid on that date.
    """
    chain = _area_chain(area)
    rank = {a.pk: i for i, a in enumerate(chain)}
    rules = list(
        Competence.objects.filter(procedure=procedure)
        .filter(Q(area__isnull=True) | Q(area_id__in=rank))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("agency")
    )
    rules.sort(key=lambda r: rank.get(r.area_id, len(chain)) if r.area_id else len(chain))
    for rule in rules:
        if rule.agency is not None:
            return rule.agency
        level = rule.local_level
        target = next((a for a in chain if a.level == level), None)
        if target is None:
            continue
        kind = (
            AgencyKind.COMMUNE_PEOPLES_COMMITTEE
            if level == AreaLevel.COMMUNE
            else AgencyKind.DISTRICT_PEOPLES_COMMITTEE
        )
        agency = Agency.objects.on(on).filter(area=target, kind=kind).first()
        if agency is not None:
            return agency
    return None
