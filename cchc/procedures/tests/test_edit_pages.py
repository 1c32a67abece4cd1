"""Editing a draft from the staff pages: every change audited, bad input kept and explained."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cchc.core.models import AuditEvent
from cchc.organizations.models import Agency
from cchc.procedures import services
from cchc.procedures.constants import VersionStatus
from cchc.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

CODE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân, 3 working days


def formset_data(prefix, rows, fields):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name in fields:
            value = row.get(name, "")
            if value is True:
                value = "on"
            if value is False:
                continue
            data[f"{prefix}-{i}-{name}"] = value
    return data


def post_data(version, *, limit="3", steps=None):
    data = {
        "name": version.name,
        "field": version.field_id,
        "levels": version.level_list(),
        "time_limit": limit,
        "time_unit": "working_days",
        "online_level": "partial",
        "applicant_types": ["citizen", "foreigner"],
    }
    data |= formset_data(
        "doc",
        [{"order": 1, "name": "Tờ khai", "originals": 1, "copies": 0}],
        ["order", "name", "originals", "copies"],
    )
    data |= formset_data(
        "fee",
        [{"order": 1, "kind": "charge", "name": "Lệ phí", "amount": "10000"}],
        ["order", "kind", "name", "amount", "exemption"],
    )
    steps = steps or [
        {
            "order": 1,
            "name": "Tiếp nhận",
            "performer": "receiving_desk",
            "role": "receptionist",
            "time_share": "0",
        },
        {
            "order": 2,
            "name": "Thẩm định",
            "performer": "competent_agency",
            "role": "specialist",
            "time_share": "2.5",
        },
    ]
    data |= formset_data(
        "step", steps, ["order", "name", "performer", "other_agency", "role", "time_share"]
    )
    return data


@pytest.fixture
def editor(admin_user, client):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(admin_user):
    current = ProcedureVersion.objects.get(procedure__code=CODE, status=VersionStatus.PUBLISHED)
    return services.create_draft(current, actor=admin_user)


def test_officer_edits_documents_fees_and_steps_of_a_draft(editor, draft):
    url = reverse("procedures:edit", args=[CODE, draft.number])
    response = editor.post(url, post_data(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [d.name for d in draft.documents.all()] == ["Tờ khai"]
    assert draft.fees.get().amount == Decimal(10000)
    assert draft.steps.count() == 2 and draft.online_level == "partial"
    assert draft.applicant_types == ["citizen", "foreigner"] and draft.levels == "commune"
    event = AuditEvent.objects.filter(
        action="procedure_version.update", object_id=str(draft.pk)
    ).last()
    assert "documents" in event.changes and "steps" in event.changes


def test_shares_over_the_limit_are_refused_and_the_input_is_kept(editor, draft):
    url = reverse("procedures:edit", args=[CODE, draft.number])
    response = editor.post(url, post_data(draft, limit="2"))
    page = response.content.decode()
    assert response.status_code == 200 and "vượt quá thời hạn" in page
    assert 'value="Thẩm định"' in page  # what the officer typed is still there
    draft.refresh_from_db()
    assert draft.time_limit == Decimal(3)  # nothing stored


def test_inter_agency_step_must_name_its_agency(admin_user, draft):
    step = {
        "order": 1,
        "name": "Lấy ý kiến",
        "performer": "other_agency",
        "role": "specialist",
        "time_share": "1",
        "other_agency_id": None,
    }
    with pytest.raises(ValidationError, match="cơ quan phối hợp"):
        services.update_draft(draft, {}, actor=admin_user, steps=[step])
    step["other_agency_id"] = Agency.objects.get(name="Sở Tư pháp").pk
    services.update_draft(draft, {}, actor=admin_user, steps=[step])
    assert draft.steps.get().other_agency.name == "Sở Tư pháp"


def test_published_version_cannot_be_opened_for_editing(editor):
    current = ProcedureVersion.objects.get(procedure__code=CODE, status=VersionStatus.PUBLISHED)
    response = editor.get(reverse("procedures:edit", args=[CODE, current.number]), follow=True)
    assert "không được sửa" in response.content.decode()


def test_officer_without_catalog_rights_cannot_edit(client, outsider, draft):
    client.force_login(outsider)
    assert client.get(reverse("procedures:edit", args=[CODE, draft.number])).status_code == 403
    assert client.post(reverse("procedures:create_draft", args=[CODE])).status_code == 403


def test_duplicate_order_numbers_are_a_message_not_an_error_page(editor, draft):
    url = reverse("procedures:edit", args=[CODE, draft.number])
    steps = [
        {
            "order": 1,
            "name": "A",
            "performer": "receiving_desk",
            "role": "receptionist",
            "time_share": "0",
        },
        {
            "order": 1,
            "name": "B",
            "performer": "competent_agency",
            "role": "specialist",
            "time_share": "1",
        },
    ]
    response = editor.post(url, post_data(draft, steps=steps))
    page = response.content.decode()
    assert response.status_code == 200 and ("bị trùng" in page or "trùng lặp" in page)


def test_service_refuses_duplicate_order_numbers_from_any_caller(admin_user, draft):
    docs = [
        {"order": 1, "name": "A", "originals": 1, "copies": 0},
        {"order": 1, "name": "B", "originals": 1, "copies": 0},
    ]
    with pytest.raises(ValidationError, match="bị trùng"):
        services.update_draft(draft, {}, actor=admin_user, documents=docs)
    assert draft.documents.count() > 0  # the old rows are untouched
