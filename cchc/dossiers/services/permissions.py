"""Who may do what on a dossier: one predicate per action, in one table (`PREDICATES`).

The services call `require(action, actor, dossier, step)`; the dossier page and the API's
`allowed_actions` call `may(actor, action, dossier, steps)`, which looks up the same
predicate. There is no second copy to keep in sync (ADR 0009).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.constants import Role
from cchc.organizations.models import Desk

from .. import constants as c
from ..models import Dossier, DossierStep
from .common import Forbidden
from .steps import is_last_processing_step

LEADER_ROLES = (Role.AGENCY_LEADER, Role.DIVISION_HEAD)
# R-STEPS: a step names a role; a leader ranked above that role may act in its place.
ROLE_RANK: dict[str, int] = {
    Role.SPECIALIST: 1,
    Role.CLERK: 1,
    Role.DIVISION_HEAD: 2,
    Role.AGENCY_LEADER: 3,
}


def _memberships(actor: Any) -> list[Any]:
    if actor is None or not getattr(actor, "pk", None):
        return []
    return list(actor.current_memberships())


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


def holds_role(actor: Any, step: DossierStep) -> bool:
    """`actor` holds the step's role in the step's agency, or a leader's role above it."""
    if is_system(actor):
        return True
    rank = ROLE_RANK.get(step.role, 0)
    return any(
        m.agency_id == step.agency_id
        and (
            not step.role
            or m.role == step.role
            or (m.role in LEADER_ROLES and ROLE_RANK.get(m.role, 0) > rank)
        )
        for m in _memberships(actor)
    )


def may_do_step(actor: Any, step: DossierStep, dossier: Dossier | None = None) -> bool:
    """Complete, send back, sign, consult on, pause or ask to supplement at `step`: the desk
    for its own steps; otherwise whoever holds the step's role (or leads above it) in the
    step's agency, or the member it was assigned to."""
    if is_system(actor):
        return True
    if step.at_desk:
        return works_at_desk(actor, dossier or step.dossier)
    if step.assignee_id is not None and step.assignee_id == actor.pk:
        return works_in(actor, step.agency_id)
    return holds_role(actor, step)


def may_assign(actor: Any, step: DossierStep, dossier: Dossier | None = None) -> bool:
    """Assign the handler of `step` (or of the step after it): the desk for its own steps,
    a leader (division head, agency leader) of the step's agency otherwise."""
    if step.at_desk:
        return works_at_desk(actor, dossier or step.dossier)
    return works_in(actor, step.agency_id, LEADER_ROLES)


def is_applicant(actor: Any, dossier: Dossier) -> bool:
    return bool(getattr(actor, "pk", None)) and dossier.applicant_user_id == actor.pk


def leads(actor: Any, *agency_ids: int, roles: tuple[str, ...] = LEADER_ROLES) -> bool:
    return any(works_in(actor, a, roles) for a in agency_ids if a)


Step = DossierStep | None
Predicate = Callable[[Any, Dossier, Step], bool]


def _desk(actor: Any, d: Dossier, _step: Step) -> bool:
    return works_at_desk(actor, d)


def _desk_or_applicant(actor: Any, d: Dossier, _step: Step) -> bool:
    return is_applicant(actor, d) or works_at_desk(actor, d)


def _completion(actor: Any, d: Dossier, _step: Step) -> bool:
    """R-CHECK 2: the desk asks once; a second request is a leader's decision."""
    if d.supplement_rounds:
        return leads(actor, d.competent_agency_id, d.receiving_agency_id)
    return works_at_desk(actor, d)


def _on_step(actor: Any, d: Dossier, step: Step) -> bool:
    return step is not None and may_do_step(actor, step, d)


def _assign(actor: Any, d: Dossier, step: Step) -> bool:
    return step is not None and may_assign(actor, step, d)


def _reassign(actor: Any, d: Dossier, step: Step) -> bool:
    """Moving an officer's pending work: a leader of the step's agency, or the desk (its own
    steps); not the officer themselves."""
    if step is None:
        return False
    return may_assign(actor, step, d) or works_at_desk(actor, d)


def _resume(actor: Any, d: Dossier, step: Step) -> bool:
    return step is None or may_do_step(actor, step, d)


def _apologise(actor: Any, d: Dossier, _step: Step) -> bool:
    """R-LATE: the competent agency's (or the holder's) leader signs the apology."""
    return leads(actor, d.competent_agency_id, d.holder_agency_id or 0, roles=(Role.AGENCY_LEADER,))


def _ineligible(actor: Any, d: Dossier, _step: Step) -> bool:
    """R-INELIGIBLE: the reasoned refusal is signed by the competent agency's leader."""
    return leads(actor, d.competent_agency_id, roles=(Role.AGENCY_LEADER,))


def _anyone(_actor: Any, _d: Dossier, _step: Step) -> bool:
    return True  # checked per object in the service (a paper hand-over's receiving agency)


