"""Accounts: memberships over time, API tokens from the user's own page, admin edits audited."""

import datetime as dt

import pytest
from django.urls import reverse

from cchc.accounts.constants import Role
from cchc.accounts.models import ApiToken
from cchc.accounts.services import add_membership, issue_api_token
from cchc.core.models import AuditEvent
from cchc.organizations.models import Agency, Desk

pytestmark = pytest.mark.django_db


def test_a_posting_counts_only_during_its_period(outsider, admin_user):
    desk = Desk.objects.get(kind="provincial_center")
    add_membership(
        actor=admin_user,
        user=outsider,
        agency=desk.agency,
        desk=desk,
        role=Role.RECEPTIONIST,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    assert outsider.memberships_on(dt.date(2025, 6, 1)).count() == 1
    assert outsider.memberships_on(dt.date(2026, 1, 1)).count() == 0
    assert AuditEvent.objects.filter(action="membership.add").exists()


def test_user_creates_a_token_seen_once_and_revokes_it(client, outsider):
    client.force_login(outsider)
    page = client.post(
        reverse("accounts:api_tokens"), {"name": "Phần mềm một cửa"}
    ).content.decode()
    token = ApiToken.objects.get(user=outsider)
    assert f"cchc_{token.prefix}_" in page  # shown once …
    assert (
        f"cchc_{token.prefix}_" not in client.get(reverse("accounts:api_tokens")).content.decode()
    )
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_empty_token_name_is_refused_with_a_message(client, outsider):
    client.force_login(outsider)
    page = client.post(reverse("accounts:api_tokens"), {"name": "  "}, follow=True).content.decode()
    assert "Hãy đặt tên" in page and not ApiToken.objects.exists()


def test_nobody_revokes_someone_elses_token(client, outsider, admin_user):
    token, _ = issue_api_token(admin_user, "của quản trị", actor=admin_user)
    client.force_login(outsider)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_tokens_cannot_be_forged_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_admin_inline_edits_are_audited_on_the_parent(client, admin_user):
    client.force_login(admin_user)
    desk = Desk.objects.get(kind="provincial_center")
    url = reverse("admin:organizations_desk_change", args=[desk.pk])
    response = client.get(url)
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for i, f in enumerate(formset.initial_forms):
            for name in f.fields:
                value = f.initial.get(name)
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
            data[f"{formset.prefix}-{i}-id"] = f.instance.pk
            data[f"{formset.prefix}-{i}-desk"] = desk.pk
    prefix = next(
        i.formset.prefix
        for i in response.context["inline_admin_formsets"]
        if i.formset.model.__name__ == "Counter"
    )
    data[f"{prefix}-TOTAL_FORMS"] = 1
    data[f"{prefix}-0-number"] = 1
    data[f"{prefix}-0-label"] = "Quầy Sở Tư pháp"
    data[f"{prefix}-0-agency"] = Agency.objects.get(name="Sở Tư pháp").pk
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    event = AuditEvent.objects.get(action="desk.counter.inline")
    assert any(v["after"]["label"] == "Quầy Sở Tư pháp" for v in event.changes.values())


def test_password_never_enters_the_audit_trail(client, admin_user, outsider):
    from cchc.core.audit import model_values

    assert model_values(outsider)["password"].startswith("sha256:")
    assert outsider.password not in str(model_values(outsider))


def test_a_token_expires_and_its_expiry_and_last_use_are_shown(client, outsider, settings):
    import time_machine

    settings.CCHC_API_TOKEN_DAYS = 30
    token, key = issue_api_token(outsider, "tích hợp", actor=outsider)
    me = "/api/v1/me"
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    client.force_login(outsider)
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert token.expires_at.astimezone(dt.UTC).date().strftime("%m/%Y") in page
    client.logout()
    with time_machine.travel(token.expires_at + dt.timedelta(minutes=1)):
        assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
        client.force_login(outsider)
        assert "Đã hết hạn" in client.get(reverse("accounts:api_tokens")).content.decode()
