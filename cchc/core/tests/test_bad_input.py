"""Issue 15, finding 8: what an attacker or a slip of the keyboard can send never gives a 500.

Each case is one that answered 500 before: numbers beyond 64 bits, days in the year 9999,
letters where an id belongs, malformed action data, NUL characters, time zones on a cut-off.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cchc.dossiers.models import Dossier

pytestmark = pytest.mark.django_db
HUGE = "1643673755745996087754752"


def _json_error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    return body


def test_api_numbers_beyond_64_bits_are_refused_in_the_error_shape(client):
    _json_error(client.get("/api/v1/areas", {"offset": HUGE}), 422)
    _json_error(client.get("/api/v1/agencies", {"area": "-9" + HUGE}), 422)
    _json_error(client.get("/api/v1/procedures", {"limit": HUGE}), 422)
    assert client.get("/api/v1/areas", {"on": "0"}).status_code == 422  # not 01/01/1970


def test_api_addresses_that_match_no_operation_answer_json_404(client):
    body = _json_error(client.get("/api/v1/dossiers/null,null"), 404)
    assert body["code"] == "not_found"
    _json_error(client.get("/api/v1/dossiers/%C2%B7%0A/control-slip"), 404)


def test_api_cut_off_with_a_time_zone_is_read_as_vietnam_time(client):
    def due(cutoff):
        r = client.get(
            "/api/v1/calendar/due-date",
            {"start": "2026-11-23T15:30:00+07:00", "working_days": "1", "cutoff": cutoff},
        )
        assert r.status_code == 200, r.content
        return r.json()["clock_start"], r.json()["due"]

    # 08:00Z is 15:00 in Vietnam; 16:00 there would still take a 15:30 reception the same day
    assert due("08:00:00Z") == due("15:00") != due("16:00")


def test_a_due_date_beyond_the_calendars_reach_is_a_422_not_a_500(client):
    """Found by schemathesis: 78,768 working hours from 2000 do not fit in ten years."""
    r = client.get(
        "/api/v1/calendar/due-date",
        {"start": "2000-01-01T07:00:00+07:00", "working_hours": "78768.09280401409"},
    )
    assert r.status_code == 422 and r.json()["code"], r.content
    # the largest limits the schema admits still fit in the calendar's ten years
    for limit in ({"working_hours": "16000"}, {"working_days": "2000"}):
        ok = client.get(
            "/api/v1/calendar/due-date", {"start": "2026-11-23T09:00:00+07:00", **limit}
        )
        assert ok.status_code == 200, ok.content


def test_api_body_that_is_not_json_and_a_missing_csrf_answer_in_vietnamese(client, world):
    client.force_login(world.receptionist)
    body = _json_error(
        client.post("/api/v1/dossiers", "{not json", content_type="application/json"), 400
    )
    assert body["code"] == "unparsable_body" and "Không đọc được" in body["message"]
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(world.receptionist)
    body = _json_error(strict.post("/api/v1/dossiers", {}, content_type="application/json"), 403)
    assert body["code"] == "csrf_failed" and "CSRF" in body["message"]


def test_nul_characters_are_refused_before_any_view(client, world):
    assert client.get("/tra-cuu/", {"ma": "A\x00B", "mk": "x"}).status_code == 400
    response = client.post(
        reverse("portal:feedback"), {"name": "A\x00", "contact": "a@b.vn", "content": "x"}
    )
    assert response.status_code == 400 and "ký tự không hợp lệ" in response.content.decode()
    client.force_login(world.receptionist)
    body = _json_error(
        client.post(
            "/api/v1/dossiers", json.dumps({"x": "a\u0000b"}), content_type="application/json"
        ),
        400,
    )
    assert body["code"] == "invalid_characters"


def test_letters_and_huge_numbers_where_ids_belong_are_treated_as_nothing_chosen(client, world):
    response = client.post(
        reverse("portal:feedback"),
        {"desk": "abc", "name": "Lò Văn A", "contact": "a@example.org", "content": "Góp ý"},
    )
    assert response.status_code == 200
    assert client.get(reverse("portal:catalog"), {"agency": HUGE, "event": "²"}).status_code == 200
    client.force_login(world.receptionist)
    assert client.get(reverse("dossiers:register"), {"desk": HUGE, "field": "x"}).status_code == 200
    client.force_login(world.leader)
    response = client.post(reverse("dossiers:reassign"), {"from_user": "abc", "to_user": HUGE})
    assert response.status_code in (200, 302, 400)


def test_days_in_the_year_9999_fall_back_with_a_message(client, world):
    client.force_login(world.reform_officer)
    page = client.get(
        reverse("reports:settlement"),
        {"period": "custom", "start": "31/12/9999", "end": "31/12/9999"},
    )
    assert page.status_code == 200
    assert "Kỳ báo cáo không hợp lệ" in page.content.decode()


def test_malformed_consultation_data_is_a_400_with_a_message(client, world):
    d = world.received()
    client.force_login(world.specialist)
    for data in ({"consultations": "x"}, {"consultations": [{"agency": 1, "time_share": "NaN"}]}):
        r = client.post(
            f"/api/v1/dossiers/{d.pk}/actions/consult",
            json.dumps({"data": data}),
            content_type="application/json",
        )
        assert r.status_code in (400, 403), r.content
        assert r.json()["message"]
    assert d.status == Dossier.objects.get(pk=d.pk).status


def test_every_answer_carries_a_permissions_policy(client):
    assert "camera=()" in client.get(reverse("portal:home"))["Permissions-Policy"]


def test_a_csrf_failure_is_explained_in_vietnamese(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Không gửi được biểu mẫu" in response.content.decode()
