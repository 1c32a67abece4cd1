"""Staff pages: reception through the form, actions, inbox, register; bad input kept."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.dossiers.constants import Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version

pytestmark = pytest.mark.django_db


def reception_post(world, v, **overrides):
    data = {
        "version": v.pk,
        "desk": world.commune_desk.pk,
        "applicant_kind": "citizen",
        "name": "Lò Thị Hương",
        "birth_date": "17/05/1990",
        "id_number": "014190001234",
        "phone": "0912345678",
        "email": "huong@example.org",
        "address": "Bản Hẹo",
        "area": world.commune.pk,
        "channel": "in_person",
        "sets": "1",
        "return_method": "desk",
        "documents": [str(d.pk) for d in v.documents.all()],
        "outcome": "receive",
    }
    data.update(overrides)
    return data


def test_desk_officer_receives_a_dossier_through_the_form(client, world):
    v = version("1.004873", at("2026-11-26 09:00").date())
    client.force_login(world.receptionist)
    response = client.post(reverse("dossiers:reception"), reception_post(world, v))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.IN_PROGRESS and d.code
    page = client.get(response["Location"])
    assert d.code in page.content.decode()
    pdf = client.get(reverse("dossiers:form_pdf", args=[d.pk, d.forms.get().pk]))
    assert pdf["Content-Type"] == "application/pdf"


def test_bad_reception_input_keeps_what_was_typed(client, world):
    v = version("1.004873", at("2026-11-26 09:00").date())
    client.force_login(world.receptionist)
    response = client.post(
        reverse("dossiers:reception"), reception_post(world, v, id_number="0141")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in html
    assert 'value="Lò Thị Hương"' in html and 'value="Bản Hẹo"' in html
    assert not Dossier.objects.exists()


def test_supplement_request_from_the_form_lists_unticked_documents(client, world):
    v = version("1.004873", at("2026-11-26 09:00").date())
    docs = list(v.documents.all())
    client.force_login(world.receptionist)
    client.post(
        reverse("dossiers:reception"),
        reception_post(
            world,
            v,
            documents=[str(docs[1].pk)],
            outcome="request_completion",
            reason="Thiếu tờ khai",
        ),
    )
    d = Dossier.objects.get()
    assert d.status == Status.AWAITING_COMPLETION
    assert [i["document"] for i in d.supplement_requests.get().items] == [docs[0].pk]


def test_specialist_completes_a_step_from_the_dossier_page(client, world):
    d = world.received()
    client.force_login(world.division_head)
    url = reverse("dossiers:action", args=[d.pk, "complete_step"])
    response = client.post(url, {"revision": d.revision, "note": "Đồng ý"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.steps.get(status="active").order == 3
    # the same form posted again with the old revision: refused with a clear message
    response = client.post(url, {"revision": d.revision - 1, "note": "Lần nữa"}, follow=True)
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert d.steps.get(status="active").order == 3


def test_inbox_shows_waiting_steps_with_badges(client, world):
    d = world.received("1.004873", "2026-11-23 09:00")
    client.force_login(world.division_head)
    html = client.get(reverse("dossiers:inbox")).content.decode()
    assert d.code in html and "Quá hạn" in html  # the step was due on 23/11/2026
    client.force_login(world.dept_specialist)
    assert d.code not in client.get(reverse("dossiers:inbox")).content.decode()


def test_inbox_rows_escape_what_they_print_and_link_each_dossier(client, world):
    """The inbox's rows are rendered in Python (issue 20): same cells, every value escaped."""
    from cchc.dossiers.models import DossierStep

    d = world.received("1.004873", "2026-11-23 09:00")
    type(d.procedure_version).objects.filter(pk=d.procedure_version_id).update(
        name="Đăng ký <b>khai sinh</b> & cấp bản sao " + "rất dài " * 10
    )
    DossierStep.objects.filter(dossier=d, status="active").update(assignee=world.division_head)
    for persona in ("division_head", "leader"):  # the steps' rows; the leader's overview too
        client.force_login(getattr(world, persona))
        html = client.get(reverse("dossiers:inbox")).content.decode()
        assert "<b>khai sinh</b>" not in html
        assert "Đăng ký &lt;b&gt;khai sinh&lt;/b&gt; &amp; cấp bản sao" in html
        assert "rất dài " * 5 not in html and "…</td>" in html  # cut at 60 characters
        assert f'<a href="/ho-so/{d.pk}/">{d.code}</a>' in html
        assert "23/11/2026" in html and "Quá hạn" in html
    assert str(world.division_head) in html


def test_viewing_the_full_id_number_is_logged(client, world):
    d = world.received()
    client.force_login(world.receptionist)
    listing = client.get(reverse("dossiers:list")).content.decode()
    assert "014190001234" not in listing and "•••••••••234" in listing
    page = client.get(reverse("dossiers:personal", args=[d.pk])).content.decode()
    assert "014190001234" in page
    from cchc.core.models import AuditEvent

    assert AuditEvent.objects.filter(
        action="dossier.view_personal_data", actor=world.receptionist
    ).exists()


