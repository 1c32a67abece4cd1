"""Issue 15, finding 9: the audit trail proves itself against someone with database access."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cchc.core import audit
from cchc.core.models import AuditChainHead, AuditEvent
from cchc.core.testing import outside_the_app
from cchc.organizations.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchors(settings, tmp_path):
    settings.CCHC_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    return settings.CCHC_AUDIT_ANCHOR_DIR


def _trail(admin_user, name="Sở Tư pháp", n=3):
    agency = Agency.objects.get(name=name)
    for i in range(n):
        audit.log_action(
            agency, "agency.change", actor=admin_user, before={"n": i}, after={"n": i + 1}
        )
    return agency


def _verify() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit:
        return False, out.getvalue()
    return True, out.getvalue()


def test_a_chain_recomputed_without_the_key_does_not_verify(admin_user, anchors):
    agency = _trail(admin_user)
    assert _verify()[0]
    # The intruder rewrites an event and recomputes the chain, as the unkeyed SHA-256 allowed.
    key = f"organizations.agency:{agency.pk}"
    events = list(AuditEvent.objects.filter(chain_key=key).order_by("sequence"))
    prev = ""
    with outside_the_app():
        for e in events:
            e.reason = "sửa lén" if e.sequence == 2 else e.reason
            e.prev_hash = prev
            e.hash = hashlib.sha256(json.dumps([e.reason, prev]).encode()).hexdigest()
            AuditEvent.objects.filter(pk=e.pk).update(reason=e.reason, prev_hash=prev, hash=e.hash)
            prev = e.hash
        AuditChainHead.objects.filter(chain_key=events[0].chain_key).update(last_hash=prev)
    ok, text = _verify()
    assert not ok and "event was altered" in text


def test_the_object_label_is_signed_too(admin_user, anchors):
    agency = _trail(admin_user)
    with outside_the_app():
        AuditEvent.objects.filter(chain_key=f"organizations.agency:{agency.pk}").update(
            object_repr="Sở khác"
        )
    assert not _verify()[0]


def test_a_chain_deleted_with_its_head_is_found_by_the_anchor(admin_user, anchors):
    agency = _trail(admin_user)
    _trail(admin_user, "Sở Tài chính", 2)
    call_command("anchor_audit", stdout=StringIO())
    assert len(list(anchors.glob("*.json"))) == 1
    _trail(admin_user, "Sở Tài chính", 1)  # work goes on after the anchor
    ok, text = _verify()
    assert ok and "1 mốc" in text
    key = f"organizations.agency:{agency.pk}"
    with outside_the_app():
        AuditEvent.objects.filter(chain_key=key)._raw_delete(using="default")
        AuditChainHead.objects.filter(chain_key=key).delete()
    ok, text = _verify()
    assert not ok and "differ from the anchor" in text


def test_a_forged_anchor_is_refused(admin_user, anchors):
    _trail(admin_user)
    call_command("anchor_audit", stdout=StringIO())
    path = next(anchors.glob("*.json"))
    data = json.loads(path.read_text())
    data["events"] += 1
    path.write_text(json.dumps(data))
    ok, text = _verify()
    assert not ok and "signature" in text


def test_events_signed_with_a_retired_key_still_verify(admin_user, anchors, settings):
    _trail(admin_user)
    old = settings.CCHC_AUDIT_KEY
    settings.CCHC_AUDIT_KEY, settings.CCHC_AUDIT_OLD_KEYS = "khoa-moi-2027", [old]
    _trail(admin_user, "Sở Tài chính", 1)
    assert _verify()[0]
    settings.CCHC_AUDIT_OLD_KEYS = []
    ok, text = _verify()
    assert not ok and "unknown key" in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
def test_postgresql_refuses_to_update_or_delete_an_audit_event(admin_user):
    from django.db.utils import DatabaseError

    agency = _trail(admin_user, n=1)
    event = AuditEvent.objects.filter(chain_key=f"organizations.agency:{agency.pk}").last()
    for change in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk)._raw_delete(using="default"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()


def test_an_event_written_with_a_stale_head_or_on_an_existing_chain_is_appended(admin_user):
    """`new_chain` and `head` save a statement when the caller knows the head; when it is
    wrong, the event is appended after the real head and the chain still verifies."""
    agency = _trail(admin_user, n=2)
    key = audit.chain_key_for(agency)
    last = AuditChainHead.objects.get(chain_key=key)
    n, last_hash = last.last_sequence, last.last_hash
    new = audit.log_action(agency, "agency.change", actor=admin_user, new_chain=True)
    assert (new.sequence, new.prev_hash) == (n + 1, last_hash)  # not a second first event
    known = audit.log_action(agency, "agency.change", head=(n + 1, new.hash))
    assert (known.sequence, known.prev_hash) == (n + 2, new.hash)
    stale = audit.log_action(agency, "agency.change", head=(n + 1, new.hash))
    assert (stale.sequence, stale.prev_hash) == (n + 3, known.hash)
    head = AuditChainHead.objects.get(chain_key=key)
    assert (head.last_sequence, head.last_hash) == (n + 3, stale.hash)
    assert audit.verify_chains() == []
