"""What waits for an officer, and the badges that tell how urgent it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.core.params import as_id

from . import constants as c
from .models import Dossier, DossierStep
from .querysets import DESK_ROLES, STEP_ROLES
from .services.common import calendar_of


@dataclass(frozen=True)
class Badges:
    overdue: bool
    due_today: bool
    at_risk: bool
    stalled: bool


def badges(dossier: Dossier, due: dt.datetime | None, now: dt.datetime | None = None) -> Badges:
    """Overdue, due today, at risk (due within the alert window) and stalled (no action)."""
    now = now or timezone.now()
    if dossier.status not in c.CLOCK_RUNNING:  # the clock is stopped: no deadline to show
        return Badges(False, False, False, False)
    calendar = calendar_of(dossier)
    zone = timezone.get_default_timezone()
    overdue = due is not None and due < now
    due_today = (
        due is not None
        and not overdue
        and due.astimezone(zone).date() == now.astimezone(zone).date()
    )
    window = dt.timedelta(hours=settings.CCHC_ALERT_BEFORE_HOURS)
    at_risk = (
        due is not None
        and not overdue
        and not due_today
        and calendar.working_time_between(now, due) <= window
    )
    return Badges(overdue, due_today, at_risk, is_stalled(dossier, now))


def is_stalled(dossier: Dossier, now: dt.datetime) -> bool:
    """No action for CCHC_STALLED_AFTER_HOURS working hours while the clock runs."""
    return dossier.status in c.CLOCK_RUNNING and calendar_of(dossier).working_time_between(
        dossier.last_action_at, now
    ) >= dt.timedelta(hours=settings.CCHC_STALLED_AFTER_HOURS)


def step_branches(user: Any) -> list[Q]:
    """The ways a step waits for `user`: assigned to them, or for their role in their agency;
    the whole agency for a leader; the desk's own steps for desk officers. One condition per
    way, so that each can be read in due order from its own index."""
    branches = [Q(assignee=user)]
    for m in user.current_memberships():
        if m.role == Role.AGENCY_LEADER:
            branches.append(Q(agency_id=m.agency_id))
        elif m.role == Role.DIVISION_HEAD:
            branches.append(Q(agency_id=m.agency_id, assignee__isnull=True))
        elif m.role in STEP_ROLES:
            branches.append(Q(agency_id=m.agency_id, role=m.role, assignee__isnull=True))
        elif m.role in DESK_ROLES and m.desk_id:
            branches.append(Q(at_desk=True, dossier__desk_id=m.desk_id))
    return branches


def step_filter(user: Any) -> Q:
    """Every step that waits for `user` (the OR of `step_branches`)."""
    if user.is_superuser:
        return Q()
    condition = Q()
    for branch in step_branches(user):
        condition |= branch
    return condition


def _active_steps() -> QuerySet[DossierStep]:
    return DossierStep.objects.filter(status=c.StepStatus.ACTIVE).exclude(
        dossier__status__in=[c.Status.PAUSED, c.Status.SUPPLEMENT_REQUESTED]
    )


def waiting_steps(user: Any) -> QuerySet[DossierStep]:
    return (
        _active_steps()
        .filter(step_filter(user))
        .select_related(
            "dossier", "dossier__procedure_version", "dossier__province", "agency", "assignee"
        )
        .order_by("due_at", "pk")
    )


# What an inbox row shows (the page, the API's StepOut and the badges): a dossier row has
# some 60 columns and its version 40, most of them long texts the inbox never shows.
ROW_FIELDS = (
    *(f.name for f in DossierStep._meta.concrete_fields),
    "dossier__code",
    "dossier__status",
    "dossier__due_at",
    "dossier__last_action_at",
    "dossier__province_id",
    "dossier__procedure_version__name",
    "agency__name",
    "assignee__username",
    "assignee__full_name",
    "assignee__first_name",
    "assignee__last_name",
)
DOSSIER_ROW_FIELDS = (
    "code",
    "submission_code",
    "status",
    "applicant_name",
    "submitted_at",
    "due_at",
    "last_action_at",
    "province_id",
    "procedure_version__name",
)


def after_key(key: str) -> Q | None:
    """The keyset condition "after (due moment, id)" from a page key `<iso moment>_<id>`;
    None for an absent or malformed key (the first page)."""
    due_text, _, pk_text = key.partition("_")
    if as_id(pk_text) is None:
        return None
    try:
        due = dt.datetime.fromisoformat(due_text)
    except ValueError:
        return None
    if due.tzinfo is None:
        due = timezone.make_aware(due)
    return Q(due_at__gt=due) | Q(due_at=due, pk__gt=int(pk_text))


def inbox_page(user: Any, after: str = "", size: int = 50) -> tuple[list[DossierStep], str]:
    """One page of `waiting_steps(user)` in due order, and the key of the next page ("" on the
    last). No COUNT and no OFFSET: each way a step can wait for the user is read separately in
    due order, at most `size + 1` rows from its own index, and the branches are merged — so the
    first page costs the same with 40 or 40,000 steps waiting."""
    keyset = after_key(after)
    branches = [Q()] if user.is_superuser else step_branches(user)
    candidates: set[tuple[Any, int]] = set()
    for branch in branches:
        qs = _active_steps().filter(branch)
        if keyset is not None:
            qs = qs.filter(keyset)
        candidates.update(qs.order_by("due_at", "pk").values_list("due_at", "pk")[: size + 1])
    # steps without a due moment sort last, as in PostgreSQL's ascending order
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(candidates, key=lambda row: (row[0] or far, row[1]))[: size + 1]
    more = len(ordered) > size
    ids = [pk for _due, pk in ordered[:size]]
    found = (
        DossierStep.objects.select_related(
            "dossier", "dossier__procedure_version", "agency", "assignee"
        )
        .only(*ROW_FIELDS)
        .in_bulk(ids)
    )
    rows = [found[pk] for pk in ids if pk in found]
    next_key = f"{rows[-1].due_at.isoformat()}_{rows[-1].pk}" if more and rows else ""
    return rows, next_key


def desk_queue(user: Any) -> QuerySet[Dossier]:
    """Dossiers at the user's desks waiting for a reception decision or the applicant."""
    desks = [m.desk_id for m in user.current_memberships() if m.role in DESK_ROLES and m.desk_id]
    qs = Dossier.objects.filter(
        status__in=[c.Status.SUBMITTED, c.Status.AWAITING_COMPLETION, c.Status.SUPPLEMENT_REQUESTED]
    )
    if not user.is_superuser:
        qs = qs.filter(desk_id__in=desks)
    return (
        qs.select_related("procedure_version")
        .only(*DOSSIER_ROW_FIELDS)
        .order_by("submitted_at", "pk")
    )


