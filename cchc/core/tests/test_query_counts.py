"""List pages and API lists run a fixed number of queries, whatever the page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [  # (url, parameters of a full page, a search that narrows it to a few rows)
    (reverse("procedures:list"), {}, "khai sinh"),
    (reverse("portal:catalog"), {}, "khai sinh"),
    (reverse("organizations:areas"), {"on": "01/06/2019"}, "moc chau"),
    (reverse("organizations:agencies"), {"on": "01/06/2019"}, "tu phap"),
    (reverse("organizations:desks"), {"on": "01/06/2019"}, "moc chau"),
    ("/api/v1/procedures", {"limit": 50}, "khai sinh"),
    ("/api/v1/agencies", {"limit": 100, "on": "2019-06-01"}, "tu phap"),
    ("/api/v1/desks", {"limit": 100, "on": "2019-06-01"}, "moc chau"),
    ("/api/v1/areas", {"limit": 100, "on": "2019-06-01"}, "moc chau"),
]


def count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url", "params", "narrow"), PAGES)
def test_query_count_does_not_grow_with_the_rows_shown(client, admin_user, url, params, narrow):
    client.force_login(admin_user)
    count(client, url, params)  # warm caches (session, content types)
    small = count(client, url, {**params, "q": narrow})
    full = count(client, url, params)
    assert full == small, f"{url}: {small} queries for a few rows, {full} for a full page"
    assert full <= 12
