"""What officials and citizens meet first: the officer's own work on the home page, the menus
that offer only what opens, the portal's frame at sign-in, procedures offered online only where
they are, and the demo and command line that a newcomer runs first."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_the_staff_home_shows_the_officers_own_work(client, world):
    late = world.received(moment="2026-11-23 09:00")  # 3 working days: due 27/11
    world.start("1.004873", "2026-11-24 10:00")  # at the desk, waiting for reception
    ready = walk_to_result(world, world.received(moment="2026-11-24 09:00"))
    assert ready.status == "result_ready" and late.status == "in_progress"
    client.force_login(world.receptionist)
    page = client.get("/").content.decode()
    assert "Việc của Cầm Văn Tiếp hôm nay" in page
    from cchc.dossiers.inbox import my_work

    work = my_work(world.receptionist, at("2026-12-01 09:00"))
    assert (work.to_receive, work.to_return) == (1, 1)
    leader = my_work(world.leader, at("2026-12-01 09:00"))  # the agency's steps are theirs
    assert leader.waiting >= 1 and leader.overdue >= 1  # 27/11 has passed
    from django.utils import timezone

    step_due = timezone.localtime(late.steps.get(status="active").due_at)  # the step's own
    morning = step_due.replace(hour=7, minute=30)  # the day it falls due, before it
    on_the_day = my_work(world.leader, morning)
    assert on_the_day.due_today >= 1 and on_the_day.overdue == 0


def test_an_official_without_an_assignment_is_told_so_and_offered_no_menu(client, world):
    client.force_login(world.citizen)  # the world's "congdan" is a staff account, unassigned
    page = client.get("/").content.decode()
    assert 'id="not-assigned"' in page
    assert reverse("reform_plans:list") not in page and reverse("indices:home") not in page
    client.force_login(world.specialist)
    page = client.get("/").content.decode()
    assert 'id="not-assigned"' not in page and reverse("reform_plans:list") in page


def test_the_reports_index_lists_every_report_and_the_lobby_screens(client, world):
    client.force_login(world.supervisor)
    page = client.get("/bao-cao/").content.decode()
    for name in ("dashboard", "settlement", "targets", "timing", "evaluation", "service_index"):
        assert reverse(f"reports:{name}") in page
    settlement = client.get(reverse("reports:settlement")).content.decode()
    assert "docs/reports.md" not in settlement and "Cách tính từng cột" in settlement


def test_sign_in_from_the_portal_stays_in_the_portal(client):
    page = client.get("/dang-nhap/", {"next": "/dich-vu-cong/ho-so-cua-toi/"}).content.decode()
    assert 'class="portal"' in page and "Đăng nhập Cổng dịch vụ công" in page
    staff = client.get("/dang-nhap/").content.decode()
    assert 'id="to-portal"' in staff  # a citizen who came here finds the way back


def test_a_procedure_not_offered_online_cannot_be_applied_for(client, world):
    page = client.get("/dich-vu-cong/thu-tuc/1.000419/").content.decode()  # mobile registration
    assert 'id="not-online"' in page and "nop-truc-tuyen" not in page
    assert "Lệ phí: miễn" in page and "không thu (" not in page
    assert "Theo quy định của thủ tục" not in page
    from django.utils import timezone

    from cchc.accounts.models import AccountKind, User

    citizen = User.objects.create_user(
        "dan@example.org", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    client.force_login(citizen)
    refused = client.get("/dich-vu-cong/thu-tuc/1.000419/nop-truc-tuyen/")
    assert (
        refused.status_code == 403 and "chưa được cung cấp trực tuyến" in refused.content.decode()
    )
    online = client.get("/dich-vu-cong/thu-tuc/1.001193/").content.decode()
    assert "nop-truc-tuyen" in online


def test_new_password_fields_state_the_rules_that_check_them(client, world):
    client.force_login(world.specialist)
    page = client.get(reverse("password_change")).content.decode()
    assert "password-rules" in page and "ít nhất 8 ký tự" in page
    assert "ít nhất 8 ký tự" in client.get(reverse("portal:register")).content.decode()


def test_the_demo_gives_the_citizen_dossiers_in_several_states():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    states = set(
        Dossier.objects.filter(applicant_user__username="congdan@example.org").values_list(
            "status", flat=True
        )
    )
    assert {"submitted", "in_progress", "supplement_requested", "returned"} <= states
    assert "AXES" not in out.getvalue()


def test_a_command_on_an_empty_database_says_what_to_do(tmp_path):
    env = {**os.environ, "DEBUG": "true", "SQLITE_NAME": str(tmp_path / "trong.sqlite3")}
    env.pop("DATABASE_URL", None)
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "due_date",
            "--start",
            "2026-02-10 09:00",
            "--working-days",
            "3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "make demo" in done.stderr and "Traceback" not in done.stderr
