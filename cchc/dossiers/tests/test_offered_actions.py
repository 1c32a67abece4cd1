"""The dossier page offers exactly the forms its user may submit: `permissions.may` is checked
against the services themselves, persona by persona, state by state."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from cchc.dossiers import services as s
from cchc.dossiers.constants import TRANSITIONS, allowed
from cchc.dossiers.models import Dossier
from cchc.dossiers.services.permissions import may
from cchc.dossiers.testing import at
from cchc.dossiers.tests.test_transitions import Rollback, calls

pytestmark = pytest.mark.django_db

PERSONAS = [
    "receptionist",
    "division_head",
    "specialist",
    "leader",
    "dept_leader",
    "supervisor",
    "citizen",
]
REFUSED = {"forbidden", "leader_required"}


def states(world):
    submitted = world.start(channel="online", moment="2026-11-23 08:00")
    received = world.received(moment="2026-11-23 09:00")
    paused = world.received(moment="2026-11-23 10:00")
    s.complete_step(paused, actor=world.division_head, at=at("2026-11-23 11:00"))
    paused = s.pause(paused, reason="Chờ thuế", actor=world.specialist, at=at("2026-11-23 13:30"))
    asked = world.start(skip=1, moment="2026-11-23 14:00")
    asked = s.request_completion(
        asked,
        items=[s.SupplementItem(asked.procedure_version.documents.first().pk)],
        reason="Thiếu",
        actor=world.receptionist,
    )
    for d in (submitted, received, paused, asked):
        Dossier.objects.filter(pk=d.pk).update(applicant_user=world.citizen)
    return [Dossier.objects.get(pk=d.pk) for d in (submitted, received, paused, asked)]


def test_offered_actions_match_what_the_services_allow(world):
    checked = 0
    for d in states(world):
        for persona in PERSONAS:
            actor = getattr(world, persona)
            fresh = Dossier.objects.get(pk=d.pk)
            steps = list(fresh.steps.select_related("agency").order_by("order", "pk"))
            world.admin = actor
            table = calls(world, fresh)
            for action in TRANSITIONS:
                if not allowed(action, fresh.status) or action in ("confirm_paper", "reassign"):
                    continue
                refused = None
                try:
                    with transaction.atomic():
                        table[action]()
                        raise Rollback
                except Rollback:
                    refused = False
                except s.ServiceError as exc:
                    if exc.code in REFUSED:
                        refused = True
                    # any other refusal (bad input, too early…) says nothing about permission
                finally:
                    actor.forget_memberships()
                if refused is None:
                    continue
                offered = may(actor, action, fresh, steps)
                assert offered == (not refused), (fresh.status, persona, action)
                checked += 1
    assert checked >= 40


def test_the_page_shows_the_desk_its_forms_and_the_applicant_none_of_the_staff_ones(client, world):
    d = world.received()
    Dossier.objects.filter(pk=d.pk).update(applicant_user=world.citizen)
    url = reverse("dossiers:detail", args=[d.pk])
    client.force_login(world.division_head)
    page = client.get(url).content.decode()
    assert 'id="complete-step"' in page and 'id="return-result"' not in page
    assert reverse("dossiers:action", args=[d.pk, "assign"]) in page
    client.force_login(world.citizen)
    page = client.get(url).content.decode()
    for action in ("complete_step", "assign", "pause", "receive", "return_result"):
        assert reverse("dossiers:action", args=[d.pk, action]) not in page


def test_the_consult_form_lists_other_agencies_and_its_choice_is_taken(client, world):
    """The page's consult form offers the province's agencies by key and name, never the step's
    own agency, and what the specialist picks there is the agency asked (R-STEPS)."""
    d = world.received(moment="2026-11-23 09:00")
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 11:00"))
    client.force_login(world.specialist)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    form = page[page.index("/consult/") :]
    form = form[: form.index("</select>")]
    assert f'<option value="{world.department.pk}">{world.department.name}</option>' in form
    assert f'value="{world.commune_pc.pk}"' not in form  # the step's own agency
    client.post(
        reverse("dossiers:action", args=[d.pk, "consult"]),
        {"revision": d.revision, "agency": world.department.pk, "time_share": "1", "task": "Ý"},
    )
    asked = d.steps.get(kind="consultation")
    assert asked.agency == world.department and asked.status == "active"
