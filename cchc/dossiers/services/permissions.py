"""Who may do what on a dossier; every service checks here, so views and the API agree."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.constants import Role

from ..models import Dossier, DossierStep
from .common import ServiceError

LEADER_ROLES = (Role.AGENCY_LEADER, Role.DIVISION_HEAD)


def _memberships(actor: Any) -> list[Any]:
    if actor is None or not getattr(actor, "pk", None):
        return []
    cache = getattr(actor, "_cchc_memberships", None)
    if cache is None:
        cache = list(actor.memberships_on(timezone.localdate()))
        actor._cchc_memberships = cache
    return cache


def is_system(actor: Any) -> bool:
    """Commands and integrations act as the system (no user) or as a superuser."""
    return actor is None or getattr(actor, "is_superuser", False)


def works_at_desk(actor: Any, dossier: Dossier) -> bool:
    if is_system(actor):
        return True
    return any(
        m.desk_id == dossier.desk_id
        or (
            m.desk_id is None
            and m.role == Role.CENTER_SUPERVISOR
            and m.agency_id == dossier.receiving_agency_id
        )
        for m in _memberships(actor)
    )


def works_in(actor: Any, agency_id: int, roles: tuple[str, ...] = ()) -> bool:
    if is_system(actor):
        return True
    return any(
        m.agency_id == agency_id and (not roles or m.role in roles) for m in _memberships(actor)
    )


def require_desk(actor: Any, dossier: Dossier) -> None:
    if not works_at_desk(actor, dossier):
        raise ServiceError(
            "forbidden", _("Chỉ cán bộ của bộ phận một cửa đã tiếp nhận hồ sơ được thao tác này.")
        )


def require_step(actor: Any, step: DossierStep) -> None:
    if step.at_desk and works_at_desk(actor, step.dossier):
        return
    if not works_in(actor, step.agency_id):
        raise ServiceError(
            "forbidden",
            _("Bước này do %(step_agency_name)s thực hiện; bạn không thuộc cơ quan đó.")
            % {"step_agency_name": step.agency.name},
        )


def require_leader(actor: Any, *agency_ids: int, roles: tuple[str, ...] = LEADER_ROLES) -> None:
    if not any(works_in(actor, a, roles) for a in agency_ids):
        raise ServiceError(
            "leader_required", _("Thao tác này cần lãnh đạo cơ quan giải quyết thực hiện.")
        )


def is_applicant(actor: Any, dossier: Dossier) -> bool:
    return bool(getattr(actor, "pk", None)) and dossier.applicant_user_id == actor.pk


def require_desk_or_applicant(actor: Any, dossier: Dossier) -> None:
    if not is_applicant(actor, dossier):
        require_desk(actor, dossier)
