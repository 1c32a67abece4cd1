"""The applicant's document store (R-DIGITISE, R-REUSE): signed results and desk scans are kept
for their owner; a later dossier takes a stored document instead of a new copy, checked when
taken (the signature validated, the fingerprint compared) and shown verified to the officer;
nobody takes or sees another person's documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cchc.accounts.models import AccountKind, ExternalIdentity, User
from cchc.dossiers import constants as c
from cchc.dossiers import services as s
from cchc.dossiers.models import Dossier, StoredDocument
from cchc.dossiers.testing import PDF_BYTES, at, version, walk_to_result
from cchc.portal.models import OnlineDraft
from cchc.procedures.models import ProcedureVersion, RequiredDocument

pytestmark = pytest.mark.django_db

PAPER = "Giấy xác nhận tình trạng hôn nhân"


def huong():
    """The world's applicant with a verified account under the same ID number."""
    return User.objects.create_user(
        "huong@example.org",
        password="x",
        kind=AccountKind.CITIZEN,
        verified_at=timezone.now(),
        full_name="Lò Thị Hương",
        id_number="014190001234",
    )


def signed_status_certificate(world, **kw):
    """A granted, signed certificate of marital status (1.004873) for the world's applicant."""
    d = world.received(moment="2026-11-23 09:00", **kw)
    d = walk_to_result(world, d, at("2026-11-24 10:00"))
    return s.sign_result(d, actor=world.leader, at=at("2026-11-24 11:00"))


def marriage_documents(world, stored: StoredDocument | None, *, day: str = "2026-12-01"):
    """The marriage registration's components (1.000894): the declaration scanned, the
    certificate of marital status taken from the store (or handed in on paper)."""
    v = version("1.000894", dt.date.fromisoformat(day))
    docs = []
    for doc in v.documents.all():
        taken = stored is not None and doc.reusable
        docs.append(
            s.DocumentInput(
                doc.name,
                doc.pk,
                doc.originals,
                doc.copies,
                True,
                stored_id=stored.pk if taken else None,
            )
        )
    return v, docs


def start_marriage(world, stored, **kw):
    v, docs = marriage_documents(world, stored)
    return s.start_dossier(
        version=v,
        desk=world.commune_desk,
        applicant=world.applicant(**kw),
        channel=c.Channel.IN_PERSON,
        documents=docs,
        actor=world.receptionist,
        at=at("2026-12-01 09:00"),
    )


def test_the_catalog_marks_issued_papers_reusable(world):
    v = version("1.000894", dt.date(2026, 12, 1))
    reusable = [d.name for d in v.documents.all() if d.reusable]
    assert reusable and all("xác nhận tình trạng hôn nhân" in n for n in reusable)
    assert not any(d.reusable for d in v.documents.all() if d.name.startswith("Tờ khai"))


def test_a_signed_result_and_the_desk_scans_go_to_the_owners_store(world):
    d = signed_status_certificate(world)
    kept = StoredDocument.objects.filter(source_dossier=d)
    result = kept.get(kind=c.StoredKind.RESULT)
    assert result.owner_number == "014190001234" and result.number == d.result_number
    assert result.file.name == d.result_file.name and result.sha256 == d.result_sha256
    assert result.agency == d.competent_agency and result.valid_until is None
    assert result.name == PAPER  # the paper, not the procedure's "Cấp …"
    digitised = kept.get(kind=c.StoredKind.DIGITISED)  # the scanned declaration
    assert digitised.source_document.dossier_id == d.pk
    assert digitised.agency_id == d.receiving_agency_id

    from cchc.core.models import AuditEvent

    kept = {  # each kept document is in the audit event of the action that kept it
        (e.action, r["after"])
        for e in AuditEvent.objects.filter(object_id=str(d.pk), object_type="dossiers.dossier")
        for r in e.changes.get("rows", [])
        if r["field"] == "kept_in_store"
    }
    assert ("dossier.sign_result", f"{PAPER} {d.result_number}") in kept
    assert ("dossier.receive", digitised.name) in kept
    online = world.received(moment="2026-11-25 09:00", channel=c.Channel.ONLINE)
    assert not StoredDocument.objects.filter(source_dossier=online).exists()  # own uploads


def test_a_result_valid_for_six_months_and_refusals_are_not_stored(world):
    d = world.received(moment="2026-11-23 09:00")
    d = walk_to_result(world, d, at("2026-11-24 10:00"))
    until = dt.date(2027, 5, 24)
    with pytest.raises(s.ServiceError):
        s.sign_result(
            d, actor=world.leader, at=at("2026-11-24 11:00"), valid_until=dt.date(2026, 1, 1)
        )
    d = s.sign_result(d, actor=world.leader, at=at("2026-11-24 11:00"), valid_until=until)
    assert StoredDocument.objects.get(source_dossier=d, kind="result").valid_until == until

    refused = world.received(moment="2026-11-25 09:00")
    refused = s.declare_ineligible(refused, actor=world.leader, reason="Không đủ điều kiện")
    with pytest.raises(s.ServiceError):
        s.sign_result(refused, actor=world.leader)
    assert not StoredDocument.objects.filter(source_dossier=refused, kind="result").exists()


