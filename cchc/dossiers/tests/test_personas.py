"""Persona matrix: who sees which dossier, on every page and API endpoint (404 outside scope)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PERSONAS = [
    "receptionist",  # desk officer of commune A
    "dept_specialist",  # specialist of department B
    "dept_leader",  # leader of department B
    "supervisor",  # supervisor of the provincial Center
    "reform_officer",
    "citizen",
    "outsider",
]
# persona -> (sees the commune dossier, sees the provincial dossier)
EXPECTED = {
    "receptionist": (True, False),
    "dept_specialist": (False, True),
    "dept_leader": (False, True),
    "supervisor": (False, True),
    "reform_officer": (False, False),
    "citizen": (True, False),
    "outsider": (False, False),
}


@pytest.fixture
def dossiers(world, outsider):
    commune = world.received()
    Dossier.objects.filter(pk=commune.pk).update(applicant_user=world.citizen)
    provincial = world.received("1.000703", desk=world.center_desk, actor=world.center_receptionist)
    world.outsider = outsider
    return commune, provincial


def urls(d):
    form = d.forms.first()
    scan = d.documents.exclude(file="").first()
    return [
        ("get", reverse("dossiers:document", args=[d.pk, scan.pk])),
        ("get", reverse("dossiers:detail", args=[d.pk])),
        ("get", reverse("dossiers:personal", args=[d.pk])),
        ("get", reverse("dossiers:control_slip", args=[d.pk])),
        ("get", reverse("dossiers:form_pdf", args=[d.pk, form.pk])),
        ("post", reverse("dossiers:action", args=[d.pk, "pause"])),
        ("get", f"/api/v1/dossiers/{d.pk}"),
        ("get", f"/api/v1/dossiers/{d.pk}/forms/{form.pk}"),
        ("get", f"/api/v1/dossiers/{d.pk}/control-slip"),
        ("post", f"/api/v1/dossiers/{d.pk}/actions/pause"),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_sees_exactly_its_dossiers_everywhere(client, world, dossiers, persona):
    client.force_login(getattr(world, persona))
    for dossier, expected in zip(dossiers, EXPECTED[persona], strict=True):
        for method, url in urls(dossier):
            if method == "get":
                response = client.get(url)
            elif url.startswith("/api/"):
                response = client.post(
                    url, {"data": {"reason": "x"}}, content_type="application/json"
                )
            else:
                response = client.post(url, {"reason": "x"})
            if expected:
                assert response.status_code != 404, (persona, url)
            else:
                assert response.status_code == 404, (persona, url, response.status_code)
        listing = client.get(reverse("dossiers:list")).content.decode()
        api_list = client.get("/api/v1/dossiers").json()
        codes = {item["code"] for item in api_list["items"]}
        assert (dossier.code in listing) == expected, (persona, "list")
        assert (dossier.code in codes) == expected, (persona, "api list")


def test_visible_but_not_permitted_action_is_refused_with_a_message(client, world, dossiers):
    """The supervisor sees the provincial dossier but cannot act on the department's step."""
    _commune, provincial = dossiers
    client.force_login(world.supervisor)
    response = client.post(
        f"/api/v1/dossiers/{provincial.pk}/actions/complete_step",
        {"data": {}},
        content_type="application/json",
    )
    assert response.status_code == 403  # forbidden, not invalid input
    assert response.json()["code"] == "forbidden"


def test_anonymous_gets_login_redirect_and_401(client, dossiers):
    commune, _ = dossiers
    assert client.get(reverse("dossiers:detail", args=[commune.pk])).status_code == 302
    assert client.get(f"/api/v1/dossiers/{commune.pk}").status_code == 401


@pytest.mark.parametrize(
    "action,data",
    [
        ("receive", {}),
        ("request_completion", {"items": [], "reason": "Thiếu tờ khai"}),
        ("refuse_reception", {"reason": "Không thuộc thẩm quyền"}),
    ],
)
def test_only_the_desk_decides_on_reception(client, world, action, data):
    """Receiving, asking to complete and refusing are the desk's decisions (R-CHECK): the
    applicant who can see their own online dossier, and the competent agency's leader who can
    see it too, are refused; the dossier stays where it was."""
    d = world.start(channel="online")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=world.citizen)
    if action == "request_completion":
        data = {**data, "items": [d.procedure_version.documents.first().pk]}
    for persona in ("citizen", "leader"):
        client.force_login(getattr(world, persona))
        r = client.post(
            f"/api/v1/dossiers/{d.pk}/actions/{action}",
            {"data": data},
            content_type="application/json",
        )
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (persona, r.content)
    d.refresh_from_db()
    assert d.status == "submitted" and d.code is None
    client.force_login(world.receptionist)
    r = client.post(
        f"/api/v1/dossiers/{d.pk}/actions/{action}",
        {"data": data},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
