"""The public postal service (issue 18): a result for an applicant who chose delivery by post
is ordered from the operator when it is ready, each tracking report shows on the dossier's
timeline once, and the delivery records the return (by post, to whom, when, the fee collected
on delivery); an online applicant asks for their papers to be collected; the operator down
or refusing, a forged or repeated report: nothing lost, nothing twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cchc.accounts.models import AccountKind, User
from cchc.core.models import AuditEvent
from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier, DossierFee
from cchc.dossiers.testing import walk_to_result
from cchc.integrations import outbox
from cchc.integrations.models import (
    OutboxMessage,
    PostalEvent,
    PostalOrder,
    SimulatedPostalOrder,
    SimulatorSwitch,
)
from cchc.integrations.postal.views import advance

pytestmark = pytest.mark.django_db
TRACKING = "/tich-hop/buu-chinh/hanh-trinh/"


def result_by_post(world, fee: int = 0) -> Dossier:
    d = world.received(moment="2026-11-23 09:00")
    Dossier.objects.filter(pk=d.pk).update(return_method=c.ReturnMethod.POST, phone="0912345678")
    if fee:
        DossierFee.objects.create(dossier=d, name="Lệ phí", amount=Decimal(fee))
    d = Dossier.objects.get(pk=d.pk)
    return walk_to_result(world, d, timezone.now())


def timeline(d: Dossier) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))
        .filter(action__startswith="postal.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_a_result_goes_by_post_and_its_delivery_records_the_return(world, simulators, client):
    d = result_by_post(world, fee=15000)
    assert d.status == c.Status.RESULT_READY
    order = PostalOrder.objects.get(dossier=d)
    assert (order.kind, order.status, order.cod_amount) == ("delivery", "requested", 15000)
    assert OutboxMessage.objects.filter(system="postal", dossier=d).count() == 1  # same txn
    outbox.sweep()
    order.refresh_from_db()
    assert order.status == "accepted" and order.item_code.startswith("EB")
    sent = SimulatedPostalOrder.objects.get()
    assert sent.body["ReceiverName"] == d.applicant_name and sent.body["CODAmount"] == 15000
    assert sent.body["SenderName"] == d.desk.name and sent.body["OrderNumber"] == order.number
    # the operator walks it: picked up, in transit, a failed attempt, again, delivered
    for _ in range(5):
        status, answer = advance(sent)
        sent.refresh_from_db()
        assert status == 200, answer
    d.refresh_from_db()
    order.refresh_from_db()
    assert order.status == "delivered" and order.events.count() == 5
    assert d.status == c.Status.RETURNED and d.return_method == c.ReturnMethod.POST
    assert d.returned_to == d.applicant_name
    delivered = order.events.get(status="delivered").at
    assert d.returned_at == delivered  # the moment the operator reported, not when we heard
    fee = d.fees.get(name="Lệ phí")
    assert fee.method == "postal" and fee.receipt_number == order.item_code and fee.paid_at
    assert timeline(d) == [
        "postal.requested",
        "postal.accepted",
        "postal.picked_up",
        "postal.in_transit",
        "postal.failed",
        "postal.in_transit",
        "postal.delivered",
    ]
    # the staff page and the citizen's history say it in words
    client.force_login(world.receptionist)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Đã phát thành công" in page and "Phát không thành công, sẽ phát lại" in page


def test_a_repeated_or_late_report_changes_nothing(world, simulators, client):
    d = result_by_post(world)
    outbox.sweep()
    sent = SimulatedPostalOrder.objects.get()
    for _ in range(5):
        advance(sent)
        sent.refresh_from_db()
    returned_at = Dossier.objects.get(pk=d.pk).returned_at
    status, answer = advance(sent, repeat=True)  # "delivered" once more
    assert status == 200 and answer["Message"] == "Đã nhận trước đó"
    order = PostalOrder.objects.get()
    late = {
        "OrderNumber": order.number,
        "Status": "300",  # "in transit", reported after the delivery
        "StatusTime": timezone.localtime().strftime("%Y%m%d%H%M%S"),
    }
    answer = client.post(
        TRACKING,
        late,
        content_type="application/json",
        headers={"access-token": "mo-phong-hanh-trinh"},
    )
    assert answer.status_code == 200
    order.refresh_from_db()
    assert order.status == "delivered" and order.events.count() == 6  # kept, not applied
    assert Dossier.objects.get(pk=d.pk).returned_at == returned_at
    assert timeline(d).count("postal.delivered") == 1


def test_forged_and_malformed_reports_are_refused_with_a_reason(world, simulators, client):
    d = result_by_post(world)
    order = PostalOrder.objects.get(dossier=d)
    good = {"OrderNumber": order.number, "Status": "400", "StatusTime": "20261124100000"}
    forged = client.post(
        TRACKING, good, content_type="application/json", headers={"access-token": "sai"}
    )
    assert forged.status_code == 403
    headers = {"access-token": "mo-phong-hanh-trinh"}
    for body, status in (
        ({**good, "OrderNumber": "KHONG-CO"}, 404),
        ({**good, "Status": "999"}, 400),
        ({**good, "StatusTime": "24/11/2026"}, 400),
    ):
        answer = client.post(TRACKING, body, content_type="application/json", headers=headers)
        assert answer.status_code == status and answer.json()["Message"]
    assert (
        client.post(TRACKING, "{", content_type="application/json", headers=headers).status_code
        == 400
    )
    assert not PostalEvent.objects.exists()
    assert Dossier.objects.get(pk=d.pk).status == c.Status.RESULT_READY


def test_the_operator_down_then_back_loses_nothing(world, simulators):
    SimulatorSwitch.objects.create(system="postal", down=True)
    d = result_by_post(world)
    outbox.sweep()
    message = OutboxMessage.objects.get(system="postal")
    assert message.status == "pending" and message.attempts == 1 and "503" in message.last_error
    assert PostalOrder.objects.get(dossier=d).status == "requested"
    SimulatorSwitch.objects.filter(system="postal").update(down=False)
    outbox.sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert PostalOrder.objects.get(dossier=d).status == "accepted"
    assert SimulatedPostalOrder.objects.count() == 1


def test_an_order_the_operator_refuses_goes_to_the_dead_letters(world, simulators):
    d = result_by_post(world)
    PostalOrder.objects.filter(dossier=d).update(address="")  # nowhere to deliver
    outbox.sweep()
    message = OutboxMessage.objects.get(system="postal")
    assert message.status == "dead" and message.last_error.startswith("102")


def test_a_result_collected_at_the_desk_orders_nothing(world, simulators):
    d = world.received(moment="2026-11-23 09:00")
    walk_to_result(world, d, timezone.now())
    assert not PostalOrder.objects.exists()


def test_an_online_applicant_asks_for_the_papers_to_be_collected(world, simulators, client):
    citizen = User.objects.create_user(
        "huong@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    d = world.received(moment="2026-11-23 09:00", channel="online")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen, address="Bản Hẹo")
    client.force_login(citizen)
    url = f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/"
    assert 'id="request-pickup"' in client.get(url).content.decode()
    page = client.post(f"{url}buu-chinh/", {"address": "Bản Hẹo", "phone": ""}, follow=True)
    assert "Cần ghi địa chỉ nhận hồ sơ và số điện thoại" in page.content.decode()
    assert not PostalOrder.objects.exists()
    client.post(f"{url}buu-chinh/", {"address": "Số 5, bản Hẹo", "phone": "0912 345 678"})
    order = PostalOrder.objects.get()
    assert order.kind == "pickup" and order.phone == "0912345678"
    outbox.sweep()
    sent = SimulatedPostalOrder.objects.get()
    assert sent.body["SenderAddress"] == "Số 5, bản Hẹo"  # from the applicant to the desk
    assert sent.body["ReceiverName"] == d.desk.name
    for _ in range(3):
        advance(sent)
        sent.refresh_from_db()
    page = client.get(url).content.decode()
    assert "Bưu chính: đã phát thành công" in page and sent.item_code in page
    order.refresh_from_db()
    assert order.status == "delivered"
    d.refresh_from_db()
    assert d.status == c.Status.IN_PROGRESS  # a pickup delivered to the desk returns nothing
    # one collection at a time: asking twice at once is refused
    PostalOrder.objects.all().delete()
    client.post(f"{url}buu-chinh/", {"address": "Số 5, bản Hẹo", "phone": "0912345678"})
    again = client.post(
        f"{url}buu-chinh/", {"address": "Số 5, bản Hẹo", "phone": "0912345678"}, follow=True
    )
    assert "không còn nhận yêu cầu thu gom" in again.content.decode()
    assert PostalOrder.objects.count() == 1
