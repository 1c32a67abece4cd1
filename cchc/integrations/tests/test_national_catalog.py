"""The catalog read live from the national portal's sharing services (issue 21), through the
local simulator: every listed procedure, or the codes asked for; a changed record drafts
again; a portal that is down or refuses is reported in Vietnamese, with nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.integrations.models import SimulatorSwitch
from cchc.procedures.constants import VersionStatus
from cchc.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db


def drafts():
    return set(
        ProcedureVersion.objects.filter(status=VersionStatus.DRAFT).values_list(
            "procedure__code", flat=True
        )
    )


def test_every_listed_record_is_read_and_drafted_where_it_changes(simulators, settings, tmp_path):
    source = json.loads(Path(settings.CCHC_DVCQG_CATALOG_FILE).read_text(encoding="utf-8"))
    out = io.StringIO()
    call_command("fetch_national_catalog", stdout=out)
    assert f"Đọc {len(source['result'])} bản ghi từ Cổng dịch vụ công quốc gia" in out.getvalue()
    before = drafts()
    assert "1.004873" in before
    # the Ministry changes one record: only that procedure's draft is refreshed
    changed = [r for r in source["result"] if r["MATTHC"] == "1.004873"]
    changed[0]["YEUCAU"] = "Điều kiện mới theo văn bản sửa đổi"
    path = tmp_path / "laythutuc.json"
    path.write_text(json.dumps({"result": changed}, ensure_ascii=False), encoding="utf-8")
    settings.CCHC_DVCQG_CATALOG_FILE = str(path)
    out = io.StringIO()
    call_command("fetch_national_catalog", "--code", "1.004873", stdout=out)
    assert "1 thay đổi" in out.getvalue()
    draft = ProcedureVersion.objects.get(procedure__code="1.004873", status=VersionStatus.DRAFT)
    assert draft.conditions == "Điều kiện mới theo văn bản sửa đổi"


def test_a_portal_that_is_down_or_does_not_know_the_code_changes_nothing(simulators):
    SimulatorSwitch.objects.create(system="dvcqg", down=True)
    with pytest.raises(CommandError, match="HTTP 503"):
        call_command("fetch_national_catalog", "--code", "1.004873")
    SimulatorSwitch.objects.all().delete()
    with pytest.raises(CommandError, match=r"Không có thủ tục 9\.999999"):
        call_command("fetch_national_catalog", "--code", "9.999999")
    assert not drafts()
