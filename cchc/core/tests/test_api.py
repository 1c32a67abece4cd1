"""The JSON API: reference reads, the calendar endpoint, token auth, and errors as JSON."""

import pytest

from cchc.accounts.services import issue_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


def test_areas_on_a_date(client):
    r = client.get("/api/v1/areas", {"on": "2019-06-01", "level": "district", "limit": 100})
    assert r.status_code == 200 and r.json()["count"] == 12
    r = client.get("/api/v1/areas", {"on": "2025-07-01", "level": "commune", "limit": 100})
    assert r.json()["count"] == 75


def test_area_detail_lists_predecessors(client):
    r = client.get("/api/v1/areas", {"on": "2026-01-01", "q": "To Hieu"})
    area = r.json()["items"][0]
    detail = client.get(f"/api/v1/areas/{area['id']}").json()
    assert "Phường Chiềng Lề" in {a["name"] for a in detail["formed_from"]}


def test_agencies_and_desks(client):
    r = client.get("/api/v1/agencies", {"on": "2019-06-01", "kind": "district_peoples_committee"})
    assert r.json()["count"] == 12
    planning = client.get("/api/v1/agencies", {"on": "2019-06-01", "q": "ke hoach dau tu"}).json()[
        "items"
    ][0]
    finance = client.get(f"/api/v1/agencies/{planning['successor_ids'][0]}").json()
    assert finance["name"] == "Sở Tài chính"
    desks = client.get("/api/v1/desks", {"kind": "commune_center", "limit": 5}).json()
    assert desks["count"] == 75 and len(desks["items"][0]["opening_periods"]) == 10


def test_procedures_search_and_detail(client):
    items = client.get("/api/v1/procedures", {"q": "dang ky khai sinh"}).json()["items"]
    assert "1.001193" in {p["code"] for p in items}
    detail = client.get("/api/v1/procedures/1.001193").json()
    assert detail["documents"][0]["name"].startswith("Tờ khai") and detail["cutoff_time"] == "15:00"


def test_due_date_endpoint_uses_the_official_calendar(client):
    r = client.get("/api/v1/calendar/due-date", {"start": "2019-02-01T09:00", "working_days": 3})
    body = r.json()
    assert r.status_code == 200 and body["due"] == "2019-02-13T09:00:00+07:00"
    assert any(line["text"] == "Tết Nguyên Đán" for line in body["explanation"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/areas?on=31-02-2019",
        "/api/v1/areas?on=abc",
        "/api/v1/areas?level=village",
        "/api/v1/areas?limit=-5",
        "/api/v1/areas?limit=many",
        "/api/v1/agencies?area=x",
        "/api/v1/calendar/due-date?start=yesterday&working_days=3",
        "/api/v1/calendar/due-date?start=2019-02-01T09:00",
        "/api/v1/calendar/due-date?start=2019-02-01T09:00&working_days=-1",
        "/api/v1/calendar/due-date?start=2019-02-01T09:00&working_days=3&calendar_days=2",
        "/api/v1/calendar/due-date?start=2019-02-01T09:00&working_days=1e9",
        "/api/v1/procedures?online_level=maybe",
    ],
)
def test_malformed_parameters_get_a_4xx_with_code_and_vietnamese_message(client, url):
    r = client.get(url)
    assert 400 <= r.status_code < 500, r.content
    body = r.json()
    assert body["code"] and body["message"]


def test_unknown_objects_are_404_json(client):
    for url in ("/api/v1/areas/999999", "/api/v1/agencies/999999", "/api/v1/procedures/9.999999"):
        r = client.get(url)
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_token_authentication_is_per_user_and_revocable(admin_user, outsider):
    from django.test import Client

    api = Client()
    assert api.get("/api/v1/me").status_code == 401
    token, key = issue_api_token(outsider, "tích hợp", actor=admin_user)
    r = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and r.json()["username"] == "nguoingoai"
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer cchc_wrong"}).status_code == 401
    revoke_api_token(token, actor=admin_user)
    r = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_openapi_document_is_served(client):
    import json

    def no_twice(pairs):  # Swagger UI refuses a document with a key given twice
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    spec = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_twice)
    assert "/api/v1/calendar/due-date" in spec["paths"]
    assert "400" in spec["paths"]["/api/v1/calendar/due-date"]["get"]["responses"]
    docs = client.get("/api/v1/docs").content.decode()
    # Swagger UI from our own static files, started by a static script (no CDN, no inline code)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "<script>" not in docs


def test_desk_search_ignores_diacritics(client):
    items = client.get(
        "/api/v1/desks", {"q": "trung tam phuc vu hanh chinh cong tinh son la"}
    ).json()["items"]
    assert [d["kind"] for d in items] == ["provincial_center"]
