"""Which dossiers a user's reports cover."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cchc.accounts.constants import Role
from cchc.dossiers.models import Dossier


def sees_province(user: Any) -> bool:
    return bool(user.is_superuser) or any(
        m.role == Role.REFORM_OFFICER for m in user.current_memberships()
    )


def report_scope(user: Any) -> QuerySet[Dossier]:
    """Reform officers and administrators report on the whole province; everyone else on the
    dossiers they may see (their desk, their agency)."""
    if sees_province(user):
        return Dossier.objects.all()
    return Dossier.objects.visible_to(user)


def own_slice(user: Any) -> tuple[Q, Q] | None:
    """For a user whose reports cover whole agencies or desks — an agency's leader, a center's
    supervisor, a desk's receptionist — the same slice as (a condition on the monthly rollups,
    the same condition on the dossiers); None for a scope that follows the dossiers' steps
    (specialists, division heads), which only the dossiers can answer.

    The slice is the dossiers the agency settles (competent agency) and those its desks
    receive: what the periodic report by agency or by desk counts. It leaves out another
    agency's dossier on which the leader's agency only gave an opinion, which the leader may
    open but which is not the agency's to report on.
    """
    rollup, dossiers = Q(pk__in=[]), Q(pk__in=[])
    memberships = user.current_memberships()
    if not memberships:
        return None
    for m in memberships:
        if m.role == Role.AGENCY_LEADER:
            rollup |= Q(agency_id=m.agency_id)
            dossiers |= Q(competent_agency_id=m.agency_id)
        elif m.role == Role.CENTER_SUPERVISOR and not m.desk_id:
            rollup |= Q(desk__agency_id=m.agency_id)
            dossiers |= Q(desk__agency_id=m.agency_id)
        elif m.role in (Role.RECEPTIONIST, Role.CENTER_SUPERVISOR) and m.desk_id:
            rollup |= Q(desk_id=m.desk_id)
            dossiers |= Q(desk_id=m.desk_id)
        else:
            return None
    return rollup, dossiers
