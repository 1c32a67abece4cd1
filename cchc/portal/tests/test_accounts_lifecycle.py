"""Issue 15, finding 10: a forgotten password, a changed one, retention and erasure."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import ApiToken, User
from cchc.core.models import AuditEvent
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import PDF_BYTES, version
from cchc.portal.models import DraftUpload, OnlineDraft

from .test_portal import PASSWORD, fill_draft, upload_all, verification_code, verified_citizen

pytestmark = pytest.mark.django_db
NEW = "Mat-khau-Moi-2027"


def test_a_citizen_resets_a_forgotten_password_with_a_code(client):
    user = verified_citizen(client)
    client.logout()
    later = timezone.now() + dt.timedelta(minutes=2)  # past the pause between two codes
    with time_machine.travel(later, tick=False):
        page = client.post(reverse("portal:password_reset"), {"contact": "huong@example.org"})
    assert "mã đặt lại mật khẩu đã được gửi" in page.content.decode()
    code = verification_code(user)
    wrong = client.post(
        reverse("portal:password_reset"),
        {
            "contact": "huong@example.org",
            "code": "0" * 6 if code != "0" * 6 else "1",
            "password": NEW,
        },
    )
    assert wrong.status_code == 400
    done = client.post(
        reverse("portal:password_reset"),
        {"contact": "huong@example.org", "code": code, "password": NEW},
    )
    assert done.status_code == 302
    signed_in = client.post(reverse("login"), {"username": "huong@example.org", "password": NEW})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action="account.password_reset").exists()
    # the same answer for an address with no account: nobody learns who has one
    other = client.post(reverse("portal:password_reset"), {"contact": "ai@example.org"})
    assert "mã đặt lại mật khẩu đã được gửi" in other.content.decode()
    nobody = client.post(
        reverse("portal:password_reset"),
        {"contact": "ai@example.org", "code": "123456", "password": NEW},
    )
    assert nobody.status_code == 400 and "Mã không đúng." in nobody.content.decode()


def test_staff_and_citizens_change_their_password_and_it_is_audited(client, world):
    client.force_login(world.receptionist)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page and "Mật khẩu cũ" in page
    bad = client.post(
        reverse("password_change"),
        {"old_password": "sai", "new_password1": NEW, "new_password2": NEW},
    )
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    ok = client.post(
        reverse("password_change"),
        {"old_password": "mat-khau-Thu-1", "new_password1": NEW, "new_password2": NEW},
    )
    assert ok.status_code == 302
    world.receptionist.refresh_from_db()
    assert world.receptionist.check_password(NEW)
    assert AuditEvent.objects.filter(
        action="account.password_change", object_id=str(world.receptionist.pk)
    ).exists()


def test_submitting_keeps_one_copy_of_each_file(client, world, django_capture_on_commit_callbacks):
    verified_citizen(client)
    v = version("1.004873", timezone.localdate())
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    names = [u.file.path for u in DraftUpload.objects.all()]
    assert names and all(os.path.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    d = Dossier.objects.get()
    assert not DraftUpload.objects.exists() and not any(os.path.exists(n) for n in names)
    assert all(doc.file and os.path.exists(doc.file.path) for doc in d.documents.exclude(file=""))


def test_prune_applies_the_retention_policy(
    client, world, settings, django_capture_on_commit_callbacks
):
    verified_citizen(client)
    v = version("1.004873", timezone.localdate())
    old = fill_draft(client, world, v)
    upload_all(client, old)
    upload = DraftUpload.objects.filter(draft=old).first()
    stale = timezone.now() - dt.timedelta(days=settings.CCHC_RETENTION_DAYS["draft"] + 1)
    OnlineDraft.objects.filter(pk=old.pk).update(updated_at=stale)
    media = settings.MEDIA_ROOT
    orphan = media / "scans" / "2026" / "12" / "bo-lai.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF_BYTES)
    two_days_ago = time.time() - 2 * 86400
    os.utime(orphan, (two_days_ago, two_days_ago))
    fresh = media / "scans" / "2026" / "12" / "dang-luu.pdf"
    fresh.write_bytes(PDF_BYTES)  # being saved right now: spared
    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "draft: sẽ xóa 1" in out.getvalue() and OnlineDraft.objects.filter(pk=old.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune", stdout=StringIO())
    assert not OnlineDraft.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(upload.file.path)
    assert not orphan.exists() and fresh.exists()


def test_a_citizen_erases_their_account_and_the_dossier_record_stays(client, world):
    user = verified_citizen(client)
    v = version("1.004873", timezone.localdate())
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    client.get(reverse("portal:apply", args=["1.001193"]))  # a second draft, unfinished
    client.post(reverse("accounts:api_tokens"), {"name": "ứng dụng"})
    assert ApiToken.objects.filter(user=user).exists()
    refused = client.post(reverse("portal:erase_account"), {"password": "sai", "confirm": "1"})
    assert refused.status_code == 200 and User.objects.get(pk=user.pk).is_active
    client.post(reverse("portal:erase_account"), {"password": PASSWORD, "confirm": "1"})
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert (user.email, user.full_name, user.id_number, user.phone) == ("", "", "", "")
    assert user.username.startswith("da-xoa-")
    assert not OnlineDraft.objects.filter(user=user, status="draft").exists()
    assert not ApiToken.objects.filter(user=user).exists()
    d = Dossier.objects.get()
    assert d.applicant_name == "Lò Thị Hương"  # the filed dossier is a record of the State
    assert AuditEvent.objects.filter(action="account.erase").exists()
    client.logout()
    again = client.post(reverse("login"), {"username": "huong@example.org", "password": PASSWORD})
    assert again.status_code == 200  # the sign-in form again, with its error


def test_an_administrator_erases_a_citizen_instead_of_deleting_them(client, admin_user):
    """Deleting a citizen's account failed (their dossiers are protected records): the
    admin offers erasure, the same service as the portal's, and no delete."""
    from cchc.accounts.models import AccountKind

    user = User.objects.create_user(
        "x@example.org", password="y", kind=AccountKind.CITIZEN, full_name="Lò Văn X"
    )
    client.force_login(admin_user)
    assert client.get(reverse("admin:accounts_user_delete", args=[user.pk])).status_code == 403
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "Đã xóa dữ liệu cá nhân của 1 tài khoản" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active and user.full_name == "" and user.username.startswith("da-xoa-")
    event = AuditEvent.objects.get(action="account.erase", object_id=str(user.pk))
    assert event.actor == admin_user
