"""A dossier's steps starting and handing over (R-STEPS, R-TIME-6, R-TRANSFER): shared by
reception (the first steps) and processing (every step after)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from cchc.core.audit import model_values

from .. import constants as c
from ..models import Dossier, DossierStep, Handover
from .common import acting_user, calendar_of, note_written, record_row, step_due

STEP_FIELDS = ("status", "assignee", "done_by", "due_at", "finished_at", "timeliness", "note")


def activate_step(
    d: Dossier, step: DossierStep, *, giver: DossierStep | None, actor: Any, at: dt.datetime
) -> None:
    """Hand the dossier to `step`: electronic at once; paper tracked by its deadline."""
    before = model_values(step, STEP_FIELDS) if step.pk else {}
    start_step(d, step, at)
    step.save()
    record_row(d, step, before, fields=STEP_FIELDS)
    hand_over(d, step, giver=giver, actor=actor, at=at)


def start_step(d: Dossier, step: DossierStep, at: dt.datetime) -> None:
    """Make `step` the active one, due after its share of the time limit (not saved)."""
    step.status = c.StepStatus.ACTIVE
    step.started_at = at
    step.finished_at = None
    step.timeliness = ""
    step.due_at = step_due(d, step.time_share, at)


def hand_over(
    d: Dossier, step: DossierStep, *, giver: DossierStep | None, actor: Any, at: dt.datetime
) -> None:
    """Record the hand-over to the (saved) active `step`; the dossier's holder follows it."""
    medium = c.TransferMedium.ELECTRONIC
    paper_due = None
    if (
        giver is not None
        and giver.at_desk
        and not step.at_desk
        and d.channel != c.Channel.ONLINE
        and giver.agency_id != step.agency_id
    ):
        medium = c.TransferMedium.PAPER
        paper_due = paper_transfer_due(d, at)
    handover = Handover(
        dossier=d,
        at=at,
        from_agency_id=giver.agency_id if giver else d.receiving_agency_id,
        from_user=acting_user(actor),
        to_agency_id=step.agency_id,
        to_label=str(step.assignee) if step.assignee else "",
        step=step,
        due_at=giver.due_at if giver else None,
        timeliness=giver.timeliness if giver else "",
        medium=medium,
        paper_due_at=paper_due,
        note=step.name,
    )
    # the agencies' objects when in hand, for whoever shows the hand-over next (no re-read)
    if giver is not None and DossierStep.agency.is_cached(giver):
        handover.from_agency = giver.agency
    elif giver is None and Dossier.receiving_agency.is_cached(d):
        handover.from_agency = d.receiving_agency
    if DossierStep.agency.is_cached(step):
        handover.to_agency = step.agency
    handover.save(force_insert=True)
    note_written(d, "handovers", handover)
    if step.kind == c.StepKind.PROCESS:
        if DossierStep.agency.is_cached(step):  # the object, when in hand: no second read
            d.holder_agency = step.agency
        else:
            d.holder_agency_id = step.agency_id


def paper_transfer_due(d: Dossier, at: dt.datetime) -> dt.datetime:
    """R-TRANSFER: the same working day, or the next one's first period after the cut-off.

    A dossier received outside the competent agency's territory under R-ANYWHERE travels
    farther: its paper dossier is due within 1 working day (Decree 118 art. 20.1).
    """
    calendar = calendar_of(d)
    if d.procedure_version.anywhere_in_province and d.desk.area_id != d.competent_agency.area_id:
        return calendar.add_working_days(at, 1)
    local = calendar.local(at)
    cutoff = dt.time.fromisoformat(settings.CCHC_PAPER_TRANSFER_CUTOFF)
    if calendar.is_working_day(local.date()) and local.time() < cutoff:
        return calendar.day_end(local.date())
    day = calendar.next_working_day(local.date())
    first = calendar.periods_on(day)[0]
    return dt.datetime.combine(day, first.end, tzinfo=local.tzinfo)


def is_last_processing_step(step: DossierStep, steps: list[DossierStep]) -> bool:
    """No processing step of an agency remains after `step`: only then does the result exist
    (the service checks it; the page and the API offer "result ready" only then)."""
    return not any(
        st.kind == c.StepKind.PROCESS
        and st.order > step.order
        and not st.at_desk
        and st.status != c.StepStatus.CANCELLED
        for st in steps
    )
