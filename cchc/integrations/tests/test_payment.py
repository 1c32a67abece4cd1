"""Online payment (issue 18): the applicant goes to the gateway and back; the gateway's signed
result records the fee paid once, whatever it repeats; a forged result is refused; a result that
never came shows in the daily reconciliation; a withdrawn dossier's payment is refunded through
the outbox."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from cchc.accounts.models import AccountKind, User
from cchc.dossiers import services as s
from cchc.dossiers.models import Dossier, DossierFee
from cchc.integrations import outbox
from cchc.integrations.models import Payment, SimulatedTransaction
from cchc.integrations.payment import sign

pytestmark = pytest.mark.django_db


def online_dossier(world):
    citizen = User.objects.create_user(
        "huong@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    d = world.received(moment="2026-11-23 09:00", channel="online")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
    DossierFee.objects.create(dossier=d, name="Lệ phí cấp giấy xác nhận", amount=Decimal(50000))
    return citizen, Dossier.objects.get(pk=d.pk)


def pay(client, d, mode):
    """The applicant presses "Thanh toán trực tuyến", then the outcome on the gateway's page."""
    response = client.post(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/thanh-toan/")
    assert response.status_code == 302
    gateway = urlsplit(response["Location"])
    page = client.get(f"{gateway.path}?{gateway.query}")
    assert page.status_code == 200 and "50.000 đ" in page.content.decode()
    fields = dict(page.context["q"].items())
    back = client.post(gateway.path, {**fields, "mode": mode})
    assert back.status_code == 302
    return client.get(urlsplit(back["Location"]).path)


def test_paid_online_once_even_when_the_gateway_says_it_twice(world, simulators, client):
    citizen, d = online_dossier(world)
    client.force_login(citizen)
    page = client.get(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/").content.decode()
    assert 'id="pay-online"' in page
    result = pay(client, d, "duplicate").content.decode()
    assert "Đã thanh toán" in result
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.callbacks == 2
    from cchc.core.models import AuditEvent

    trail = AuditEvent.objects.filter(object_type="integrations.payment").order_by("pk")
    assert [e.action for e in trail] == ["payment.create", "payment.pay"]  # paid once
    assert trail[0].actor_id == citizen.pk and trail[1].actor_id is None
    fee = d.fees.get(name__startswith="Lệ phí")
    assert fee.method == "online" and fee.receipt_number == payment.transaction and fee.paid_at
    page = client.get(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/").content.decode()
    assert 'id="pay-online"' not in page and payment.transaction in page  # nothing left to pay


def test_a_refused_payment_can_be_tried_again_and_a_forged_result_is_refused(
    world, simulators, client
):
    citizen, d = online_dossier(world)
    client.force_login(citizen)
    assert "Thanh toán không thành công" in pay(client, d, "failure").content.decode()
    assert not d.fees.filter(paid_at__isnull=False).exists()
    failed = Payment.objects.get()
    forged = {"ref": failed.reference, "amount": "50000", "status": "success", "transaction": "X"}
    url = "/tich-hop/thanh-toan/ket-qua/"
    answer = client.post(url, {**forged, "sig": "0" * 64}, content_type="application/json")
    assert answer.status_code == 403
    wrong_amount = {**forged, "amount": "1"}
    wrong_amount["sig"] = sign(*wrong_amount.values())
    assert client.post(url, wrong_amount, content_type="application/json").status_code == 400
    nonsense = {**forged, "amount": "mười nghìn"}  # signed, but not a number: refused, no 500
    nonsense["sig"] = sign(*nonsense.values())
    assert client.post(url, nonsense, content_type="application/json").status_code == 400
    assert not d.fees.filter(paid_at__isnull=False).exists()
    assert "Đã thanh toán" in pay(client, d, "success").content.decode()  # a second try


def test_a_result_that_never_came_shows_in_the_reconciliation(world, simulators, client):
    citizen, d = online_dossier(world)
    client.force_login(citizen)
    assert "Chưa nhận được kết quả" in pay(client, d, "timeout").content.decode()
    out = io.StringIO()
    call_command("reconcile_payments", "--date", timezone.localdate().isoformat(), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "1 differences" and Payment.objects.get().reference in lines[0]


def test_a_withdrawn_dossier_is_refunded_through_the_outbox(world, simulators, client):
    citizen, d = online_dossier(world)
    client.force_login(citizen)
    pay(client, d, "success")
    s.withdraw(Dossier.objects.get(pk=d.pk), reason="Không cần nữa", actor=world.receptionist)
    payment = Payment.objects.get()
    assert payment.status == "refunding"
    assert not SimulatedTransaction.objects.filter(kind="refund").exists()  # not in the request
    outbox.sweep()
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.refunded_at
    from cchc.core.models import AuditEvent

    actions = list(
        AuditEvent.objects.filter(object_type="integrations.payment")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["payment.refund_request", "payment.refund"]
    assert SimulatedTransaction.objects.get(kind="refund").amount == Decimal(50000)
    out = io.StringIO()
    call_command("reconcile_payments", "--date", timezone.localdate().isoformat(), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "0 differences"
