"""Settings, security, the audit trail and the staff site."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cchc.core.audit import log_action, verify_chains
from cchc.core.models import AuditEvent
from cchc.core.testing import outside_the_app
from cchc.organizations.models import Agency

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    # A production environment: no test markers, no async-unsafe escape hatch.
    dropped = {"PYTEST_VERSION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        SECRET_KEY="x" * 20 + "production-secret-key-for-the-check-only-0123456789",
        ALLOWED_HOSTS="cchc.example.gov.vn",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="cchc.settings",
        CCHC_SMS_SENDER="cchc.integrations.sms.HttpSmsSender",
        CCHC_SMS_URL="https://sms.example.vn/api/send",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    # with a cache per process, the lookup and code limits are not shared between workers
    result = check_deploy({k: v for k, v in env.items() if k != "CACHE_URL"})
    assert result.returncode != 0 and "cchc.W201" in result.stdout + result.stderr
    # with the log-only SMS sender, the check warns: citizens would receive nothing
    del env["CCHC_SMS_SENDER"]
    result = check_deploy(env)
    assert result.returncode != 0 and "cchc.W101" in result.stdout + result.stderr


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG", "SECRET_KEY"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_settings_are_vietnamese_first():
    from django.conf import settings

    assert (
        settings.LANGUAGE_CODE == "vi"
        and settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
        and settings.USE_TZ
    )
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_audit_chain_detects_edits_and_deletions(admin_user):
    agency = Agency.objects.get(name="Sở Tư pháp")
    for n in range(3):
        log_action(agency, "agency.change", actor=admin_user, before={"n": n}, after={"n": n + 1})
    assert verify_chains() == []
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "toàn vẹn" in out.getvalue()
    event = AuditEvent.objects.filter(chain_key__startswith="organizations.agency").order_by(
        "sequence"
    )[1]
    with outside_the_app():
        AuditEvent.objects.filter(pk=event.pk).update(reason="sửa lén")
    assert [p.message for p in verify_chains()] == ["event was altered"]
    with outside_the_app():
        AuditEvent.objects.filter(pk=event.pk).update(reason="")
        last = AuditEvent.objects.filter(chain_key=event.chain_key).order_by("-sequence").first()
        AuditEvent.objects.filter(pk=last.pk)._raw_delete(using="default")
    assert verify_chains()
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
def test_staff_pages_need_login_and_render_in_vietnamese(client, admin_user):
    assert client.get(reverse("home")).status_code == 302
    client.force_login(admin_user)
    for name in (
        "home",
        "procedures:list",
        "organizations:areas",
        "organizations:agencies",
        "organizations:desks",
        "calendars:due_date",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    page = client.get(
        reverse("organizations:areas"), {"on": "01/06/2019", "level": "district"}
    ).content.decode()
    assert "Huyện Mộc Châu" in page and "tại ngày 01/06/2019" in page
    bad = client.get(reverse("organizations:areas"), {"on": "32/13/2019"}).content.decode()
    assert "không hợp lệ" in bad
    due = client.get(
        reverse("calendars:due_date"),
        {"start": "01/02/2019 09:00", "amount": "3", "unit": "working_days"},
    )
    assert "09:00 13/02/2019" in due.content.decode()
    wrong = client.get(
        reverse("calendars:due_date"), {"start": "hôm qua", "amount": "3", "unit": "working_days"}
    )
    assert wrong.status_code == 200 and "không hợp lệ" in wrong.content.decode()


@pytest.mark.django_db
def test_catalog_export_and_import_pages(client, admin_user):
    client.force_login(admin_user)
    xlsx = client.get(reverse("procedures:export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        reverse("procedures:import"), {"file": SimpleUploadedFile("x.xlsx", b"junk")}, follow=True
    )
    assert "Không nhập được" in r.content.decode()
    r = client.post(
        reverse("procedures:import"),
        {"file": SimpleUploadedFile("c.xlsx", xlsx.content)},
        follow=True,
    )
    assert "58 không đổi" in r.content.decode()


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account(client, outsider):
    for _ in range(5):
        client.post(reverse("login"), {"username": "nguoingoai", "password": "sai"})
    r = client.post(reverse("login"), {"username": "nguoingoai", "password": "mat-khau-Ngoai-1"})
    assert "bị khóa" in r.content.decode()


def test_due_date_command_prints_iso_and_reasons(db):
    out = StringIO()
    call_command(
        "due_date", "--start", "2019-02-01T09:00", "--working-days", "3", "--explain", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "2019-02-13T09:00+07:00"
    assert any("Tết Nguyên Đán" in line for line in lines)
    out = StringIO()
    call_command("due_date", "--start", "2019-03-04T15:30", "--procedure", "2.000815", stdout=out)
    assert out.getvalue().strip() == "2019-03-05T17:00+07:00"


@pytest.mark.django_db
def test_missing_pages_and_forbidden_actions_answer_in_vietnamese(client, outsider):
    client.force_login(outsider)
    assert "Không tìm thấy" in client.get("/thu-tuc/9.999999/").content.decode()
    forbidden = client.get(reverse("procedures:import"))
    assert forbidden.status_code == 403 and "không có quyền" in forbidden.content.decode()


@pytest.mark.django_db
def test_vietnamese_by_default_english_when_chosen(client, admin_user):
    client.force_login(admin_user)
    page = client.get(
        reverse("home"), headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()
    assert "Thủ tục hành chính" in page and 'lang="vi"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("procedures:list")).content.decode()
    assert "Catalog of administrative procedures" in page and 'lang="en"' in page
    assert "Đăng ký khai sinh" in page  # the procedures' own names stay as published
