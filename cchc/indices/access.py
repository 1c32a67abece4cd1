"""Who sees and does what with the indices: every official reads the frameworks and the
announced results; an agency reads and self-scores only its own assessment; the reform office
(the appraisal council) reads all, appraises, runs surveys and imports national results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cchc.accounts.constants import Role
from cchc.reform_plans.permissions import agencies_of, is_official, is_reform_office

from .constants import RoundStatus
from .models import Assessment
from .survey import figures

__all__ = ["agencies_of", "assessments_for", "is_leader_of", "is_official", "is_reform_office"]


def assessments_for(user: Any) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("framework", "agency")
    if is_reform_office(user):
        return qs
    return qs.filter(agency_id__in=agencies_of(user))


def is_leader_of(user: Any, agency_id: int) -> bool:
    return any(
        m.agency_id == agency_id and m.role == Role.AGENCY_LEADER
        for m in user.current_memberships()
    )


def figures_for(survey: Any, user: Any) -> dict[str, Any]:
    """A survey round's figures as `user` may see them. While the round is not published,
    each agency's line is internal: the council (reform office) sees every agency, others the
    province's line and their own agencies only. Published results are every official's."""

    results = figures(survey)
    if survey.status == RoundStatus.PUBLISHED or is_reform_office(user):
        return results
    mine = {str(a) for a in agencies_of(user)}
    agencies = results.get("agencies", {})
    return {**results, "agencies": {k: v for k, v in agencies.items() if k in mine}}
