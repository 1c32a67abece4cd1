"""The fast date filters print what Django's `date` filter prints, in Vietnam's time zone."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template

UTC = dt.UTC


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 12, 6, 17, 30, tzinfo=UTC),  # 00:30 on 07/12 in Vietnam
        dt.datetime(2026, 2, 16, 16, 59, tzinfo=UTC),  # 23:59 on the eve of Tết 2026
        dt.datetime(2025, 1, 5, 2, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")),
        dt.date(2026, 4, 30),
        None,
        "",
    ],
)
def test_moment_and_day_match_djangos_date_filter(value):
    def render(source):
        return Template("{% load vn %}" + source).render(Context({"v": value}))

    assert render("{{ v|day }}") == render('{{ v|date:"d/m/Y" }}')
    if not isinstance(value, dt.datetime):
        assert render("{{ v|moment }}") == render('{{ v|date:"d/m/Y" }}')
    else:
        assert render("{{ v|moment }}") == render('{{ v|date:"H:i d/m/Y" }}')


def test_moment_is_vietnams_clock():
    text = Template("{% load vn %}{{ v|moment }}").render(
        Context({"v": dt.datetime(2026, 12, 6, 17, 30, tzinfo=UTC)})
    )
    assert text == "00:30 07/12/2026"