def test_a_later_dossier_takes_the_stored_result_checked(world, client):
    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    marriage = start_marriage(world, stored)
    line = marriage.documents.get(reused_from=stored)
    assert line.received and line.file.name == stored.file.name
    from cchc.core.models import AuditEvent

    created = AuditEvent.objects.get(object_id=str(marriage.pk), action="dossier.create")
    assert created.changes["reused"] == [stored.pk]
    assert "Chữ ký số hợp lệ" in line.reuse_check
    client.force_login(world.receptionist)
    page = client.get(f"/ho-so/{marriage.pk}/").content.decode()
    assert "Từ kho dữ liệu, đã xác thực" in page and "Chữ ký số hợp lệ" in page
    response = client.get(f"/ho-so/{marriage.pk}/giay-to/{line.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response.close()


def test_what_may_not_be_taken_is_refused_with_a_reason(world):
    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    # another person's document
    with pytest.raises(s.ServiceError) as caught:
        start_marriage(world, stored, id_number="014190009999", name="Người khác")
    assert "không có trong kho" in caught.value.message
    # a component not marked reusable
    v, docs = marriage_documents(world, None)
    declaration = next(doc for doc in docs if doc.name.startswith("Tờ khai"))
    declaration.stored_id = stored.pk
    with pytest.raises(s.ServiceError) as caught:
        s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(),
            channel=c.Channel.IN_PERSON,
            documents=docs,
            actor=world.receptionist,
            at=at("2026-12-01 09:00"),
        )
    assert "không được thay" in caught.value.message
    # expired
    StoredDocument.objects.filter(pk=stored.pk).update(valid_until=dt.date(2026, 11, 30))
    with pytest.raises(s.ServiceError) as caught:
        start_marriage(world, stored)
    assert "hết hiệu lực ngày 30/11/2026" in caught.value.message
    # altered on disk: the check fails and says why
    StoredDocument.objects.filter(pk=stored.pk).update(valid_until=None)
    with stored.file.open("rb") as handle:
        data = bytearray(handle.read())
    data[len(data) // 3] ^= 1
    name = stored.file.name
    stored.file.storage.delete(name)
    stored.file.storage.save(name, ContentFile(bytes(data)))
    with pytest.raises(s.ServiceError) as caught:
        start_marriage(world, stored)
    assert "thay đổi" in caught.value.message
    assert not Dossier.objects.filter(procedure__code="1.000894").exists()  # nothing half-made


def test_the_desk_offers_the_store_and_keeps_what_was_typed(world, client):
    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    v = version("1.000894", timezone.localdate())
    client.force_login(world.receptionist)
    reusable = v.documents.get(reusable=True)
    form = {
        "version": v.pk,
        "desk": world.commune_desk.pk,
        "applicant_kind": "citizen",
        "name": "Lò Thị Hương",
        "id_number": "014190001234",
        "area": world.commune.pk,
        "channel": "in_person",
        "sets": 1,
        "return_method": "desk",
        "documents": [str(doc.pk) for doc in v.documents.all() if not doc.reusable],
    }
    unfinished = {k: v for k, v in form.items() if k != "area"}  # the commune not chosen yet
    page = client.post("/ho-so/tiep-nhan/", {**unfinished, "outcome": "look_up"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="stored-{reusable.pk}"' in html and stored.number in html
    assert 'value="Lò Thị Hương"' in html  # nothing typed is lost
    assert "Trường này là bắt buộc" not in html  # looking up is not submitting
    done = client.post("/ho-so/tiep-nhan/", {**form, f"stored-{reusable.pk}": stored.pk})
    assert done.status_code == 302, done.content.decode()[:2000]
    marriage = Dossier.objects.get(procedure__code="1.000894")
    assert marriage.documents.get(required_document=reusable).reused_from == stored


def test_the_citizen_picks_a_stored_document_online_and_sees_only_their_store(world, client):
    citizen = huong()
    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    client.force_login(citizen)
    # desk dossiers are held under the ID number: shown once the account is linked to VNeID
    assert stored.number not in client.get("/dich-vu-cong/kho-du-lieu/").content.decode()
    assert client.get(f"/dich-vu-cong/kho-du-lieu/{stored.pk}/").status_code == 404
    ExternalIdentity.objects.create(user=citizen, provider="vneid", subject="014190001234")
    page = client.get("/dich-vu-cong/kho-du-lieu/").content.decode()
    assert stored.number in page and "Không thời hạn" in page
    assert client.get(f"/dich-vu-cong/kho-du-lieu/{stored.pk}/").status_code == 200

    # an impostor with the same ID number typed in, but no VNeID link, sees nothing
    impostor = User.objects.create_user(
        "gia@example.org",
        password="x",
        kind=AccountKind.CITIZEN,
        verified_at=timezone.now(),
        id_number="014190001234",
    )
    client.force_login(impostor)
    assert client.get(f"/dich-vu-cong/kho-du-lieu/{stored.pk}/").status_code == 404
    assert stored.number not in client.get("/dich-vu-cong/kho-du-lieu/").content.decode()


def test_reuse_and_signed_results_count_in_the_766_indicators(world):
    from cchc.reports import periods
    from cchc.reports.service_index import compute

    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    marriage = start_marriage(world, stored)
    s.receive(marriage, actor=world.receptionist, at=at("2026-12-01 09:05"))
    paper = start_marriage(world, None, id_number="014190005555", name="Cầm Văn Ba")
    s.receive(paper, actor=world.receptionist, at=at("2026-12-01 09:10"))
    december = compute(periods.month(2026, 12), Dossier.objects.all(), by_agency=False)[None]
    reused = december.measures["reused"]
    assert (reused.numerator, reused.denominator) == (1, 2) and reused.points is not None
    november = compute(periods.month(2026, 11), Dossier.objects.all(), by_agency=False)[None]
    assert november.measures["reused"].points is None  # no procedure with reusable papers
    # the certificate was signed but not yet returned in November: nothing to count
    assert november.measures["electronic_result"].denominator in (0, None)
    assert RequiredDocument.objects.filter(reusable=True).exists()


def test_an_online_application_takes_the_stored_result_instead_of_an_upload(world, client):
    citizen = huong()
    ExternalIdentity.objects.create(user=citizen, provider="vneid", subject="014190001234")
    d = signed_status_certificate(world)
    stored = StoredDocument.objects.get(source_dossier=d, kind="result")
    v = version("1.000894", timezone.localdate())
    ProcedureVersion.objects.filter(pk=v.pk).update(declaration={})  # the e-form is not tested here
    client.force_login(citizen)
    client.get(f"/dich-vu-cong/thu-tuc/{v.procedure.code}/nop-truc-tuyen/")
    draft = OnlineDraft.objects.get(user=citizen)
    url = f"/dich-vu-cong/ho-so-dang-soan/{draft.pk}/"
    reusable = v.documents.get(reusable=True)
    files = {
        f"file-{doc.pk}": SimpleUploadedFile("to-khai.pdf", PDF_BYTES)
        for doc in v.documents.all()
        if not doc.reusable and not doc.present_only
    }
    client.post(url, {"name": "Lò Thị Hương", "area": world.commune.pk, "save": "1", **files})
    page = client.get(url).content.decode()
    assert f'name="stored-{reusable.pk}"' in page and stored.number in page
    assert f"Chưa đính kèm: {reusable.name}" in page
    client.post(url, {"save": "1", f"stored-{reusable.pk}": stored.pk})
    page = client.get(url).content.decode()
    assert f"Chưa đính kèm: {reusable.name}" not in page
    client.post(url, {"submit": "1"})
    dossier = Dossier.objects.get(applicant_user=citizen)
    line = dossier.documents.get(required_document=reusable)
    assert line.reused_from == stored and "Chữ ký số hợp lệ" in line.reuse_check
    # someone else's stored document cannot be slipped into a draft
    other = StoredDocument.objects.get(source_dossier=d, kind="digitised")
    StoredDocument.objects.filter(pk=other.pk).update(owner_number="014190009999")
    client.get(f"/dich-vu-cong/thu-tuc/{v.procedure.code}/nop-truc-tuyen/")
    draft = OnlineDraft.objects.filter(user=citizen, status="draft").get()
    client.post(
        f"/dich-vu-cong/ho-so-dang-soan/{draft.pk}/",
        {"save": "1", f"stored-{reusable.pk}": other.pk},
    )
    draft.refresh_from_db()
    assert draft.data.get("reuse", {}) == {}


def test_erasure_unlinks_the_account_from_its_store_and_the_records_stay(world):
    from cchc.portal.services import erase_account

    citizen = huong()
    d = signed_status_certificate(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
    StoredDocument.objects.filter(source_dossier=d).update(owner_user=citizen)
    erase_account(citizen, actor=citizen)
    rows = StoredDocument.objects.filter(source_dossier=d)
    assert rows.count() == 2 and not rows.filter(owner_user__isnull=False).exists()


def test_the_store_through_the_api_is_the_callers_own_or_the_desks_lookup(world, client):
    citizen = huong()
    d = signed_status_certificate(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
    StoredDocument.objects.filter(source_dossier=d).update(owner_user=citizen)
    client.force_login(citizen)
    mine = client.get("/api/v1/store").json()
    assert {row["kind"] for row in mine} == {"result", "digitised"}
    result = next(row for row in mine if row["kind"] == "result")
    assert result["number"] == d.result_number and result["source_dossier"] == d.code
    refused = client.get("/api/v1/store", {"owner": "014190001234"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    client.force_login(world.receptionist)
    assert len(client.get("/api/v1/store", {"owner": "014190001234"}).json()) == 2
    assert client.get("/api/v1/store").json() == []  # an officer has no store of their own
    assert client.get("/api/v1/store", {"owner": "x' OR 1=1"}).status_code in (400, 422)
