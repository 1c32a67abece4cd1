"""E-forms (tờ khai điện tử): seeded declarations of the most received procedures, filled
online pre-filled from the account, checked on the server with a Vietnamese message per field,
never losing what was typed, stored on the dossier, shown to officers, searchable, in the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import AccountKind, User
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import PDF_BYTES
from cchc.portal.models import OnlineDraft
from cchc.procedures import eforms
from cchc.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"


def birth_form():
    return ProcedureVersion.objects.in_force_at().get(procedure__code=BIRTH).declaration


def test_the_most_received_procedures_carry_their_declaration():
    seeded = {
        v.procedure.code
        for v in ProcedureVersion.objects.in_force_at().select_related("procedure")
        if v.declaration
    }
    assert len(seeded) >= 10
    assert {BIRTH, "1.000894", "1.000656", "1.004873", "1.004222", "1.013225"} <= seeded
    form = birth_form()
    assert form["title"] == "TỜ KHAI ĐĂNG KÝ KHAI SINH" and not form["to_confirm"]
    assert eforms.check_definition(form) == []
    marriage = ProcedureVersion.objects.in_force_at().get(procedure__code="1.000894")
    assert marriage.declaration["to_confirm"]  # not read against the template: flagged


def test_the_server_says_per_field_what_is_missing_or_wrong():
    form = birth_form()
    found = eforms.errors(form, {"ngay_sinh": "2026-02-30", "yc_so_dinh_danh": "12345"})
    assert found["ho_ten"] == "Cần nhập “Họ, chữ đệm, tên”."
    assert "dd/mm/yyyy" in found["ngay_sinh"]
    assert "12 chữ số" in found["yc_so_dinh_danh"]
    # a copy asked for: the number of copies becomes required (a conditional part)
    assert "so_ban_sao" not in eforms.errors(form, {})
    assert "so_ban_sao" in eforms.errors(form, {"cap_ban_sao": True})


def test_a_citizen_fills_the_declaration_prefilled_and_the_desk_reads_it(client, world):
    citizen = User.objects.create_user(
        "dan@example.org",
        kind=AccountKind.CITIZEN,
        full_name="Lò Văn Dân",
        id_number="014090001111",
        email="dan@example.org",
        verified_at=timezone.now(),
    )
    client.force_login(citizen)
    client.get(reverse("portal:apply", args=[BIRTH]))
    draft = OnlineDraft.objects.get()
    page = client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert 'value="Lò Văn Dân"' in page and 'value="014090001111"' in page  # pre-filled
    typed = {
        "name": "Lò Văn Dân",
        "area": world.commune.pk,
        "ef-yc_ho_ten": "Lò Văn Dân",
        "ef-yc_so_dinh_danh": "014090001111",
        "ef-yc_quan_he": "Cha",
        "ef-yc_ngay_sinh": "05/03/1995",
        "ef-ho_ten": "Lò Thị Mai",
        "ef-ngay_sinh": "31/02/2026",  # no such day
        "ef-gioi_tinh": "Nữ",
        "submit": "1",
    }
    response = client.post(reverse("portal:draft", args=[draft.pk]), typed, follow=True)
    page = response.content.decode()
    assert not Dossier.objects.exists()
    assert "Cần nhập “Dân tộc”." in page and "dd/mm/yyyy" in page
    assert 'value="Lò Thị Mai"' in page and 'value="31/02/2026"' in page  # nothing lost
    files = {
        f"file-{doc.pk}": SimpleUploadedFile(f"giay-{i}.pdf", PDF_BYTES)
        for i, doc in enumerate(draft.version.documents.all())
        if not doc.optional and not doc.present_only
    }
    complete = {
        **typed,
        "ef-ngay_sinh": "02/12/2026",
        "ef-dan_toc": "Thái",
        "ef-quoc_tich": "Việt Nam",
        "ef-noi_sinh": "Bệnh viện Đa khoa tỉnh Sơn La",
        "ef-que_quan": "Mường La, Sơn La",
        "ef-cam_doan": "1",
        **files,
    }
    done = client.post(reverse("portal:draft", args=[draft.pk]), complete, follow=True)
    assert Dossier.objects.exists(), [str(m) for m in done.context["messages"]]
    d = Dossier.objects.get()
    assert d.declaration["ho_ten"] == "Lò Thị Mai" and d.declaration["ngay_sinh"] == "2026-12-02"
    client.force_login(world.receptionist)
    staff = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'id="declaration"' in staff and "Lò Thị Mai" in staff and "02/12/2026" in staff
    found = client.get(reverse("dossiers:list"), {"q": "lo thi mai"}).content.decode()
    assert d.submission_code in found  # the declaration is searchable
    body = client.get(f"/api/v1/dossiers/{d.pk}").json()
    assert body["declaration"]["noi_sinh"] == "Bệnh viện Đa khoa tỉnh Sơn La"


def test_a_declaration_is_checked_and_audited_where_the_dossier_is_made(world):
    """One place for the rule: `start_dossier` refuses a declaration its version's schema
    refuses (whatever the door), and the creation's audit event names the fields declared,
    not their values."""
    from cchc.core.models import AuditEvent
    from cchc.dossiers import services as ds

    v = ProcedureVersion.objects.in_force_at().get(procedure__code="1.004873")

    def start(declaration):
        return ds.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(),
            channel="online",
            documents=[],
            actor=None,
            declaration=declaration,
        )

    with pytest.raises(ds.ServiceError) as refused:
        start({"ho_ten": "Lò Thị Hương", "ngay_sinh": "2026-02-30"})
    assert "declaration.ngay_sinh" in refused.value.details
    good = {
        "yc_ho_ten": "Lò Thị Hương",
        "yc_so_dinh_danh": "014190001234",
        "yc_quan_he": "Bản thân",
        "ho_ten": "Lò Thị Hương",
        "ngay_sinh": "1990-05-17",
        "gioi_tinh": "Nữ",
        "tinh_trang": "Chưa đăng ký kết hôn với ai",
        "muc_dich": "Xin việc",
        "cam_doan": True,
    }
    d = start(good)
    assert d.declaration == good
    event = AuditEvent.objects.filter(object_id=str(d.pk), action="dossier.create").get()
    assert "ho_ten" in str(event.changes) and "Xin việc" not in str(event.changes)


def test_the_desk_types_the_declaration_for_a_walk_in_and_prints_it(client, world):
    import io

    from pypdf import PdfReader

    from cchc.portal.tests.test_portal import MARITAL_STATUS_DECLARATION

    v = ProcedureVersion.objects.in_force_at().get(procedure__code="1.004873")
    client.force_login(world.receptionist)
    form = {
        "version": v.pk,
        "desk": world.commune_desk.pk,
        "applicant_kind": "citizen",
        "name": "Lò Thị Hương",
        "birth_date": "17/05/1990",
        "id_number": "014190001234",
        "area": world.commune.pk,
        "channel": "in_person",
        "sets": 1,
        "return_method": "desk",
        "documents": [
            str(doc.pk)
            for doc in v.documents.all()
            if not doc.optional and not doc.name.startswith("Tờ khai")
        ],
        "outcome": "receive",
    }
    page = client.get(reverse("dossiers:reception"), {"version": v.pk}).content.decode()
    assert 'id="eform"' in page and 'name="ef-tinh_trang"' in page
    # a wrong day: refused beside the field, everything typed still there
    wrong = {**form, **MARITAL_STATUS_DECLARATION, "ef-ngay_sinh": "31/02/1990"}
    response = client.post(reverse("dossiers:reception"), wrong)
    assert response.status_code == 400 and not Dossier.objects.exists()
    html = response.content.decode()
    assert "dd/mm/yyyy" in html and 'value="31/02/1990"' in html
    assert 'value="Bổ sung hồ sơ xin việc"' in html
    done = client.post(reverse("dossiers:reception"), {**form, **MARITAL_STATUS_DECLARATION})
    assert done.status_code == 302
    d = Dossier.objects.get()
    assert d.declaration["muc_dich"] == "Bổ sung hồ sơ xin việc"
    line = d.documents.get(name__startswith="Tờ khai")  # the typed declaration is that line
    assert line.received and line.content_type == "application/pdf"
    with line.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    pdf = client.get(reverse("dossiers:declaration_pdf", args=[d.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(p.extract_text() for p in reader.pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    for words in ("TỜ KHAI", "Lò Thị Hương", "17/05/1990", "Bổ sung hồ sơ xin việc", "NGƯỜI KHAI"):
        assert words in text, words
    # the next time the same person comes, the desk finds what they declared before
    again = client.post(
        reverse("dossiers:reception"),
        {**{k: v for k, v in form.items() if k != "outcome"}, "outcome": "look_up"},
    ).content.decode()
    assert 'value="Bổ sung hồ sơ xin việc"' in again


def test_a_commune_in_a_declaration_is_one_in_force_on_the_day_and_reads_as_an_address():
    import datetime as dt

    from cchc.organizations.models import AdministrativeArea

    form = ProcedureVersion.objects.in_force_at().get(procedure__code="1.004222").declaration
    today = timezone.localdate()
    current = AdministrativeArea.objects.on(today).filter(level="commune").first()
    gone = (
        AdministrativeArea.objects.filter(level="commune", valid_to__lt=dt.date(2025, 7, 1))
        .exclude(code__in=AdministrativeArea.objects.on(today).values("code"))
        .first()
    )
    assert current is not None and gone is not None
    assert "xa_phuong" not in eforms.errors(form, {"xa_phuong": current.code})
    message = eforms.errors(form, {"xa_phuong": gone.code})["xa_phuong"]
    assert gone.code in message and "đang hoạt động" in message
    # on a day it still existed, the old commune is accepted
    assert "xa_phuong" not in eforms.errors(
        form, {"xa_phuong": gone.code}, day=gone.valid_to - dt.timedelta(days=1)
    )
    shown = eforms.readable(form, {"xa_phuong": current.code})
    text = next(r["text"] for s in shown for r in s["rows"] if r.get("kind") == "commune")
    assert text.startswith(current.name) and "Tỉnh" in text


def test_parents_residence_ethnicity_and_nationality_are_asked_only_without_an_id():
    """Circular 04/2024's footnote (2): residence (and ethnicity, nationality) only for a
    person whose ID number is not given; nothing of a parent who is not named."""
    form = birth_form()
    base = {"ho_ten": "Lò Thị Mai"}
    assert not {"me_dan_toc", "me_noi_cu_tru"} & set(eforms.errors(form, base))  # no mother
    named = {**base, "me_ho_ten": "Cà Thị Lan", "me_nam_sinh": 1997}
    found = eforms.errors(form, named)
    assert {"me_dan_toc", "me_quoc_tich", "me_noi_cu_tru"} <= set(found)
    assert found["me_noi_cu_tru"] == "Cần nhập “Nơi cư trú của người mẹ”."
    with_id = {**named, "me_so_dinh_danh": "014197001234"}
    assert not {"me_dan_toc", "me_quoc_tich", "me_noi_cu_tru"} & set(eforms.errors(form, with_id))
    assert "cha_noi_cu_tru" not in eforms.errors(form, named)  # the father is not named