def test_register_exports_xlsx_with_the_official_columns(client, world):
    d = world.received()
    client.force_login(world.receptionist)
    response = client.get(
        reverse("dossiers:register"), {"desk": world.commune_desk.pk, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet.cell(row=3, column=2).value == "Mã hồ sơ"
    assert sheet.cell(row=4, column=2).value == d.code
    assert sheet.cell(row=4, column=10).value == "09:00 27/11/2026"
    # no "…" left for the dates not asked: the register runs from its first reception
    assert sheet["A2"].value.startswith("Từ ngày 23/11/2026 đến ngày ")
    assert "…" not in sheet["A2"].value
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.paperSize == 9  # A4


def test_a_dossier_waiting_for_the_applicant_is_not_shown_overdue(world):
    """The clock is stopped (R-TIME-5): no overdue badge while the applicant completes it."""
    from cchc.dossiers import services as s
    from cchc.dossiers.inbox import badges

    d = world.received(moment="2026-11-23 09:00")
    assert badges(d, d.due_at, at("2026-12-01 09:00")).overdue
    doc = d.procedure_version.documents.first()
    d = s.request_supplement(
        d,
        items=[s.SupplementItem(doc.pk)],
        reason="Thiếu",
        actor=world.division_head,
        at=at("2026-11-23 10:00"),
    )
    assert not badges(d, d.due_at, at("2026-12-01 09:00")).overdue


def test_fee_exemption_at_reception_needs_its_reason(client, world):
    """R-FEE: exemptions recorded with their reason; an exempt line is never charged."""
    v = version("1.000703", at("2026-11-26 09:00").date())
    fee = v.fees.first()
    client.force_login(world.center_receptionist)
    data = reception_post(world, v, desk=world.center_desk.pk, **{f"exempt-{fee.pk}": "1"})
    response = client.post(reverse("dossiers:reception"), data)
    assert response.status_code == 400
    assert "Cần ghi lý do miễn, giảm" in response.content.decode()
    data[f"exemption-{fee.pk}"] = "Người có công với cách mạng"
    assert client.post(reverse("dossiers:reception"), data).status_code == 302
    row = Dossier.objects.get().fees.get()
    assert row.exempt and row.exemption_reason == "Người có công với cách mạng"


def test_inbox_pages_by_due_moment_without_counting(client, world, monkeypatch):
    from cchc.dossiers import views

    monkeypatch.setattr(views, "INBOX_PAGE", 2)
    codes = [world.received(moment=f"2026-11-2{day} 09:00").code for day in (3, 5, 6)]
    client.force_login(world.division_head)
    first = client.get(reverse("dossiers:inbox")).content.decode()
    assert codes[0] in first and codes[1] in first and codes[2] not in first
    key = re.search(
        r'id="next-page" href="\?sau=([^"]+)"|href="\?sau=([^"]+)" id="next-page"', first
    )
    following = client.get(reverse("dossiers:inbox") + "?sau=" + (key.group(1) or key.group(2)))
    html = following.content.decode()
    assert codes[2] in html and codes[0] not in html and 'id="next-page"' not in html
    assert client.get(reverse("dossiers:inbox"), {"sau": "rác_12"}).status_code == 200


def test_inbox_pages_read_branch_by_branch_equal_the_whole_inbox(client, world):
    """`inbox_page` reads each way a step waits (assigned, role, agency, desk) from its own
    index and merges them: page by page it gives exactly `waiting_steps`, in due order."""
    from cchc.dossiers.inbox import inbox_page, waiting_steps

    for day, hour in [(23, "08:00"), (23, "09:00"), (24, "10:00"), (25, "08:30"), (26, "14:00")]:
        world.received(moment=f"2026-11-{day} {hour}")
    first = world.received(moment="2026-11-23 07:30")
    from cchc.dossiers import services as s

    # assigned to the specialist: a second way it waits for them
    s.assign(first, assignee=world.specialist, actor=world.division_head, at=at("2026-11-23 07:40"))
    for persona in ("specialist", "division_head", "leader", "receptionist", "dept_leader"):
        user = getattr(world, persona)
        expected = [st.pk for st in waiting_steps(user)]
        seen, key = [], ""
        while True:
            rows, key = inbox_page(user, key, 2)
            seen += [st.pk for st in rows]
            if not key:
                break
        assert seen == expected, persona
    # the API pages the same way, without a count
    client.force_login(world.leader)
    body = client.get("/api/v1/dossiers/inbox", {"limit": 3}).json()
    assert len(body["items"]) == 3 and body["next"]
    rest = client.get("/api/v1/dossiers/inbox", {"limit": 200, "after": body["next"]}).json()
    assert [i["id"] for i in body["items"] + rest["items"]] == [
        st.pk for st in waiting_steps(world.leader)
    ]
    assert rest["next"] == ""
    assert client.get("/api/v1/dossiers/inbox", {"limit": 0}).status_code == 422


def test_the_desk_picks_among_its_levels_procedures_and_finds_one_by_words_or_abbreviation(
    client, world
):
    from cchc.procedures.models import ProcedureVersion

    today = at("2026-11-23 09:00").date()
    in_force = ProcedureVersion.objects.in_force(today).select_related("procedure")
    province_only = in_force.filter(levels="province").first()
    commune = in_force.get(procedure__code="1.004873")
    assert province_only is not None
    client.force_login(world.receptionist)
    url = reverse("dossiers:reception")
    page = client.get(url, {"desk": world.commune_desk.pk}).content.decode()
    assert f'value="{commune.pk}"' in page and f'value="{province_only.pk}"' not in page
    found = client.get(url, {"desk": world.commune_desk.pk, "q": "xntthn"}).content.decode()
    listed = found.split('id="version"', 1)[1].split("</select>", 1)[0]
    assert f'value="{commune.pk}"' in listed and listed.count("<option") == 2  # "—" and it
    every = client.get(url, {"desk": world.commune_desk.pk, "moi-cap": 1}).content.decode()
    assert f'value="{province_only.pk}"' in every
