"""Areas and agencies over time, loaded from vietnam-provinces and the reviewed data file."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from cchc.organizations.constants import AgencyKind, AreaLevel
from cchc.organizations.models import AdministrativeArea, Agency, Desk

pytestmark = pytest.mark.django_db

D2019 = dt.date(2019, 6, 1)
LAST_DAY = dt.date(2025, 6, 30)
FIRST_DAY = dt.date(2025, 7, 1)


def son_la():
    return AdministrativeArea.objects.get(level=AreaLevel.PROVINCE, code="14")


def areas_on(day, level):
    return AdministrativeArea.objects.on(day).filter(province=son_la(), level=level)


@pytest.mark.parametrize(
    ("day", "districts", "communes"),
    [(D2019, 12, 204), (LAST_DAY, 12, 204), (FIRST_DAY, 0, 75), (dt.date(2026, 11, 26), 0, 75)],
)
def test_areas_of_son_la_on_a_date(day, districts, communes):
    assert areas_on(day, AreaLevel.DISTRICT).count() == districts
    assert areas_on(day, AreaLevel.COMMUNE).count() == communes
    assert (
        AdministrativeArea.objects.on(day).filter(level=AreaLevel.PROVINCE, code="14").count() == 1
    )


def test_every_new_commune_is_linked_to_the_units_it_came_from():
    for commune in areas_on(FIRST_DAY, AreaLevel.COMMUNE):
        assert commune.formed_from.exists(), commune
    # The source data leaves a few old communes unmapped: the loader names them for an
    # administrator to link, rather than guessing.
    orphans = sorted(
        a.name for a in areas_on(D2019, AreaLevel.COMMUNE) if not a.succeeded_by.exists()
    )
    assert len(orphans) < 204 * 0.05
    report = io.StringIO()
    call_command("load_reference_data", "--skip-catalog", stdout=report)
    for name in orphans:
        assert name in report.getvalue()
    to_hieu = AdministrativeArea.objects.get(name="Phường Tô Hiệu", valid_from=FIRST_DAY)
    assert {a.name for a in to_hieu.formed_from.all()} >= {"Phường Chiềng Lề", "Phường Tô Hiệu"}


def test_merged_department_points_to_its_successor_and_is_gone_after():
    planning = Agency.objects.get(name="Sở Kế hoạch và Đầu tư")
    assert planning.is_valid_on(D2019)
    assert not planning.is_valid_on(dt.date(2025, 3, 1))
    assert [a.name for a in planning.successors.all()] == ["Sở Tài chính"]
    assert planning.needs_confirmation  # "date to confirm" is shown, not presented as fact


def test_agencies_of_2019_and_of_today():
    on_2019 = Agency.objects.on(D2019)
    today = Agency.objects.on(dt.date(2026, 11, 26))
    assert on_2019.filter(kind=AgencyKind.DISTRICT_PEOPLES_COMMITTEE).count() == 12
    assert on_2019.filter(kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE).count() == 204
    assert today.filter(kind=AgencyKind.DISTRICT_PEOPLES_COMMITTEE).count() == 0
    assert today.filter(kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE).count() == 75
    # Each commune has its Center (Decree 118), under its People's Committee.
    centers = today.filter(
        kind=AgencyKind.SERVICE_CENTER, parent__kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE
    )
    assert centers.count() == 75
    assert not Agency.objects.exclude(eid_code="").exists()  # no invented identification codes


def test_old_commune_committees_succeeded_by_the_new_ones():
    old = Agency.objects.get(name="Ủy ban nhân dân Phường Chiềng Lề")
    assert "Ủy ban nhân dân Phường Tô Hiệu" in [a.name for a in old.successors.all()]


def test_desks_exist_for_both_structures():
    assert Desk.objects.on(D2019).filter(kind="district_reception").count() == 12
    assert Desk.objects.on(FIRST_DAY).filter(kind="commune_center").count() == 75
    center = Desk.objects.get(kind="provincial_center")
    assert center.opening_summary() == "T2–T6: 07:30–11:30, 13:30–17:00"


def test_reloading_changes_nothing_and_keeps_an_administrators_edit(capsys):
    agency = Agency.objects.get(name="Sở Tư pháp")
    agency.name = "Sở Tư pháp tỉnh Sơn La"
    agency.save()
    call_command("load_reference_data", "--skip-catalog")
    out = capsys.readouterr().out
    assert "created=0, updated=0" in out and "kept=1" in out
    agency.refresh_from_db()
    assert agency.name == "Sở Tư pháp tỉnh Sơn La"
    call_command("load_reference_data", "--skip-catalog", "--force")
    agency.refresh_from_db()
    assert agency.name == "Sở Tư pháp"


def test_unknown_province_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không nạp được"):
        call_command("load_reference_data", "--province", "99")


def test_quality_management_history_answers_what_held_on_a_date(client, admin_user):
    from cchc.organizations.models import QualityCertification

    commune = Agency.objects.get(name="Ủy ban nhân dân Phường Chiềng Lề")
    QualityCertification.objects.create(
        agency=commune, standard="iso9001_2008", status="announced", status_on=dt.date(2017, 5, 1)
    )
    QualityCertification.objects.create(
        agency=commune, standard="iso9001_2015", status="applying", status_on=dt.date(2019, 3, 1)
    )
    QualityCertification.objects.create(
        agency=commune,
        standard="iso9001_2015",
        status="announced",
        status_on=dt.date(2019, 10, 1),
        announced_on=dt.date(2019, 10, 1),
        scope="Toàn bộ TTHC cấp xã",
    )
    on = QualityCertification.objects.status_on
    assert (commune.pk, "iso9001_2015") not in on(dt.date(2019, 1, 1))
    assert on(dt.date(2019, 6, 1))[(commune.pk, "iso9001_2015")].status == "applying"
    assert on(dt.date(2020, 1, 1))[(commune.pk, "iso9001_2015")].status == "announced"
    client.force_login(admin_user)
    page = client.get(f"/dia-ban-co-quan/co-quan/{commune.pk}/").content.decode()
    assert "TCVN ISO 9001:2015" in page and "Toàn bộ TTHC cấp xã" in page


def test_staffing_records_one_per_year_with_vacancy():
    from django.db import IntegrityError, transaction

    from cchc.organizations.models import StaffingRecord

    justice = Agency.objects.get(name="Sở Tư pháp")
    record = StaffingRecord.objects.create(agency=justice, year=2019, quota=40, headcount=37)
    assert record.vacancy == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffingRecord.objects.create(agency=justice, year=2019, quota=41, headcount=37)


def test_loading_and_forced_overwrites_are_in_the_audit_trail():
    from cchc.core.models import AuditEvent

    agency = Agency.objects.get(name="Sở Y tế")
    assert AuditEvent.objects.filter(
        action="reference.create", object_id=str(agency.pk), actor_label="load_reference_data"
    ).exists()
    agency.short_name = "SYT"
    agency.save()
    call_command("load_reference_data", "--skip-catalog", "--force", stdout=io.StringIO())
    event = AuditEvent.objects.filter(action="reference.update", object_id=str(agency.pk)).get()
    assert event.changes["short_name"] == {"before": "SYT", "after": ""}
    assert "--force" in event.reason
