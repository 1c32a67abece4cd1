"""The dossier API: same services, JSON errors, idempotent creation, revisions."""

from __future__ import annotations

import pytest

from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version

pytestmark = pytest.mark.django_db


def payload(world, **extra):
    v = version("1.004873", at("2026-11-26 09:00").date())
    data = {
        "procedure": "1.004873",
        "desk": world.commune_desk.pk,
        "channel": "in_person",
        "applicant": {
            "name": "Lò Thị Hương",
            "area_code": world.commune.code,
            "id_number": "014190001234",
            "phone": "0912345678",
        },
        "documents": [{"required_document": d.pk, "originals": 1} for d in v.documents.all()],
    }
    data.update(extra)
    return data


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def test_api_takes_a_dossier_from_reception_to_return(client, world):
    client.force_login(world.receptionist)
    created = post(client, "/api/v1/dossiers", payload(world))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "in_progress" and body["code"]
    assert body["id_number_masked"].endswith("234") and "014190001234" not in created.text
    pk = body["id"]
    people = {
        "division_head": world.division_head,
        "specialist": world.specialist,
        "agency_leader": world.leader,
        "clerk": world.clerk,
    }
    for _ in range(5):
        step = Dossier.objects.get(pk=pk).steps.get(status="active")
        client.force_login(people[step.role])
        r = post(client, f"/api/v1/dossiers/{pk}/actions/complete_step", {"data": {"note": "ok"}})
        assert r.status_code == 200, r.content
    assert r.json()["status"] == "result_ready"
    client.force_login(world.receptionist)
    r = post(client, f"/api/v1/dossiers/{pk}/actions/notify_early", {"data": {}})
    r = post(
        client,
        f"/api/v1/dossiers/{pk}/actions/return_result",
        {"data": {"returned_to": "Lò Thị Hương", "method": "desk"}},
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert r.json()["timeliness"] in ("early", "on_time")


def test_retried_creation_with_idempotency_key_creates_one_dossier(client, world):
    client.force_login(world.receptionist)
    first = post(client, "/api/v1/dossiers", payload(world), **{"Idempotency-Key": "k-1"})
    second = post(client, "/api/v1/dossiers", payload(world), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Dossier.objects.count() == 1


def test_stale_revision_gets_409_dossier_changed(client, world):
    d = world.received()
    client.force_login(world.division_head)
    url = f"/api/v1/dossiers/{d.pk}/actions/complete_step"
    assert post(client, url, {"revision": d.revision, "data": {}}).status_code == 200
    r = post(client, url, {"revision": d.revision, "data": {}})
    assert r.status_code == 409
    assert r.json()["code"] == "dossier_changed"
    assert "tải lại" in r.json()["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"applicant": {"name": "A", "area_code": "zzz"}},
        {"procedure": "9.999999"},
        {"desk": 10**9},
        {"documents": [{"required_document": 10**9}]},
        {"sets": 0},
        {"channel": "fax"},
        {"applicant": {"name": "A", "area_code": "00001", "id_number": "x" * 40}},
    ],
)
def test_bad_creation_input_is_a_4xx_with_a_vietnamese_message(client, world, change):
    client.force_login(world.receptionist)
    data = payload(world)
    data.update(change)
    r = post(client, "/api/v1/dossiers", data)
    assert 400 <= r.status_code < 500
    assert r.json()["message"] and r.json()["code"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "action,data",
    [
        ("nonsense", {}),
        ("apologise", {"reason": "x", "new_due": "không phải ngày"}),
        ("assign", {"assignee": "abc"}),
        ("send_back", {}),
        ("request_supplement", {"items": ["x"], "reason": "r"}),
        ("consult", {"consultations": [{"agency": "0", "time_share": "a"}]}),
        ("record_payment", {"fee": 1}),
    ],
)
def test_bad_action_input_never_gives_a_500(client, world, action, data):
    d = world.received()
    client.force_login(world.leader)
    r = post(client, f"/api/v1/dossiers/{d.pk}/actions/{action}", {"data": data})
    assert 400 <= r.status_code < 500, r.content
    assert r.json()["message"]
    assert Dossier.objects.get(pk=d.pk).revision == d.revision


def test_openapi_documents_the_dossier_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/dossiers" in spec["paths"]
    assert "/api/v1/dossiers/{dossier_id}/actions/{action}" in spec["paths"]


def test_api_records_fee_exemptions(client, world):
    v = version("1.000703", at("2026-11-26 09:00").date())
    fee = v.fees.first()
    client.force_login(world.center_receptionist)
    data = payload(world, procedure="1.000703", desk=world.center_desk.pk)
    data["documents"] = [{"required_document": d.pk, "originals": 1} for d in v.documents.all()]
    data["exemptions"] = [{"fee": fee.pk, "reason": "Hộ nghèo"}]
    r = post(client, "/api/v1/dossiers", data)
    assert r.status_code == 201, r.content
    row = Dossier.objects.get().fees.get()
    assert row.exempt and row.exemption_reason == "Hộ nghèo"


def test_refusals_speak_the_users_language_vietnamese_first(client, world):
    """The workflow's refusals are in the catalog: Vietnamese by default (whatever the browser
    says), English when the user chose it, with the same machine code."""
    d = world.received()
    client.force_login(world.leader)
    url = f"/api/v1/dossiers/{d.pk}/actions/receive"
    vi = post(client, url, {"data": {}}).json()
    assert vi["code"] == "transition_not_allowed"
    assert vi["message"] == "Không thể “Tiếp nhận” khi hồ sơ đang ở trạng thái “Đang giải quyết”."
    assert post(client, url, {"data": {}}, **{"Accept-Language": "en"}).json() == vi
    client.cookies["django_language"] = "en"
    en = post(client, url, {"data": {}}).json()
    assert en["code"] == "transition_not_allowed"
    assert en["message"] == "Cannot “Receive” while the dossier is “In progress”."
    created = post(client, "/api/v1/dossiers", payload(world, sets=99))
    assert created.status_code == 422
    assert created.json() == {
        "code": "invalid_parameter",
        "message": "Invalid parameter: payload.sets.",
        "details": created.json()["details"],
    }


@pytest.mark.parametrize(
    "desk,code,outcome,extra",
    [
        ("commune_desk", "1.004873", "receive", {}),
        ("commune_desk", "1.004873", "request_completion", {"reason": "Thiếu giấy tờ"}),
        ("commune_desk", "1.004873", "refuse", {"reason": "Không thuộc thẩm quyền"}),
        ("commune_desk", "1.001193", "at_once", {"fee_receipt": "BL-0007"}),
        ("commune_desk", "1.004873", "none", {}),
        # the provincial centre hands the paper dossier over to the department
        ("center_desk", "1.000703", "receive", {"sets": 2}),
    ],
)
def test_the_answer_to_a_reception_is_what_reading_it_back_gives(
    client, world, desk, code, outcome, extra
):
    """Issue 20: the reply to a reception shows the steps, hand-over, forms, due change and
    documents its decision wrote without reading them back; they must be exactly the rows."""
    v = version(code, at("2026-11-26 09:00").date())
    desk = getattr(world, desk)
    officer = world.receptionist if desk == world.commune_desk else world.center_receptionist
    client.force_login(officer)
    data = payload(world, procedure=code, desk=desk.pk, outcome=outcome, **extra)
    data["documents"] = [{"required_document": d.pk, "originals": 1} for d in v.documents.all()]
    if outcome == "request_completion":
        data["missing"] = [data["documents"].pop()["required_document"]]
    made = post(client, "/api/v1/dossiers", data)
    assert made.status_code == 201, made.content
    answer = made.json()
    assert answer == client.get(f"/api/v1/dossiers/{answer['id']}").json()
    if outcome in ("receive", "at_once"):
        assert answer["steps"] and answer["handovers"] and answer["due_changes"]
        assert all(h["from_agency"] and h["to_agency"] for h in answer["handovers"])
        assert bool(answer["forms"]) == (outcome == "receive")  # the receipt
