"""The national systems in Chromium, over real HTTP on the live server (issue 18): a citizen
signs in through the VNeID simulator (a real OpenID Connect round trip: the server fetches the
token, the keys and the claims over sockets), pays a fee through the payment simulator, follows
a result on its way by post through the postal simulator's console, and the status events of
every change reach the portal simulator; reconciliation then finds nothing to report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cchc.accounts.models import ExternalIdentity, User
from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier, DossierFee
from cchc.dossiers.testing import build_world, walk_to_result
from cchc.integrations import outbox
from cchc.integrations.models import OutboxMessage, Payment, PostalOrder, SimulatedPortalEvent

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(reference_data):
    return build_world()


@pytest.fixture
def national(settings, live_server):
    """Every adapter pointed at the simulators of this live server."""
    base = live_server.url
    sim = f"{base}/mo-phong"
    settings.CCHC_PUBLIC_BASE_URL = base
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{sim}/vneid/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{sim}/vneid/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{sim}/vneid/oauth2/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{sim}/vneid/oauth2/jwks"
    settings.CCHC_PAYMENT_URL = settings.CCHC_PAYMENT_API = f"{sim}/thanh-toan/"
    settings.CCHC_POSTAL_URL = f"{sim}/buu-chinh/"
    settings.CCHC_DVCQG_URL = f"{sim}/dvcqg/"
    return base


def test_vneid_sign_in_payment_post_and_the_portal_in_the_browser(browser_page, national, world):
    page, base = browser_page, national
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # Lò Thị Dân already has a password account; her VNeID identity is linked to it
    citizen = User.objects.create_user(
        "congdan@example.org", password="x", kind="citizen", id_number="014190000001",
        full_name="Lò Thị Dân", verified_at=timezone.now(),
    )  # fmt: skip
    ExternalIdentity.objects.create(
        user=citizen, provider="vneid", subject="MP-VNEID-0001", level=2
    )
    d = world.received(moment="2026-11-23 09:00", channel="online")
    Dossier.objects.filter(pk=d.pk).update(
        applicant_user=citizen, return_method=c.ReturnMethod.POST, address="Bản Mé"
    )
    DossierFee.objects.create(dossier=d, name="Lệ phí (demo)", amount=Decimal(8000))

    # 1. VNeID: the portal's button, the provider's page, back signed in
    page.goto(f"{base}/dang-nhap/?next=/dich-vu-cong/ho-so-cua-toi/")
    page.click("#vneid-login")
    expect(page.locator("h1")).to_contain_text("VNeID (mô phỏng)")
    page.click("#persona-dan")
    expect(page.locator("#identity")).to_contain_text("định danh mức 2")
    expect(page.locator("[role=status]").first).to_contain_text("Đã đăng nhập bằng tài khoản")

    # 2. the fee, through the payment simulator
    page.goto(f"{base}/dich-vu-cong/ho-so-cua-toi/{d.pk}/")
    page.click("#pay-online")
    expect(page.locator("#amount")).to_contain_text("8.000 đ")
    page.click("#pay-success")
    expect(page.locator("body")).to_contain_text("Đã thanh toán")
    assert Payment.objects.get().status == "paid"

    # 3. the result goes by post: the operator's console walks it to her door
    walk_to_result(world, Dossier.objects.get(pk=d.pk), timezone.now())
    outbox.sweep()  # the worker's pass: the order reaches the operator
    order = PostalOrder.objects.get(dossier=d)
    sent = list(OutboxMessage.objects.filter(system="postal").values_list("status", "last_error"))
    assert order.status == "accepted" and order.cod_amount == 0, sent  # the fee was paid online
    page.goto(f"{base}/mo-phong/buu-chinh/")
    for _ in range(5):
        page.click("#advance-1")
        page.wait_for_load_state()
    page.goto(f"{base}/dich-vu-cong/ho-so-cua-toi/{d.pk}/")
    expect(page.locator("#status")).to_contain_text("Đã trả kết quả")
    expect(page.locator("#postal")).to_contain_text(order.item_code if order.item_code else "EB")
    expect(page.locator("body")).to_contain_text("Bưu chính: đã phát thành công")
    page.screenshot(path="/tmp/national-my-dossier.png", full_page=True)

    # 4. every status event reached the portal, in order, once; nothing to reconcile
    outbox.sweep(now=timezone.now() + dt.timedelta(minutes=1))
    assert not OutboxMessage.objects.exclude(status="delivered").exists()
    events = SimulatedPortalEvent.objects.filter(dossier_code=f"CCHC-{d.pk}")
    sequences = list(events.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) >= 4
    assert events.last().payload["TrangThaiHoSo"] == 10  # returned, the national code
    out = io.StringIO()
    day = timezone.localdate(Dossier.objects.get(pk=d.pk).received_at)
    call_command("reconcile_national_portal", "--date", day.isoformat(), stdout=out)
    assert out.getvalue().strip().endswith("0 differences"), out.getvalue()
    assert not errors, errors
