"""The procedure catalog: seed, search, versions, competence, import and export."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cchc.organizations.models import AdministrativeArea
from cchc.procedures import services
from cchc.procedures.constants import VersionStatus
from cchc.procedures.exchange import (
    export_records,
    export_xlsx,
    export_yaml,
    import_records,
    read_xlsx,
    read_yaml,
)
from cchc.procedures.models import Procedure, ProcedureVersion
from cchc.procedures.querysets import search_versions

pytestmark = pytest.mark.django_db


def published():
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)


def test_seed_holds_the_58_procedures_with_unverified_figures_flagged():
    assert Procedure.objects.count() == 58
    birth = published().get(procedure__code="1.001193")
    assert birth.name == "Đăng ký khai sinh" and not birth.needs_confirmation
    assert birth.time_limit == 0 and birth.on_the_spot and birth.cutoff_time == dt.time(15)
    marriage_status = published().get(procedure__code="1.004873")
    assert marriage_status.time_to_confirm and marriage_status.fee_to_confirm
    # the online level: a mobile registration is done where the family is, never online
    assert birth.accepts_online and not birth.online_to_confirm
    mobile = published().get(procedure__code="1.000419")
    assert mobile.online_level == "none" and not mobile.accepts_online
    assert marriage_status.online_to_confirm  # read off the national portal, to confirm


def test_search_ignores_diacritics_and_word_order():
    names = {v.name for v in search_versions(published(), "giay phep xay dung")}
    assert len(names) == 5 and all("GPXD" in n for n in names)  # the abbreviation is expanded
    assert search_versions(published(), "Giấy phép bán lẻ rượu").get().procedure.code == "2.000620"
    assert (
        search_versions(published(), "khai sinh dang ky")
        .filter(procedure__code="1.001193")
        .exists()
    )
    assert (
        search_versions(published(), "ĐĂNG KÝ KHAI SINH")
        .filter(procedure__code="1.001193")
        .exists()
    )
    assert not search_versions(published(), "khong co thu tuc nay").exists()


def test_procedure_whose_level_changed_in_2025_has_two_versions():
    permit = Procedure.objects.get(code="1.013225")
    versions = list(permit.versions.order_by("number"))
    assert [v.status for v in versions] == [VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED]
    assert versions[0].levels == "district" and versions[0].valid_to == dt.date(2025, 6, 30)
    assert versions[1].levels == "commune" and versions[1].valid_from == dt.date(2025, 7, 1)


def test_typical_steps_share_the_limit_and_are_marked():
    version = published().get(procedure__code="1.004873")  # 3 working days
    steps = list(version.steps.all())
    assert all(s.is_typical for s in steps)
    assert sum(s.time_share for s in steps) == version.time_limit


def test_publishing_a_draft_supersedes_and_published_versions_are_frozen(admin_user):
    current = published().get(procedure__code="1.004873")
    draft = services.create_draft(current, actor=admin_user)
    assert draft.documents.count() == current.documents.count()
    services.update_draft(
        draft, {"time_limit": Decimal(2), "time_to_confirm": False}, actor=admin_user
    )
    with pytest.raises(ValidationError):
        services.update_draft(current, {"time_limit": Decimal(1)}, actor=admin_user)
    # Shares of 3 days no longer fit into 2: publication is refused.
    with pytest.raises(ValidationError, match="vượt quá"):
        services.publish(draft, actor=admin_user)
    draft.steps.update(time_share=Decimal(0))
    draft.steps.filter(order=3).update(time_share=Decimal(2))
    services.publish(draft, actor=admin_user, valid_from=dt.date(2026, 12, 1))
    current.refresh_from_db()
    assert current.status == VersionStatus.SUPERSEDED and current.valid_to == dt.date(2026, 11, 30)
    assert Procedure.objects.get(code="1.004873").current_version().number == draft.number


def test_competent_agency_follows_the_applicants_area_and_the_date():
    birth = Procedure.objects.get(code="1.001193")
    old = AdministrativeArea.objects.get(name="Phường Chiềng Lề", valid_to=dt.date(2025, 6, 30))
    new = AdministrativeArea.objects.get(name="Phường Tô Hiệu", valid_from=dt.date(2025, 7, 1))
    assert services.resolve_competent_agency(birth, old, dt.date(2019, 3, 1)).name == (
        "Ủy ban nhân dân Phường Chiềng Lề"
    )
    assert services.resolve_competent_agency(birth, new, dt.date(2026, 1, 5)).name == (
        "Ủy ban nhân dân Phường Tô Hiệu"
    )
    permit_2019 = Procedure.objects.get(code="1.013225")
    assert services.resolve_competent_agency(permit_2019, old, dt.date(2019, 3, 1)).name == (
        "Ủy ban nhân dân Thành phố Sơn La"
    )
    transport = Procedure.objects.get(code="1.000703")
    assert (
        services.resolve_competent_agency(transport, new, dt.date(2019, 3, 1)).name
        == "Sở Giao thông vận tải"
    )
    assert (
        services.resolve_competent_agency(transport, new, dt.date(2026, 1, 5)).name == "Sở Xây dựng"
    )


@pytest.mark.parametrize(
    ("export", "read"), [(export_yaml, read_yaml), (export_xlsx, read_xlsx)], ids=["yaml", "xlsx"]
)
def test_export_import_round_trips_to_an_identical_catalog(admin_user, export, read):
    before = export_records(published())
    content = export()
    assert import_records(read(content), actor=admin_user) == {
        "created": 0,
        "superseded": 0,
        "unchanged": 58,
    }
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    assert import_records(read(content), actor=admin_user)["created"] == 58
    assert export_records(published()) == before


def test_changed_row_in_the_workbook_publishes_a_new_version(admin_user):
    records = read_xlsx(export_xlsx())
    row = next(r for r in records if r["code"] == "1.004873")
    row["time_limit"] = "5"
    result = import_records(records, actor=admin_user)
    assert result["superseded"] == 1 and result["unchanged"] == 57
    assert published().get(procedure__code="1.004873").time_limit == 5


def test_bad_files_are_refused_with_a_message():
    with pytest.raises(ValidationError, match="xlsx"):
        read_xlsx(b"not a workbook")
    with pytest.raises(ValidationError, match="procedures"):
        read_yaml("- a\n- b\n")


def test_an_edited_declaration_is_checked_before_it_is_kept():
    from cchc.procedures.admin import VersionForm
    from cchc.procedures.eforms import check_definition

    birth = published().get(procedure__code="1.001193").declaration
    assert check_definition(birth) == []
    broken = {**birth, "schema": {**birth["schema"], "type": "khong-phai-kieu"}}
    form = VersionForm(data={"declaration": __import__("json").dumps(broken)})
    assert not form.is_valid() and "JSON Schema không hợp lệ" in str(form.errors)
    stray = {**birth, "layout": [{"title": "x", "fields": [{"key": "khong_co", "type": "text"}]}]}
    assert "khong_co" in check_definition(stray)[0]


def test_declarations_travel_in_the_exchange_files(admin_user):
    import json

    records = read_xlsx(export_xlsx())
    birth = next(r for r in records if r["code"] == "1.001193")
    definition = json.loads(birth["declaration"])
    assert definition == published().get(procedure__code="1.001193").declaration
    assert "Tờ khai" in load_workbook_names(export_xlsx())
    # edited in the workbook: a new version carries the new title
    definition["title"] = "Tờ khai đăng ký khai sinh (sửa)"
    birth["declaration"] = json.dumps(definition, ensure_ascii=False)
    assert import_records(records, actor=admin_user)["superseded"] == 1
    assert published().get(procedure__code="1.001193").declaration["title"].endswith("(sửa)")
    # a file without declarations keeps the catalog's; a broken one is refused
    plain = [{k: v for k, v in r.items() if k != "declaration"} for r in read_yaml(export_yaml())]
    assert import_records(plain, actor=admin_user)["unchanged"] == 58
    broken = read_yaml(export_yaml())
    next(r for r in broken if r["code"] == "1.001193")["declaration"] = {"title": "x"}
    with pytest.raises(ValidationError, match=r"1\.001193"):
        import_records(broken, actor=admin_user)


def load_workbook_names(content: bytes) -> list[str]:
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content), read_only=True).sheetnames
