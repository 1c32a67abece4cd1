"""/api/v1/intake: one door for online dossiers, idempotent by the sender's reference."""

from __future__ import annotations

import base64

import pytest

from cchc.accounts.models import AccountKind, User
from cchc.accounts.services import issue_api_token
from cchc.dossiers.constants import Channel, Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import PDF_BYTES, at, version

pytestmark = pytest.mark.django_db


@pytest.fixture
def connector(db):
    user = User.objects.create_user("cong-quoc-gia", kind=AccountKind.SYSTEM)
    _token, key = issue_api_token(user, "Kết nối Cổng DVC quốc gia", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def payload(world, **extra):
    v = version("1.004873", at("2026-11-26 09:00").date())
    data = {
        "sender_reference": "G22.99-261126-000123",
        "submission_code": "G22.99-261126-000123",
        "procedure": "1.004873",
        "desk": world.commune_desk.pk,
        "applicant": {
            "name": "Lò Thị Hương",
            "area_code": world.commune.code,
            "id_number": "014190001234",
            "phone": "0912345678",
        },
        "documents": [
            {
                "required_document": d.pk,
                "file_name": "tờ khai.pdf",
                "content_base64": base64.b64encode(PDF_BYTES).decode(),
            }
            for d in v.documents.all()
        ],
    }
    data.update(extra)
    return data


def test_national_portal_delivers_a_dossier_once_with_its_own_code(client, world, connector):
    first = client.post(
        "/api/v1/intake/dossiers", payload(world), content_type="application/json", **connector
    )
    assert first.status_code == 201, first.content
    assert first.json()["national_status"] == 1  # acknowledged in the portal's codes: new
    again = client.post(
        "/api/v1/intake/dossiers", payload(world), content_type="application/json", **connector
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    d = Dossier.objects.get()
    assert d.channel == Channel.ONLINE and d.status == Status.SUBMITTED
    assert d.submission_code == "G22.99-261126-000123"
    assert d.documents.filter(content_type="application/pdf").count() == 2


def test_only_system_clients_may_deliver(client, world):
    client.force_login(world.receptionist)
    r = client.post("/api/v1/intake/dossiers", payload(world), content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "not_a_system_client"


@pytest.mark.parametrize(
    "content,code",
    [
        ("@@not base64@@", "invalid_file"),
        (base64.b64encode(b"MZ\x90\x00").decode(), "invalid_input"),  # a renamed executable
    ],
)
def test_bad_files_are_refused_with_a_message(client, world, connector, content, code):
    data = payload(world)
    data["documents"][0]["content_base64"] = content
    r = client.post("/api/v1/intake/dossiers", data, content_type="application/json", **connector)
    assert 400 <= r.status_code < 500 and r.json()["code"] == code
    assert "tờ khai.pdf" in r.json()["message"]
    assert not Dossier.objects.exists()
