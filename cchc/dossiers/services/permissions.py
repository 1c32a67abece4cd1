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


def _on_step(actor: Any, step: DossierStep, dossier: Dossier) -> bool:
    return (step.at_desk and works_at_desk(actor, dossier)) or works_in(actor, step.agency_id)


def may(actor: Any, action: str, dossier: Dossier, steps: list[DossierStep]) -> bool:
    """Whether `actor` passes the permission check of `action` on `dossier` (given its steps,
    in order) — for pages, to offer only the forms the user may submit. The services check
    again; a test walks personas × states and compares this with what the services allow."""
    from .. import constants as c

    a = c.Action
    if is_system(actor):
        return True
    active = [st for st in steps if st.status == c.StepStatus.ACTIVE]
    process = [st for st in active if st.kind == c.StepKind.PROCESS]
    if action in (
        a.RECEIVE,
        a.REFUSE_RECEPTION,
        a.NOTIFY_EARLY,
        a.RETURN_RESULT,
        a.RECORD_PAYMENT,
        a.CLOSE_UNSUPPLEMENTED,
    ):
        return works_at_desk(actor, dossier)
    if action in (a.RESUBMIT, a.SUPPLY, a.WITHDRAW):
        return is_applicant(actor, dossier) or works_at_desk(actor, dossier)
    if action == a.REQUEST_COMPLETION:
        if dossier.supplement_rounds:  # a second request is a leader's decision
            return any(
                works_in(actor, agency, LEADER_ROLES)
                for agency in (dossier.competent_agency_id, dossier.receiving_agency_id)
            )
        return works_at_desk(actor, dossier)
    if action == a.RESUME:
        return not active or _on_step(actor, active[0], dossier)
    if action in (
        a.ASSIGN,
        a.COMPLETE_STEP,
        a.SEND_BACK,
        a.CONSULT,
        a.MARK_RESULT_READY,
        a.PAUSE,
        a.REQUEST_SUPPLEMENT,
    ):
        return bool(process) and _on_step(actor, process[0], dossier)
    if action == a.ANSWER_CONSULTATION:
        return any(
            works_in(actor, st.agency_id) for st in active if st.kind == c.StepKind.CONSULTATION
        )
    if action == a.APOLOGISE:
        return any(
            works_in(actor, agency, (Role.AGENCY_LEADER,))
            for agency in (dossier.competent_agency_id, dossier.holder_agency_id or 0)
        )
    if action == a.DECLARE_INELIGIBLE:
        return works_in(actor, dossier.competent_agency_id, (Role.AGENCY_LEADER,))
    return True  # CONFIRM_PAPER: offered per hand-over to its receiving agency
