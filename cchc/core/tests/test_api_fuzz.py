"""No query string, however malformed, makes the API answer 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/areas": ["on", "level", "province", "parent", "q", "limit", "offset"],
    "/api/v1/agencies": ["on", "kind", "area", "q", "limit"],
    "/api/v1/desks": ["on", "kind", "agency", "area", "q"],
    "/api/v1/procedures": ["q", "field", "level", "online_level", "on_the_spot", "limit"],
    "/api/v1/calendar/due-date": [
        "start",
        "working_days",
        "working_hours",
        "calendar_days",
        "cutoff",
        "province",
    ],
}
values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["2019-02-30", "2019-02-01T25:00", "1e309", "NaN", "-0", "true", "%00", "'; DROP"]
    ),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(sorted(ENDPOINTS)), st.data())
def test_malformed_query_strings_never_give_a_server_error(client, endpoint, data):
    names = data.draw(st.lists(st.sampled_from(ENDPOINTS[endpoint]), max_size=4, unique=True))
    params = {name: data.draw(values) for name in names}
    response = client.get(endpoint, params)
    assert response.status_code < 500, (endpoint, params, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["message"]
