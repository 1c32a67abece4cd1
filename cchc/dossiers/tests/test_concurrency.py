"""Concurrency on PostgreSQL: race-free codes under parallel desks (R-CODE) and no lost update
when two officers act on one dossier at once."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from cchc.dossiers import services as s
from cchc.dossiers.testing import at, build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks and real parallel transactions need PostgreSQL",
    ),
]


@pytest.fixture
def tx_world(reference_data):
    return build_world()


def parallel(functions):
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def run(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_receptions_get_distinct_consecutive_codes(tx_world):
    w = tx_world
    started = [w.start(moment="2026-11-25 09:00") for _ in range(8)]
    results = parallel(
        [
            (lambda d=d: s.receive(d, actor=w.receptionist, at=at("2026-11-25 09:30")))
            for d in started
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = sorted(r.code for r in results)
    assert codes == [f"{w.commune_pc.eid_code}-261125-{n:04d}" for n in range(1, 9)]


def test_two_officers_acting_at_once_never_lose_an_update(tx_world):
    w = tx_world
    d = w.received(moment="2026-11-25 09:00")
    revision = d.revision
    results = parallel(
        [
            lambda: s.complete_step(d, actor=w.division_head, expected_revision=revision, note="A"),
            lambda: s.complete_step(d, actor=w.division_head, expected_revision=revision, note="B"),
        ]
    )
    changed = [r for r in results if isinstance(r, s.DossierChanged)]
    done = [r for r in results if not isinstance(r, Exception)]
    assert len(changed) == 1 and len(done) == 1, results
    d.refresh_from_db()
    assert d.revision == revision + 1
    assert d.steps.get(order=2).status == "done"
    assert d.steps.get(order=3).status == "active"


def test_the_same_request_sent_twice_at_once_makes_one_dossier(tx_world, client):
    """A client retrying with the same Idempotency-Key while the first try still runs gets
    the dossier the first made (200), not a second dossier and not an error."""
    import json

    from django.test import Client

    from cchc.dossiers.models import Dossier
    from cchc.dossiers.tests.test_api import payload

    w = tx_world
    body = payload(w)

    def send():
        c = Client()
        c.force_login(w.receptionist)
        return c.post(
            "/api/v1/dossiers",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": "gui-lai-1"},
        ).status_code

    results = parallel([send for _ in range(4)])
    assert sorted(results) == [200, 200, 200, 201], results
    assert Dossier.objects.filter(idempotency_key="gui-lai-1").count() == 1


def test_the_same_intake_delivered_twice_at_once_answers_201_once(tx_world):
    """The national portal's connector retries a delivery while the first still runs: one
    dossier, one 201, and 200 with that dossier for every replay (as /dossiers answers)."""
    import json

    from django.test import Client

    from cchc.accounts.models import AccountKind, User
    from cchc.accounts.services import issue_api_token
    from cchc.dossiers.models import Dossier
    from cchc.portal.tests.test_intake import payload

    connector = User.objects.create_user("cong-quoc-gia-dua", kind=AccountKind.SYSTEM)
    _token, key = issue_api_token(connector, "Kết nối Cổng DVC quốc gia", actor=connector)
    body = payload(tx_world, sender_reference="G22.99-261126-000999")

    def send():
        r = Client().post(
            "/api/v1/intake/dossiers",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return r.status_code, r.json().get("id")

    results = parallel([send for _ in range(4)])
    assert sorted(code for code, _ in results) == [200, 200, 200, 201], results
    assert len({pk for _, pk in results}) == 1
    assert Dossier.objects.filter(idempotency_key="G22.99-261126-000999").count() == 1
