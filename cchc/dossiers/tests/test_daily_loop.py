"""The daily one-stop loop (issue 14): local dates at night, the version in force, who may do
a step, what each hand-over records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cchc.dossiers import services as s
from cchc.dossiers.constants import Channel, RuleSet, Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version
from cchc.procedures import services as catalog
from cchc.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db


# -- 1. Night-time: every service decides dates in Asia/Ho_Chi_Minh -------------------------


def test_online_dossier_submitted_at_half_past_midnight_on_a_boundary_day_is_taken(world):
    """00:30 on 01/07/2025 in Vietnam is still 30/06 in UTC: the desk of the two-level
    structure, the version and the 2025 rule set must be judged on 01/07."""
    moment = at("2025-07-01 00:30")
    assert world.commune_desk.valid_from == dt.date(2025, 7, 1)  # the boundary under test
    v = version("1.004873", moment.date())
    with time_machine.travel(moment, tick=False):
        d = s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(birth_date=dt.date(2025, 7, 1)),  # born "today", local
            channel=Channel.ONLINE,
            documents=world.documents(v),
            actor=world.citizen,
        )
        assert d.rule_set == RuleSet.DECREE_118_2025
        d = s.receive(d, actor=world.receptionist)
    assert d.status == Status.IN_PROGRESS
    assert d.code.split("-")[1] == "250701"


def test_birth_date_tomorrow_in_vietnam_is_still_refused_at_night(world):
    moment = at("2025-07-01 00:30")
    v = version("1.004873", moment.date())
    with time_machine.travel(moment, tick=False), pytest.raises(s.ServiceError) as caught:
        s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(birth_date=dt.date(2025, 7, 2)),
            channel=Channel.IN_PERSON,
            documents=world.documents(v),
            actor=world.receptionist,
        )
    assert "applicant.birth_date" in caught.value.details


# -- 6. The version in force is the one whose validity covers the moment of receipt ----------


def _publish_v2_from(v1: ProcedureVersion, day: dt.date, actor) -> ProcedureVersion:
    draft = catalog.create_draft(v1, actor=actor)
    draft.name = v1.name + " (sửa đổi)"
    draft.save()
    return catalog.publish(draft, actor=actor, valid_from=day)


def _api_payload(world, v):
    return {
        "procedure": v.procedure.code,
        "desk": world.commune_desk.pk,
        "channel": "in_person",
        "applicant": {
            "name": "Lò Thị Hương",
            "area_code": world.commune.code,
            "id_number": "014190001234",
        },
        "documents": [{"required_document": d.pk, "originals": 1} for d in v.documents.all()],
    }


def test_publishing_a_future_version_keeps_the_current_one_receivable_until_then(client, world):
    today = dt.date(2026, 11, 23)
    v1 = version("1.004873", today)
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        v2 = _publish_v2_from(v1, dt.date(2026, 12, 1), world.reform_officer)
        v1.refresh_from_db()
        assert v1.valid_to == dt.date(2026, 11, 30)
        # one function answers "which version is in force", on either side of the change
        assert ProcedureVersion.objects.in_force_for("1.004873", today) == v1
        assert ProcedureVersion.objects.in_force_for("1.004873", dt.date(2026, 12, 1)) == v2
        # the service takes version 1 today ...
        d = world.received()
        assert d.procedure_version == v1
        # ... the API too ...
        client.force_login(world.receptionist)
        r = client.post("/api/v1/dossiers", _api_payload(world, v1), "application/json")
        assert r.status_code == 201, r.content
        assert Dossier.objects.get(pk=r.json()["id"]).procedure_version == v1
        # ... the desk page offers it, and the portal shows it
        page = client.get("/ho-so/tiep-nhan/", {"desk": world.commune_desk.pk})
        assert f'value="{v1.pk}"' in page.content.decode()
        assert client.get("/dich-vu-cong/thu-tuc/1.004873/").status_code == 200
        # version 2 cannot be used before its first day
        with pytest.raises(s.ServiceError):
            s.start_dossier(
                version=v2,
                desk=world.commune_desk,
                applicant=world.applicant(),
                channel=Channel.IN_PERSON,
                documents=world.documents(v2),
                actor=world.receptionist,
            )
    with time_machine.travel(at("2026-12-01 08:00"), tick=False):
        r = client.post("/api/v1/dossiers", _api_payload(world, v2), "application/json")
        assert r.status_code == 201, r.content
        assert Dossier.objects.get(pk=r.json()["id"]).procedure_version == v2
        v1.refresh_from_db()
        with pytest.raises(s.ServiceError):  # version 1 has ended
            s.start_dossier(
                version=v1,
                desk=world.commune_desk,
                applicant=world.applicant(),
                channel=Channel.IN_PERSON,
                documents=world.documents(v1),
                actor=world.receptionist,
            )