A = c.Action
PREDICATES: dict[str, Predicate] = {
    A.RECEIVE: _desk,
    A.REFUSE_RECEPTION: _desk,
    A.NOTIFY_EARLY: _desk,
    A.RETURN_RESULT: _desk,
    A.RECORD_PAYMENT: _desk,
    A.CLOSE_UNSUPPLEMENTED: _desk,
    A.RESUBMIT: _desk_or_applicant,
    A.SUPPLY: _desk_or_applicant,
    A.WITHDRAW: _desk_or_applicant,
    A.REQUEST_COMPLETION: _completion,
    A.ASSIGN: _assign,
    A.COMPLETE_STEP: _on_step,
    A.SEND_BACK: _on_step,
    A.CONSULT: _on_step,
    A.MARK_RESULT_READY: _on_step,
    A.PAUSE: _on_step,
    A.REQUEST_SUPPLEMENT: _on_step,
    A.ANSWER_CONSULTATION: _on_step,
    A.RESUME: _resume,
    A.APOLOGISE: _apologise,
    A.SIGN_RESULT: _ineligible,  # the competent agency's leader signs its decision
    A.DECLARE_INELIGIBLE: _ineligible,
    A.CONFIRM_PAPER: _anyone,
    A.REASSIGN: _reassign,
    A.REQUEST_CORRECTION: _desk,
}

REFUSALS: dict[str, Any] = {
    A.REQUEST_COMPLETION: lambda d, step: (
        _("Thao tác này cần lãnh đạo cơ quan giải quyết thực hiện.")
        if d.supplement_rounds
        else _("Chỉ cán bộ của bộ phận một cửa đã tiếp nhận hồ sơ được thao tác này.")
    ),
    A.APOLOGISE: lambda d, step: _("Thao tác này cần lãnh đạo cơ quan giải quyết thực hiện."),
    A.SIGN_RESULT: lambda d, step: _("Chỉ lãnh đạo cơ quan giải quyết được ký số kết quả."),
    A.DECLARE_INELIGIBLE: lambda d, step: _(
        "Thao tác này cần lãnh đạo cơ quan giải quyết thực hiện."
    ),
    A.ASSIGN: lambda d, step: (
        _("Chỉ lãnh đạo %(step_agency_name)s được phân công người xử lý bước này.")
        % {"step_agency_name": step.agency.name}
    ),
}


def _refusal(action: str, d: Dossier, step: Step) -> str:
    special = REFUSALS.get(action)
    if special is not None:
        return str(special(d, step))
    if step is not None and not step.at_desk:
        return _(
            "Bước “%(step_name)s” do %(role)s của %(step_agency_name)s thực hiện; bạn không "
            "được thực hiện bước này."
        ) % {
            "step_name": step.name,
            "role": str(Role(step.role).label).lower() if step.role in Role.values else step.role,
            "step_agency_name": step.agency.name,
        }
    return _("Chỉ cán bộ của bộ phận một cửa đã tiếp nhận hồ sơ được thao tác này.")


LEADERS_ONLY = {A.APOLOGISE, A.DECLARE_INELIGIBLE}


def require(action: str, actor: Any, dossier: Dossier, step: Step = None) -> None:
    """Raise `Forbidden` (403) unless `actor` may do `action` on `dossier` at `step`."""
    if is_system(actor) or PREDICATES[action](actor, dossier, step):
        return
    leaders_only = action in LEADERS_ONLY or (
        action == A.REQUEST_COMPLETION and dossier.supplement_rounds
    )
    code = "leader_required" if leaders_only else "forbidden"
    raise Forbidden(code, _refusal(action, dossier, step))


def current_step(action: str, actor: Any, steps: Sequence[DossierStep]) -> Step:
    """The step an action of the page or the API would act on, among a dossier's steps."""
    active = [st for st in steps if st.status == c.StepStatus.ACTIVE]
    if action == A.ANSWER_CONSULTATION:
        return next(
            (st for st in active if st.kind == c.StepKind.CONSULTATION and may_do_step(actor, st)),
            next((st for st in active if st.kind == c.StepKind.CONSULTATION), None),
        )
    process = [st for st in active if st.kind == c.StepKind.PROCESS]
    if action == A.RESUME:
        return active[0] if active else None
    return process[0] if process else None


def may(actor: Any, action: str, dossier: Dossier, steps: Sequence[DossierStep]) -> bool:
    """Whether `actor` passes `action`'s predicate on `dossier` (given its steps in order): the
    same predicate `require` applies in the service."""
    if is_system(actor):
        return True
    if action == A.REASSIGN:
        return False  # a bulk action of its own page, not a form of the dossier page
    needs_step = PREDICATES[action] in (_on_step, _assign)
    step = current_step(action, actor, steps)
    if needs_step and step is None:
        return False
    if action == A.MARK_RESULT_READY and not is_last_processing_step(step, list(steps)):  # type: ignore[arg-type]
        return False  # not a permission: the result comes at the last step only
    return PREDICATES[action](actor, dossier, step)


def allowed_actions(actor: Any, dossier: Dossier, steps: Sequence[DossierStep]) -> list[str]:
    """The actions the status table allows now and `actor` may do: page and API alike."""
    return [
        a for a in c.TRANSITIONS if c.allowed(a, dossier.status) and may(actor, a, dossier, steps)
    ]


def user_desks(user: Any) -> list[Desk]:
    """The one-stop desks where `user` receives today (an administrator: every desk)."""
    if user.is_superuser:
        return list(Desk.objects.on(timezone.localdate()).order_by("name")[:300])
    ids = [
        m.desk_id for m in user.current_memberships() if m.desk_id and m.role == Role.RECEPTIONIST
    ]
    return list(Desk.objects.filter(pk__in=ids).order_by("name"))
