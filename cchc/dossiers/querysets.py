"""`visible_to(user)`: the only way a list of dossiers reaches a page or the API."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from cchc.accounts.constants import Role

DESK_ROLES = (Role.RECEPTIONIST, Role.CENTER_SUPERVISOR)
STEP_ROLES = (Role.SPECIALIST, Role.DIVISION_HEAD, Role.CLERK)


class DossierQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: Any) -> DossierQuerySet:
        """Dossiers `user` may see.

        - a desk officer or supervisor posted at a desk: the dossiers received there; a
          supervisor of a whole Center (no desk): every desk of that Center;
        - an agency leader: the dossiers their agency settles or takes part in;
        - a specialist, division head or clerk: the dossiers with a step for their role in
          their agency, or assigned to them;
        - anyone: the dossiers they submitted themselves (citizen accounts).
        Reform officers see statistics (reports), not individual dossiers.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self

        condition = Q(applicant_user=user)
        desks: set[int] = set()
        whole_centers: set[int] = set()
        leader_agencies: set[int] = set()
        step_roles = Q(pk__in=[])
        for m in user.current_memberships():
            if m.role in DESK_ROLES and m.desk_id:
                desks.add(m.desk_id)
            elif m.role == Role.CENTER_SUPERVISOR:
                whole_centers.add(m.agency_id)
            elif m.role == Role.AGENCY_LEADER:
                leader_agencies.add(m.agency_id)
            elif m.role in STEP_ROLES:
                step_roles |= Q(agency_id=m.agency_id, role=m.role)
        if desks:
            condition |= Q(desk_id__in=desks)
        if whole_centers:
            condition |= Q(desk__agency_id__in=whole_centers)
        # the steps' model through the relation: models.py builds its manager from this class
        step_model = self.model._meta.get_field("steps").related_model
        steps = step_model.objects.filter(dossier=OuterRef("pk"))
        if leader_agencies:
            condition |= Q(competent_agency_id__in=leader_agencies)
            condition |= Exists(steps.filter(agency_id__in=leader_agencies))
        condition |= Exists(steps.filter(step_roles | Q(assignee=user)))
        return self.filter(condition)
