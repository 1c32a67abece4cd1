"""Several provinces on one platform, one database each (issue 19): a request to a province's
host name works in that province's database only — its accounts, sessions, audit chains,
access records and cached notices — and every other host keeps the default database.

Run in a separate process, because the second database must be configured when Django starts
(CCHC_PROVINCE_HOSTS, DATABASE_URL_<ALIAS>); on PostgreSQL when the suite runs there."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from cchc.accounts.models import User
    from cchc.core.audit import log_action, verify_chains
    from cchc.core.models import AuditEvent
    from cchc.core.tenancy import province_database
    from cchc.operations.models import AccessEvent, MaintenanceWindow
    from cchc.operations.services import usage

    for alias in ("default", "laichau"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("in_province", "laichau", "createsuperuser", "--", "--no-input",
                 "--username", "quantri.lc", "--email", "qt@laichau.example")
    with province_database("laichau"):
        admin = User.objects.get(username="quantri.lc")
        admin.set_password("mat-khau-lai-chau-2026")
        admin.save()
        now = timezone.now()
        MaintenanceWindow.objects.create(
            starts_at=now + dt.timedelta(days=8), ends_at=now + dt.timedelta(days=8, hours=2),
            reason="Bảo trì riêng của Lai Châu", announced_at=now,
        )
    assert not User.objects.filter(username="quantri.lc").exists(), "leaked into default"

    def sign_in(host):
        c = Client(HTTP_HOST=host)
        c.get("/dang-nhap/")
        answer = c.post("/dang-nhap/", {"username": "quantri.lc",
                                         "password": "mat-khau-lai-chau-2026"})
        return c, answer

    lc, answer = sign_in("laichau.cchc.test")
    assert answer.status_code == 302, ("sign-in in Lai Châu", answer.status_code)
    home = lc.get("/quan-tri/")
    assert home.status_code == 200, ("session kept in Lai Châu's database", home.status_code)
    assert "Bảo trì riêng của Lai Châu" in lc.get("/dich-vu-cong/").content.decode()
    _, elsewhere = sign_in("sonla.cchc.test")
    assert elsewhere.status_code == 200, "the account does not exist on the default host"
    assert "Bảo trì riêng của Lai Châu" not in Client(HTTP_HOST="sonla.cchc.test").get(
        "/dich-vu-cong/").content.decode(), "the cached notice leaked to the default host"
    # the same session cookie means nothing to the default host
    other = Client(HTTP_HOST="sonla.cchc.test")
    other.cookies = lc.cookies
    assert other.get("/quan-tri/").status_code == 302
    usage.flush()
    with province_database("laichau"):
        assert AccessEvent.objects.filter(kind="sign_in", username="quantri.lc").count() == 1
        log_action(admin, "account.province_check", actor=admin, after={"province": "laichau"})
        assert verify_chains() == []  # the chain heads live beside the events
        from cchc.operations.models import UsageCount
        assert UsageCount.objects.exists()
    assert not AccessEvent.objects.filter(username="quantri.lc", kind="sign_in").exists()
    assert not AuditEvent.objects.filter(action="account.province_check").exists()
    print("tenancy: OK")
    """
)


def test_a_province_host_works_in_its_own_database_only(tmp_path):
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION"}}
    names: list[str] = []
    host = db["HOST"] or "127.0.0.1"
    if db["ENGINE"].endswith("postgresql"):
        base = f"postgres://{db['USER'] or 'postgres'}@{host}:{db['PORT'] or 5432}"
        names = [f"cchc_tenant_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        for name in names:
            subprocess.run(["createdb", "-h", host, "-U", "postgres", name], check=True)
        urls = [f"{base}/{name}" for name in names]
    else:
        urls = [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("sonla", "laichau")]
    env.update(
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="cchc.settings",
        DATABASE_URL=urls[0],
        DATABASE_URL_LAICHAU=urls[1],
        CCHC_PROVINCE_HOSTS="laichau.cchc.test=laichau",
        ALLOWED_HOSTS="laichau.cchc.test,sonla.cchc.test",
        CCHC_USAGE_FLUSH_SECONDS="0",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=600, check=False,
        )  # fmt: skip
    finally:
        for name in names:
            subprocess.run(
                ["dropdb", "-h", host, "-U", "postgres", "--force", name],
                check=False,
            )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "tenancy: OK" in done.stdout
