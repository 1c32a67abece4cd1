"""Issue 15 on the portal: codes, resends, unverified accounts, redirects, client addresses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import ApiToken, User, VerificationCode
from cchc.core.throttle import client_ip
from cchc.dossiers.models import Notification
from cchc.dossiers.testing import PDF_BYTES, version
from cchc.portal.models import OnlineDraft

from .test_portal import register, verification_code

pytestmark = pytest.mark.django_db


def _wrong(user):
    right = verification_code(user)
    return "000000" if right != "000000" else "111111"


def test_wrong_codes_stay_counted_and_the_sixth_guess_is_refused_even_if_right(client):
    register(client)
    user = User.objects.get(username="huong@example.org")
    for _ in range(5):
        page = client.post(reverse("portal:verify"), {"code": _wrong(user)}, follow=True)
        assert "Mã không đúng." in page.content.decode()
    assert VerificationCode.objects.get(user=user).attempts == 5
    page = client.post(reverse("portal:verify"), {"code": verification_code(user)}, follow=True)
    user.refresh_from_db()
    assert user.verified_at is None
    assert "hết hạn" in page.content.decode()


def test_guesses_from_one_address_are_bounded_across_accounts(client, settings):
    settings.CCHC_CODE_GUESSES_PER_IP = 3
    register(client)
    user = User.objects.get(username="huong@example.org")
    for _ in range(3):
        client.post(reverse("portal:verify"), {"code": _wrong(user)})
    client.post(reverse("portal:verify"), {"code": verification_code(user)})
    user.refresh_from_db()
    assert user.verified_at is None  # the right code, but this address is paused


def test_resends_are_paced_and_capped_per_account_target_and_address(client, settings):
    settings.CCHC_CODE_SENDS_PER_HOUR = 3
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        register(client)  # first send
        user = User.objects.get(username="huong@example.org")
        page = client.post(reverse("portal:verify"), {"resend": "1"}, follow=True)
        assert page.status_code == 200 and "Đã gửi mã nhiều lần" in page.content.decode()
        for minute in (2, 4):
            clock.move_to(start + dt.timedelta(minutes=minute))
            client.post(reverse("portal:verify"), {"resend": "1"})
        clock.move_to(start + dt.timedelta(minutes=6))
        client.post(reverse("portal:verify"), {"resend": "1"})
        assert Notification.objects.filter(user=user).count() == 3
        clock.move_to(start + dt.timedelta(minutes=61))
        client.post(reverse("portal:verify"), {"resend": "1"})
        assert Notification.objects.filter(user=user).count() == 4


def test_registrations_from_one_address_cannot_bomb_many_phones(client, settings):
    settings.CCHC_CODE_SENDS_PER_IP_HOUR = 2
    for n in range(3):
        register(client, contact=f"091234567{n}")
    assert User.objects.filter(username__startswith="09123").count() == 2
    assert Notification.objects.filter(channel="sms").count() == 2


def test_unverified_account_may_not_upload_submit_or_create_tokens(client, world):
    register(client)
    v = version("1.004873", timezone.localdate())
    client.get(reverse("portal:apply", args=[v.procedure.code]))
    draft = OnlineDraft.objects.get()
    doc = v.documents.filter(optional=False, present_only=False).first()
    page = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "name": "Lò Thị Hương",
            "area": world.commune.pk,
            f"file-{doc.pk}": SimpleUploadedFile("to-khai.pdf", PDF_BYTES),
            "save": "1",
        },
        follow=True,
    ).content.decode()
    assert "Cần xác thực tài khoản" in page and not draft.uploads.exists()
    client.post(reverse("accounts:api_tokens"), {"name": "thử"})
    assert not ApiToken.objects.exists()


def test_after_verification_next_stays_on_this_site(client):
    register(client)
    user = User.objects.get(username="huong@example.org")
    response = client.post(
        reverse("portal:verify") + "?next=https://evil.example/",
        {"code": verification_code(user)},
    )
    assert response["Location"] == reverse("portal:my_dossiers")


def test_client_address_believes_forwarded_for_only_from_a_trusted_proxy(settings):
    rf = RequestFactory()
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(spoofed) == "198.51.100.7"
    settings.CCHC_TRUSTED_PROXIES = ["10.0.0.0/24"]
    behind = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.0.0.3"
    )
    assert client_ip(behind) == "203.0.113.9"  # the first hop the province's proxies saw
    assert client_ip(spoofed) == "198.51.100.7"


def test_once_the_lookup_is_throttled_the_rating_page_and_result_refuse_too(
    client, world, settings
):
    settings.CCHC_LOOKUP_LIMIT = 2
    d = world.received()
    for _ in range(2):
        client.post(reverse("lookup"), {"ma": d.code, "mk": "AAAAAAAA"})
    assert client.post(reverse("lookup"), {"ma": d.code, "mk": d.lookup_secret}).status_code == 429
    right = {"ma": d.code, "mk": d.lookup_secret}
    refused = client.get(reverse("portal:rate"), right)
    assert refused.status_code == 429
    assert (
        "thử lại sau ít phút" in refused.content.decode()
        and "Cổng dịch vụ công" in refused.content.decode()
    )
    assert client.get(reverse("lookup_result"), right).status_code == 429


def test_the_lookup_form_posts_so_the_secret_stays_out_of_access_logs(client, world):
    d = world.received()
    page = client.get(reverse("lookup")).content.decode()
    assert '<form method="post"' in page
    found = client.post(reverse("lookup"), {"ma": d.code, "mk": d.lookup_secret})
    assert "Đang giải quyết" in found.content.decode()


def test_feedback_tracking_stops_answering_after_repeated_wrong_secrets(client, settings):
    from cchc.portal import services

    settings.CCHC_LOOKUP_LIMIT = 3
    row = services.submit_feedback(
        topic="other",
        procedure=None,
        desk=None,
        officer_name="",
        name="Lò Văn A",
        contact="a@example.org",
        content="Nhân viên hẹn quá lâu.",
        publish_consent=False,
    )
    track = reverse("portal:feedback_track")
    for guess in ("AAAA1", "AAAA2", "AAAA3", "AAAA4"):
        client.post(track, {"ma": row.tracking_code, "mk": guess})
    response = client.post(track, {"ma": row.tracking_code, "mk": row.secret})
    assert response.status_code == 429
    assert "thử lại sau" in response.content.decode()


def test_the_counter_kiosk_is_a_bound_device_not_an_open_address(client, world):
    from cchc.dossiers import services as ds
    from cchc.dossiers.testing import walk_to_result
    from cchc.organizations.models import Counter
    from cchc.portal.models import KioskDevice, Rating

    counter = Counter.objects.create(desk=world.commune_desk, number=1)
    d = walk_to_result(world, world.received())
    d = ds.notify_early(d, actor=world.receptionist)
    ds.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương")
    anonymous = client.get(reverse("portal:kiosk"))
    assert anonymous.status_code == 403 and d.code not in anonymous.content.decode()
    client.post(reverse("portal:kiosk"), {"score-x": "0"})
    assert not Rating.objects.exists()
    forged = client.__class__()
    forged.cookies["cchc_kiosk"] = '{"device": 1}'
    assert forged.get(reverse("portal:kiosk")).status_code == 403
    # a receptionist is not the desk's supervisor: no binding
    client.force_login(world.receptionist)
    assert client.get(reverse("portal:kiosk_setup")).status_code == 404
    client.force_login(world.leader)
    page = client.post(reverse("portal:kiosk_setup"), {"counter": counter.pk, "name": "Bảng 1"})
    assert page.status_code == 302
    assert "_auth_user_id" not in client.session  # the tablet is not left signed in
    assert d.code in client.get(reverse("portal:kiosk")).content.decode()
    device = KioskDevice.objects.get()
    tablet_cookie = client.cookies["cchc_kiosk"].value
    client.force_login(world.leader)
    client.post(reverse("portal:kiosk_setup"), {"revoke": device.pk})
    client.logout()
    client.cookies["cchc_kiosk"] = tablet_cookie
    assert client.get(reverse("portal:kiosk")).status_code == 403


def test_a_citizen_is_sent_to_the_portal_page_not_the_staff_page_of_their_dossier(client, world):
    from cchc.accounts.models import AccountKind

    citizen = User.objects.create_user(
        "dan@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    d = world.received()
    d.applicant_user = citizen
    d.save(update_fields=["applicant_user"])
    client.force_login(citizen)
    response = client.get(reverse("dossiers:detail", args=[d.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:my_dossier", args=[d.pk])
    slip = client.get(reverse("dossiers:control_slip", args=[d.pk]))
    assert slip.status_code == 302 and slip["Location"] == reverse("portal:home")
    for staff_page in ("reports:settlement", "dossiers:inbox", "procedures:list"):
        assert client.get(reverse(staff_page))["Location"] == reverse("portal:home")
    page = client.get(response["Location"]).content.decode()
    assert d.code in page and world.receptionist.full_name not in page


def test_spraying_passwords_across_usernames_from_one_address_is_stopped(client, settings):
    settings.CCHC_LOGIN_FAILURES_PER_IP = 3
    User.objects.create_user("that", password="Dung-mat-khau-1")
    for name in ("a", "b", "c"):
        assert client.post(reverse("login"), {"username": name, "password": "x"}).status_code == 200
    blocked = client.post(reverse("login"), {"username": "that", "password": "Dung-mat-khau-1"})
    assert blocked.status_code == 429 and "quá nhiều lần đăng nhập sai" in blocked.content.decode()


def test_officials_are_signed_out_after_an_idle_half_hour(client, world):
    start = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.receptionist)
        assert client.get(reverse("dossiers:inbox")).status_code == 200
        clock.move_to(start + dt.timedelta(minutes=29))
        assert client.get(reverse("dossiers:inbox")).status_code == 200  # activity renews
        clock.move_to(start + dt.timedelta(minutes=58))
        assert client.get(reverse("dossiers:inbox")).status_code == 200
        clock.move_to(start + dt.timedelta(minutes=89))
        response = client.get(reverse("dossiers:inbox"))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_lookup_form_posts_through_the_csrf_check_as_a_browser_sends_it(world):
    """A browser on a `no-referrer` page sends `Origin: null` with a form: Django refuses it.
    The lookup keeps the secret on the site with `same-origin` instead."""
    from django.test import Client

    d = world.received()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("lookup"))
    assert page["Referrer-Policy"] != "no-referrer"
    token = browser.cookies["csrftoken"].value
    origin = "null" if page["Referrer-Policy"] == "no-referrer" else "http://testserver"
    found = browser.post(
        reverse("lookup"),
        {"ma": d.code, "mk": d.lookup_secret, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
    )
    assert found.status_code == 200 and "Đang giải quyết" in found.content.decode()
