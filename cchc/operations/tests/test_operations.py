"""Running the system (issue 19, first part): maintenance announced five working days ahead
on the official calendar and honoured while it lasts; staff accounts unused or without a
posting locked, their leaders told; sign-ins and page and API use recorded and reported;
liveness, readiness and the status of the worker and the outbox."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cchc.accounts.models import AccountKind, Membership, User
from cchc.core.models import AuditEvent
from cchc.dossiers.testing import VN
from cchc.integrations import outbox
from cchc.operations import services
from cchc.operations.models import AccessEvent, MaintenanceWindow, UsageCount

pytestmark = pytest.mark.django_db


def local(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.strptime(text, "%Y-%m-%d %H:%M"), VN)


@pytest.mark.parametrize(
    ("announced", "earliest"),
    [
        # R-OPS-41: five working days after the announcement's day, on the official calendar
        ("2026-04-28 10:00", dt.date(2026, 5, 7)),  # 30/4 and 1/5 are holidays
        ("2027-02-01 16:00", dt.date(2027, 2, 15)),  # Tết Đinh Mùi: 04–10/02/2027 off
        ("2026-12-07 00:30", dt.date(2026, 12, 14)),  # a Monday just after midnight in Hà Nội
    ],
)
def test_maintenance_is_announced_five_working_days_ahead(world, announced, earliest):
    assert services.earliest_start(local(announced)) == earliest


def announce(client, admin, starts: str, ends: str, reason="Nâng cấp máy chủ cơ sở dữ liệu"):
    client.force_login(admin)
    return client.post(
        "/quan-tri/operations/maintenancewindow/add/",
        {
            "starts_at_0": starts.split()[0],
            "starts_at_1": starts.split()[1],
            "ends_at_0": ends.split()[0],
            "ends_at_1": ends.split()[1],
            "reason": reason,
        },
    )


@pytest.fixture
def admin():
    return User.objects.create_superuser("quantri.test", "qt@example.org", "x")


def test_a_window_too_close_is_refused_and_a_proper_one_is_shown_then_honoured(
    world, client, admin
):
    today = timezone.localdate()
    soon = today + dt.timedelta(days=2)
    page = announce(client, admin, f"{soon:%d/%m/%Y} 20:00", f"{soon:%d/%m/%Y} 22:00")
    assert page.status_code == 200 and "ít nhất 5 ngày làm việc" in page.content.decode()
    assert not MaintenanceWindow.objects.exists()
    first = services.earliest_start(timezone.now())
    done = announce(client, admin, f"{first:%d/%m/%Y} 20:00", f"{first:%d/%m/%Y} 23:30")
    assert done.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.created_by == admin and window.announced_at
    assert AuditEvent.objects.filter(action="maintenance.announce").exists()
    client.logout()
    # from the announcement on, every page says it
    for url in ("/dich-vu-cong/", "/dang-nhap/"):
        assert "tạm ngừng hoạt động để bảo trì" in client.get(url).content.decode()
    # during the window: the maintenance page, the API a machine-readable 503
    during = window.starts_at + dt.timedelta(minutes=30)
    services.forget_windows()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(services.timezone, "now", lambda: during)
        from cchc.operations import middleware

        mp.setattr(middleware.timezone, "now", lambda: during)
        page = client.get("/dich-vu-cong/thu-tuc/")
        assert page.status_code == 503 and int(page["Retry-After"]) == 3 * 3600
        assert "Hệ thống đang bảo trì" in page.content.decode()
        api = client.get("/api/v1/procedures")
        assert api.status_code == 503 and api.json()["code"] == "maintenance"
        assert "Retry-After" in api
        client.force_login(admin)  # administrators still get in to check the work
        assert client.get("/dich-vu-cong/thu-tuc/").status_code == 200


def staff(username: str, world, **kw) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "x", **kw)
    Membership.objects.create(user=user, agency=world.commune_pc, role="specialist")
    return user


def test_unused_and_ended_accounts_are_locked_and_their_leader_told(world):
    now = timezone.now()
    idle = staff("lau.khong.dung", world, last_login=now - dt.timedelta(days=120))
    recent = staff("van.dung", world, last_login=now - dt.timedelta(days=3))
    moved = staff("da.chuyen", world, last_login=now - dt.timedelta(days=2))
    Membership.objects.filter(user=moved).update(
        valid_from=dt.date(2024, 1, 1), valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    citizen = User.objects.create_user("dan@example.org", password="x", kind=AccountKind.CITIZEN)
    User.objects.filter(pk=citizen.pk).update(last_login=now - dt.timedelta(days=400))
    world.leader.memberships.get_or_create(agency=world.commune_pc, role="agency_leader")
    out = io.StringIO()
    call_command("lock_unused_accounts", "--dry-run", stdout=out)
    assert "lau.khong.dung" in out.getvalue() and "da.chuyen" in out.getvalue()
    assert User.objects.get(pk=idle.pk).is_active  # a dry run locks nothing
    call_command("lock_unused_accounts", stdout=io.StringIO())
    for user, expected in ((idle, False), (moved, False), (recent, True), (citizen, True)):
        assert User.objects.get(pk=user.pk).is_active is expected, user.username
    locked = AuditEvent.objects.filter(action="account.lock").values_list("reason", flat=True)
    assert sorted(locked) == ["Không sử dụng quá 90 ngày", "Đã hết thời gian công tác tại cơ quan"]
    assert not mail.outbox  # the notices leave through the outbox
    outbox.sweep()
    subjects = {m.subject for m in mail.outbox if world.leader.email in m.to}
    assert subjects == {
        "[CCHC] Tài khoản lau.khong.dung đã bị khóa",
        "[CCHC] Tài khoản da.chuyen đã bị khóa",
    }
    call_command("lock_unused_accounts", stdout=io.StringIO())  # nothing more the next day
    assert AuditEvent.objects.filter(action="account.lock").count() == 2


def test_sign_ins_and_use_are_recorded_and_reported_to_administrators(world, client, admin):
    User.objects.create_user("tiepnhan.test", "tn@example.org", "mat-khau-1")
    Membership.objects.create(
        user=User.objects.get(username="tiepnhan.test"), agency=world.commune_pc, role="specialist"
    )
    services.usage.flush()
    UsageCount.objects.all().delete()
    client.post("/dang-nhap/", {"username": "tiepnhan.test", "password": "sai"})
    client.post(
        "/dang-nhap/",
        {"username": "tiepnhan.test", "password": "mat-khau-1"},
        REMOTE_ADDR="10.1.2.3",
    )
    client.get("/ho-so/")
    client.get("/api/v1/procedures")
    client.logout()
    client.get("/dich-vu-cong/")
    kinds = list(AccessEvent.objects.order_by("at").values_list("kind", "username", "address"))
    assert kinds[0] == ("failed", "tiepnhan.test", "127.0.0.1")
    assert kinds[1] == ("sign_in", "tiepnhan.test", "10.1.2.3")
    assert kinds[2][0] == "sign_out"
    services.usage.flush()
    agency = UsageCount.objects.filter(agency_key=world.commune_pc.pk)
    assert agency.get(side="staff").requests >= 1 and agency.get(side="api").requests == 1
    assert UsageCount.objects.get(agency_key=0, side="portal").requests >= 1
    # the report: administrators only
    client.force_login(world.receptionist)
    assert client.get("/van-hanh/truy-cap/").status_code in (302, 403)
    client.force_login(admin)
    page = client.get("/van-hanh/truy-cap/").content.decode()
    assert world.commune_pc.name in page and "tiepnhan.test" in page and "10.1.2.3" in page


@pytest.mark.django_db(transaction=True)
def test_liveness_readiness_and_the_status_of_worker_and_outbox(reference_data, client):
    assert client.get("/suc-khoe/song/", HTTP_ACCEPT="application/json").status_code == 200
    ready = client.get("/suc-khoe/san-sang/", HTTP_ACCEPT="application/json")
    assert ready.status_code == 200, ready.content
    checks = ready.json()
    assert all(value == "OK" for value in checks.values())
    assert {name.split("(")[0] for name in checks} == {"Database", "Cache", "Storage", "MediaDisk"}
    assert client.get("/suc-khoe/", HTTP_ACCEPT="application/json").status_code == 200
    from cchc.integrations.models import OutboxMessage

    OutboxMessage.objects.create(
        system="dvcqg",
        ordering_key="x",
        sequence=1,
        key="x:1",
        kind="event",
        payload={},
        next_attempt_at=timezone.now() - dt.timedelta(hours=2),
        created_at=timezone.now() - dt.timedelta(hours=2),
    )
    status = client.get("/suc-khoe/", HTTP_ACCEPT="application/json")
    assert status.status_code == 503 and "overdue" in str(status.json())
    assert status["Retry-After"]
    # a backlog towards the national systems keeps this node in service
    assert client.get("/suc-khoe/san-sang/", HTTP_ACCEPT="application/json").status_code == 200


def test_metrics_for_prometheus_with_latency_queries_outbox_and_dossiers(world, client, settings):
    world.received(moment="2026-11-23 09:00")  # writes outbox messages for the portal
    client.get("/dich-vu-cong/")
    text = client.get("/metrics").content.decode()
    assert 'cchc_request_seconds_count{method="GET",route="portal:home"}' in text
    assert 'cchc_request_queries_bucket{le="+Inf",route="portal:home"}' in text
    assert 'cchc_outbox_messages{status="pending",system="notices"}' in text
    assert "cchc_tasks_waiting" in text and "cchc_dossiers_received_last_hour" in text
    settings.CCHC_METRICS_TOKEN = "bi-mat"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer bi-mat").status_code == 200


def test_each_request_has_an_id_on_its_log_lines_and_no_query_string(client, caplog, world):
    import json
    import logging

    from pythonjsonlogger.json import JsonFormatter

    caplog.set_level(logging.INFO, logger="cchc.request")
    client.force_login(world.receptionist)
    response = client.get("/tra-cuu/?ma=000.00.02&mk=BIMAT", HTTP_X_REQUEST_ID="abcdef12-3456")
    assert response["X-Request-ID"] == "abcdef12-3456"
    assert client.get("/dich-vu-cong/", HTTP_X_REQUEST_ID="x; drop")["X-Request-ID"] != "x; drop"
    record = next(r for r in caplog.records if r.name == "cchc.request")
    line = JsonFormatter("%(levelname)s %(request_id)s %(user_id)s %(message)s").format(record)
    data = json.loads(line)
    assert data["request_id"] == "abcdef12-3456" and data["user_id"] == str(world.receptionist.pk)
    assert "BIMAT" not in line and data["message"].startswith("GET /tra-cuu/ ")


def test_the_grafana_dashboard_reads_only_metrics_that_exist(world, client):
    import json
    import re
    from pathlib import Path

    client.get("/dich-vu-cong/")
    exposed = client.get("/metrics").content.decode()
    dashboard = json.loads(
        (Path(__file__).resolve().parents[3] / "deploy/grafana/cchc.json").read_text()
    )
    names = {
        name.removesuffix("_bucket")
        for p in dashboard["panels"]
        for t in p["targets"]
        for name in re.findall(r"cchc_[a-z_]+", t["expr"])
    }
    assert len(names) >= 8
    declared = set(re.findall(r"^# TYPE (cchc_[a-z_]+) ", exposed, re.M))
    # a counter is declared without its _total, a histogram read through its _bucket
    assert (
        sorted(n for n in names if n not in declared and n.removesuffix("_total") not in declared)
        == []
    )