def overview(user: Any) -> QuerySet[Dossier] | None:
    """For leaders and center supervisors: every open dossier in their scope, where it waits."""
    roles = {m.role for m in user.current_memberships()}
    if not (user.is_superuser or roles & {Role.AGENCY_LEADER, Role.CENTER_SUPERVISOR}):
        return None
    return (
        Dossier.objects.visible_to(user)
        .filter(status__in=c.ACTIVE_STATUSES)
        .select_related("procedure_version", "holder_agency")
        .only(*DOSSIER_ROW_FIELDS, "holder_agency__name")
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class MyWork:
    """The counts on an officer's home page; each links to the list it counts."""

    waiting: int
    due_today: int
    overdue: int
    to_receive: int
    to_return: int


def my_work(user: Any, now: dt.datetime | None = None) -> MyWork:
    """What waits for `user` now: steps in their inbox (with those due today and overdue, as
    `badges` tells them), dossiers at their desks to receive, and results to hand back."""
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    end_of_day = dt.datetime.combine(
        timezone.localdate(now) + dt.timedelta(days=1), dt.time(), tzinfo=zone
    )
    steps = _active_steps().filter(step_filter(user))
    running = steps.filter(dossier__status__in=c.CLOCK_RUNNING)
    desks = [
        m.desk_id
        for m in user.memberships_on(timezone.localdate(now))
        if m.role in DESK_ROLES and m.desk_id
    ]
    ready = Dossier.objects.filter(status=c.Status.RESULT_READY)
    if not user.is_superuser:
        ready = ready.filter(desk_id__in=desks)
    return MyWork(
        waiting=steps.count(),
        due_today=running.filter(due_at__gte=now, due_at__lt=end_of_day).count(),
        overdue=running.filter(due_at__lt=now).count(),
        to_receive=desk_queue(user).count(),
        to_return=ready.count(),
    )
