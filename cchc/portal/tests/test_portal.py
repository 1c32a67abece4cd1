"""The public portal: find, submit online, follow, rate, speak up — as citizens and businesses."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cchc.accounts.models import AccountKind, User
from cchc.dossiers import services as ds
from cchc.dossiers.constants import Channel, Status
from cchc.dossiers.inbox import desk_queue
from cchc.dossiers.models import Dossier, Notification
from cchc.dossiers.testing import PDF_BYTES, VN, at, version, walk_to_result
from cchc.integrations import outbox
from cchc.portal import services as ps
from cchc.portal.models import Feedback, OnlineDraft, Rating

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-Dan-2026"
# the public statistics page: session, the rollups' date, one GROUP BY, the apologies
STATISTICS_QUERIES = 5


def all_scores(value, **overrides):
    """A rating form with every active criterion answered (`overrides`: code → score)."""
    from cchc.portal.models import RatingCriterion

    return {
        f"score-{c.code}": str(overrides.get(c.code.replace("-", "_"), value))
        for c in RatingCriterion.objects.filter(active=True)
    }


def register(client, **values):
    data = {
        "kind": "citizen",
        "full_name": "Lò Thị Hương",
        "id_number": "014190001234",
        "contact": "huong@example.org",
        "password": PASSWORD,
    }
    data.update(values)
    return client.post(reverse("portal:register"), data)


def verification_code(user):
    body = Notification.objects.filter(user=user).order_by("-pk").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def verified_citizen(client, **values):
    register(client, **values)
    user = User.objects.get(username=values.get("contact", "huong@example.org"))
    client.post(reverse("portal:verify"), {"code": verification_code(user)})
    user.refresh_from_db()
    assert user.verified_at is not None
    return user


def test_catalog_search_ignores_diacritics_and_procedure_page_is_complete(client):
    response = client.get(reverse("portal:catalog"), {"q": "xac nhan tinh trang hon nhan"})
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in response.content.decode()
    page = client.get(reverse("portal:procedure", args=["1.004873"])).content.decode()
    for part in (
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "Thời hạn giải quyết",
        "Nộp hồ sơ ở đâu",
        "Phản ánh, khiếu nại",
        "3 ngày làm việc",
    ):
        assert part in page
    assert client.get(reverse("portal:procedure", args=["9.999999"])).status_code == 404


def test_catalog_browses_by_life_situation_level_and_field(client):
    from cchc.portal.models import LifeEvent

    event = LifeEvent.objects.get(name="Kết hôn")
    html = client.get(reverse("portal:catalog"), {"event": event.pk}).content.decode()
    assert "Đăng ký kết hôn" in html and "Đăng ký khai tử" not in html
    html = client.get(reverse("portal:catalog"), {"level": "province"}).content.decode()
    assert "Đăng ký kết hôn" not in html


def test_visitor_at_the_root_lands_on_the_portal(client):
    assert client.get("/")["Location"] == reverse("portal:home")


def test_registration_errors_keep_what_was_typed_and_the_code_verifies(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = register(client, id_number="123")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in html
    assert 'value="Lò Thị Hương"' in html and 'value="huong@example.org"' in html
    register(client)
    user = User.objects.get(username="huong@example.org")
    assert user.kind == AccountKind.CITIZEN and user.password.startswith("argon2")
    assert user.verified_at is None
    wrong = "000000" if verification_code(user) != "000000" else "111111"
    client.post(reverse("portal:verify"), {"code": wrong})
    user.refresh_from_db()
    assert user.verified_at is None
    client.post(reverse("portal:verify"), {"code": verification_code(user)})
    user.refresh_from_db()
    assert user.verified_at is not None


MARITAL_STATUS_DECLARATION = {
    "ef-yc_ho_ten": "Lò Thị Hương",
    "ef-yc_so_dinh_danh": "014190001234",
    "ef-yc_quan_he": "Bản thân",
    "ef-ho_ten": "Lò Thị Hương",
    "ef-ngay_sinh": "17/05/1990",
    "ef-gioi_tinh": "Nữ",
    "ef-tinh_trang": "Chưa đăng ký kết hôn với ai",
    "ef-muc_dich": "Bổ sung hồ sơ xin việc",
    "ef-cam_doan": "1",
}


def fill_draft(client, world, v, **extra):
    client.get(reverse("portal:apply", args=[v.procedure.code]))
    draft = OnlineDraft.objects.get()
    data = {
        "name": "Lò Thị Hương",
        "birth_date": "17/05/1990",
        "phone": "0912345678",
        "address": "Bản Hẹo",
        "area": world.commune.pk,
        "save": "1",
    }
    if v.procedure.code == "1.004873":  # its declaration (tờ khai XNTTHN), complete
        data.update(MARITAL_STATUS_DECLARATION)
    data.update(extra)
    client.post(reverse("portal:draft", args=[draft.pk]), data)
    return draft


def upload_all(client, draft):
    files = {
        f"file-{doc.pk}": SimpleUploadedFile(f"giấy tờ {i}.pdf", PDF_BYTES)
        for i, doc in enumerate(draft.version.documents.all())
    }
    client.post(reverse("portal:draft", args=[draft.pk]), {"save": "1", **files})


def test_citizen_goes_from_search_to_a_returned_rated_dossier_online(client, world):
    """R-ONLINE, R-CHECK 2 online, R-RATING: the whole journey, a supplement round included."""
    user = verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v, **{"ef-muc_dich": ""})
    page = client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert "Tờ khai: Cần nhập" in page  # the check before submitting
    assert "Khai trực tuyến ở mục tờ khai phía trên" in page  # no upload of the declaration
    response = client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    assert not Dossier.objects.exists()
    client.post(
        reverse("portal:draft", args=[draft.pk]), {**MARITAL_STATUS_DECLARATION, "save": "1"}
    )
    upload_all(client, draft)
    draft.refresh_from_db()
    assert draft.desk == world.commune_desk
    response = client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"}, follow=True)
    d = Dossier.objects.get()
    assert d.channel == Channel.ONLINE and d.status == Status.SUBMITTED
    assert d.submission_code.startswith("DVC-") and d.submission_code in response.content.decode()
    assert d.applicant_user == user and d.lookup_secret
    assert d in desk_queue(world.receptionist)
    # confirmed at once, before any desk looks at it
    confirmation = Notification.objects.get(
        dossier=d, dedupe_key=f"submitted:{d.pk}", channel="email"
    )
    assert d.submission_code in confirmation.body and "đã nhận hồ sơ" in confirmation.body
    # the applicant sees what they sent, and can open it again
    page = client.get(reverse("portal:my_dossier", args=[d.pk])).content.decode()
    sent = d.documents.exclude(file="").first()
    assert "Giấy tờ đã nộp" in page and sent.file_name in page
    opened = client.get(reverse("portal:my_document", args=[d.pk, sent.pk]))
    assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"
    doc = v.documents.first()
    ds.request_completion(
        d,
        items=[ds.SupplementItem(doc.pk, "Ảnh mờ")],
        reason="Bản quét mờ",
        actor=world.receptionist,
    )
    page = client.get(reverse("portal:my_dossier", args=[d.pk])).content.decode()
    assert "Bản quét mờ" in page and "Ảnh mờ" in page
    client.post(
        reverse("portal:my_action", args=[d.pk, "supplement"]),
        {f"file-{doc.pk}": SimpleUploadedFile("tờ khai rõ.pdf", PDF_BYTES)},
    )
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED
    d = walk_to_result(world, ds.receive(d, actor=world.receptionist))
    d = ds.notify_early(d, actor=world.receptionist)
    d = ds.sign_result(d, actor=world.leader)  # the leader signs; then it goes electronically
    d = ds.return_result(d, actor=world.receptionist, method="electronic")
    page = client.get(reverse("portal:my_dossier", args=[d.pk])).content.decode()
    assert "Đã trả kết quả" in page and "Giấy tiếp nhận" in page
    scores = all_scores(2)
    client.post(reverse("portal:my_action", args=[d.pk, "rate"]), {**scores, "comment": "Tốt"})
    rating = Rating.objects.get(dossier=d)
    assert rating.satisfied and rating.channel == "portal"
    client.force_login(world.receptionist)
    staff_page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "Đánh giá của người nộp" in staff_page and "Tốt" in staff_page
    client.force_login(user)
    client.post(reverse("portal:my_action", args=[d.pk, "rate"]), {**scores})
    assert Rating.objects.count() == 1


def test_business_submits_with_its_tax_code(client, world):
    user = verified_citizen(
        client,
        kind="organisation",
        id_number="",
        tax_code="5500123456",
        representative="Lò Văn Nam",
        full_name="HTX Chè Tà Xùa",
        contact="0912000111",
    )
    assert user.kind == AccountKind.ORGANISATION
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v, name="HTX Chè Tà Xùa")
    upload_all(client, draft)
    client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    d = Dossier.objects.get()
    assert d.applicant_kind == "organisation" and d.tax_code == "5500123456"
    assert d.representative == "Lò Văn Nam"


@pytest.mark.parametrize(
    "name,content",
    [("to-khai.pdf", b"MZ\x90\x00 a renamed executable"), ("anh.png", b"<svg></svg>")],
)
def test_bad_uploads_are_refused_and_nothing_typed_is_lost(client, world, name, content):
    verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    doc = v.documents.first()
    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {"save": "1", "address": "Bản Mới", f"file-{doc.pk}": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert "không phải PDF, JPEG hoặc PNG" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["address"] == "Bản Mới" and draft.data["name"] == "Lò Thị Hương"
    assert not draft.uploads.exists()


def test_oversized_upload_is_refused(client, world, settings):
    settings.CCHC_SCAN_MAX_BYTES = 1000
    verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    doc = v.documents.first()
    big = SimpleUploadedFile("lớn.pdf", PDF_BYTES + b"0" * 2000)
    response = client.post(
        reverse("portal:draft", args=[draft.pk]), {"save": "1", f"file-{doc.pk}": big}, follow=True
    )
    assert "vượt quá" in response.content.decode()


def test_unverified_account_cannot_submit(client, world):
    register(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    response = client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"}, follow=True)
    assert "Cần xác thực tài khoản" in response.content.decode()
    assert not Dossier.objects.exists()


def test_another_account_sees_nothing_of_my_dossiers(client, world):
    verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    d = Dossier.objects.get()
    form_pk = None
    ds.request_completion(
        d, items=[ds.SupplementItem(v.documents.first().pk)], reason="x", actor=world.receptionist
    )
    form_pk = d.forms.get().pk
    client.logout()
    verified_citizen(client, contact="khac@example.org", id_number="014190009999")
    sent = d.documents.exclude(file="").first()
    for url in (
        reverse("portal:my_dossier", args=[d.pk]),
        reverse("portal:my_document", args=[d.pk, sent.pk]),
        reverse("portal:my_form", args=[d.pk, form_pk]),
        reverse("portal:draft", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("portal:my_action", args=[d.pk, "withdraw"]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert "Lò Thị Hương" not in client.get(reverse("portal:my_dossiers")).content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_COMPLETION


def test_applicant_withdraws_online(client, world):
    verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    client.post(reverse("portal:draft", args=[draft.pk]), {"submit": "1"})
    d = Dossier.objects.get()
    client.post(reverse("portal:my_action", args=[d.pk, "withdraw"]), {"reason": "Không cần nữa"})
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN


def test_lookup_answers_the_same_for_a_wrong_secret_and_an_unknown_code(client, world):
    d = world.received()
    ok = client.get("/tra-cuu/", {"ma": d.code, "mk": d.lookup_secret}).content.decode()
    assert "Đang giải quyết" in ok and "Hồ sơ được tiếp nhận" in ok
    # typed in lower case, as people do: the same code
    typed = {"ma": d.code.lower(), "mk": d.lookup_secret.lower()}
    assert "Hồ sơ được tiếp nhận" in client.get("/tra-cuu/", typed).content.decode()
    assert "Lò Thị Hương" not in ok and "014190001234" not in ok

    def main(response):
        html = re.sub(r'value="[^"]{40,}"', "", response.content.decode())  # CSRF tokens
        return html[html.index("<main") : html.index("</main>")]

    wrong = main(client.get("/tra-cuu/", {"ma": d.code, "mk": "AAAAAAAA"}))
    unknown = main(client.get("/tra-cuu/", {"ma": "KHONG-CO", "mk": "AAAAAAAA"}))
    assert wrong.replace(d.code, "KHONG-CO") == unknown


LOOKUP_QUERIES = 3  # the failed-attempts counter, the dossier (with `rated`), its history


def test_a_returned_dossier_s_lookup_offers_the_rating_once_in_a_fixed_number_of_queries(
    client, world
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = walk_to_result(world, world.received(), at("2026-11-24 09:00"))
    d = ds.sign_result(d, actor=world.leader)
    d = ds.return_result(d, actor=world.receptionist, method="electronic")
    asked = {"ma": d.code, "mk": d.lookup_secret}
    client.get("/tra-cuu/", asked)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/tra-cuu/", asked).content.decode()
    assert "Đã trả kết quả" in page and 'id="result-file"' in page
    # the catalog has no result document for it: the page says how it was returned instead
    box = page[page.index('id="result"') :][:400]
    assert "Đã trả kết quả lúc" in box, box
    assert "Đánh giá mức độ hài lòng" in page
    assert "/" in page[page.index('id="history"') :]  # dd/mm/yyyy moments in the history
    assert len(ctx) <= LOOKUP_QUERIES, [q["sql"][:90] for q in ctx.captured_queries]
    scores = {k.removeprefix("score-"): int(v) for k, v in all_scores(2).items()}
    ps.rate(d, scores=scores, comment="", channel="link")
    assert "Đánh giá mức độ hài lòng" not in client.get("/tra-cuu/", asked).content.decode()


def test_lookup_cannot_be_used_to_enumerate_dossiers(client, world, settings):
    settings.CCHC_LOOKUP_LIMIT = 5
    d = world.received()
    for n in range(5):
        assert client.get("/tra-cuu/", {"ma": d.code, "mk": f"GUESS{n:03d}"}).status_code == 200
    blocked = client.get("/tra-cuu/", {"ma": d.code, "mk": d.lookup_secret})
    assert blocked.status_code == 429
    assert "Đang giải quyết" not in blocked.content.decode()


def test_kiosk_at_the_counter_rates_the_dossier_just_returned(client, world):
    from cchc.organizations.models import Counter

    counter = Counter.objects.create(desk=world.commune_desk, number=1)
    client.force_login(world.leader)  # the commune's chairman binds the counter's tablet
    client.post(reverse("portal:kiosk_setup"), {"counter": counter.pk, "name": "Quầy 1"})
    assert "mời ông/bà đánh giá" in client.get(reverse("portal:kiosk")).content.decode()
    d = walk_to_result(world, world.received())
    d = ds.notify_early(d, actor=world.receptionist)
    d = ds.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương")
    page = client.get(reverse("portal:kiosk")).content.decode()
    assert d.code in page
    scores = all_scores(2, thai_do=0)  # staff attitude rated "dissatisfied"
    client.post(reverse("portal:kiosk"), scores)
    rating = Rating.objects.get()
    assert rating.channel == "kiosk" and not rating.satisfied


def test_feedback_gets_a_tracking_code_an_answer_and_is_published_only_with_consent(
    client, world, admin_user
):
    response = client.post(reverse("portal:feedback"), {"topic": "desk", "content": ""})
    assert response.status_code == 400
    client.post(
        reverse("portal:feedback"),
        {
            "topic": "procedure",
            "procedure": "1.004873",
            "name": "Cầm Văn Dân",
            "contact": "0912333444",
            "content": "Thủ tục yêu cầu giấy tờ không có trong danh mục.",
        },
    )
    row = Feedback.objects.get()
    assert row.tracking_code.startswith("PAKN-") and row.procedure.code == "1.004873"
    assert row.due_at > row.received_at
    client.force_login(world.receptionist)  # not theirs to answer: an empty inbox
    inbox = client.get(reverse("portal:feedback_inbox"))
    assert inbox.status_code == 200 and row.tracking_code not in inbox.content.decode()
    client.force_login(admin_user)
    client.post(
        reverse("portal:feedback_answer", args=[row.pk]),
        {"answer": "Đã chấn chỉnh bộ phận một cửa.", "publish": "1"},
    )
    row.refresh_from_db()
    assert row.status == "answered" and not row.published  # no consent given
    client.logout()
    page = client.get(
        reverse("portal:feedback_track"), {"ma": row.tracking_code, "mk": row.secret}
    ).content.decode()
    assert "Đã chấn chỉnh bộ phận một cửa." in page


def test_public_statistics_and_csv_have_no_personal_data(client, world):
    d = world.received()
    late = walk_to_result(world, world.received(moment="2026-11-20 09:00"))  # today: late
    ds.return_result(late, actor=world.receptionist, returned_to=late.applicant_name)
    settled = walk_to_result(
        world, world.received(moment="2026-11-24 09:00"), when=at("2026-11-24 15:00")
    )
    settled = ds.notify_early(settled, actor=world.receptionist, at=at("2026-11-24 15:30"))
    settled = ds.return_result(
        settled,
        actor=world.receptionist,
        returned_to=settled.applicant_name,
        at=at("2026-11-24 16:00"),
    )
    scores = {k.removeprefix("score-"): int(v) for k, v in all_scores(2).items()}
    ps.rate(settled, scores=scores, comment="", channel="portal")
    with time_machine.travel(at("2026-12-07 00:30"), tick=False):
        empty = client.get(reverse("portal:statistics")).content.decode()
        assert "Số liệu đang được tổng hợp" in empty  # rollups never built: no live scan
        call_command("rebuild_rollups", stdout=io.StringIO())
        page = client.get(reverse("portal:statistics")).content.decode()
        assert world.commune_pc.name in page and "Số liệu tổng hợp lúc" in page
        csv_text = client.get(reverse("portal:statistics"), {"format": "csv"}).content.decode(
            "utf-8-sig"
        )
    lines = csv_text.splitlines()
    assert lines[0].startswith("Đơn vị,Tiếp nhận trong năm")
    # three received in the year, none in December; two settled, one early or on time (50%);
    # one rating, satisfied
    assert f"{world.commune_pc.name},3,0,2,50.0,100.0" in lines
    assert d.applicant_name not in csv_text and d.id_number not in csv_text and d.phone not in page


def test_public_statistics_read_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for day in ("2026-11-23 09:00", "2026-11-24 09:00", "2026-11-25 09:00"):
        world.received(moment=day)
    call_command("rebuild_rollups", stdout=io.StringIO())
    with django_assert_max_num_queries(STATISTICS_QUERIES):
        assert client.get(reverse("portal:statistics")).status_code == 200
    with django_assert_max_num_queries(STATISTICS_QUERIES):
        assert client.get(reverse("portal:statistics"), {"by": "desk"}).status_code == 200


def test_closed_portal_keeps_catalog_and_lookup_but_not_submission(client, world, settings):
    settings.CCHC_PORTAL_OPEN = False
    verified_citizen(client)
    assert client.get(reverse("portal:apply", args=["1.004873"])).status_code == 404
    assert client.get(reverse("portal:catalog")).status_code == 200
    assert client.get("/tra-cuu/").status_code == 200


def test_the_return_notice_carries_a_rating_link_that_works(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    d = walk_to_result(world, world.received())
    d = ds.notify_early(d, actor=world.receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        ds.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương")
    assert not mailoutbox  # the worker sends it, not the request
    outbox.sweep()
    body = mailoutbox[-1].body
    link = re.search(r"(/dich-vu-cong/danh-gia/\?\S+)", body).group(1)
    page = client.get(link).content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    scores = all_scores(2)
    client.post(link, scores)
    assert Rating.objects.get(dossier=d).channel == "link"


def test_select_values_are_plain_numbers_not_localised(client, world):
    """Vietnamese number formatting must not reach form values (1095 is not "1.095")."""
    verified_citizen(client)
    v = version("1.004873", at("2026-11-26 09:00").date())
    draft = fill_draft(client, world, v)
    from cchc.organizations.models import AdministrativeArea

    far = AdministrativeArea.objects.get(pk=world.commune.pk)
    far.pk, far.code, far.reference_key = 123456, "99999", "test:far"
    far.save(force_insert=True)
    draft.area = far
    draft.save()
    html = client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert 'value="123456" selected' in html


def test_feedback_reaches_only_the_leaders_it_concerns(client, world):
    from cchc.portal import services as ps

    about_a = ps.submit_feedback(
        topic="desk",
        desk=world.commune_desk,
        name="Cầm Văn Dân",
        contact="0912333444",
        content="Xếp hàng lâu",
    )
    about_other = ps.submit_feedback(
        topic="desk",
        desk=world.other_receptionist.memberships.get().desk,
        name="Lò Văn B",
        contact="0912",
        content="x",
    )
    world.leader.memberships.create(agency=world.commune_desk.agency, role="agency_leader")
    client.force_login(world.leader)
    inbox = client.get(reverse("portal:feedback_inbox")).content.decode()
    assert about_a.tracking_code in inbox and about_other.tracking_code not in inbox
    assert client.get(reverse("portal:feedback_answer", args=[about_other.pk])).status_code == 404
    client.force_login(world.reform_officer)
    inbox = client.get(reverse("portal:feedback_inbox")).content.decode()
    assert about_a.tracking_code in inbox and about_other.tracking_code in inbox


def test_feedback_about_a_desk_goes_to_its_agency_which_may_forward_it(client, world):
    """PAKN routing: the desk's agency gets it in its inbox (menu entry, due date); its leader
    forwards it with a reason; the receiving agency sees it and the first no longer does."""
    from cchc.core.models import AuditEvent
    from cchc.portal import services as ps

    f = ps.submit_feedback(
        topic="desk",
        desk=world.commune_desk,
        name="Cầm Văn Dân",
        contact="0912333444",
        content="Thu phí xây dựng không có biên lai",
    )
    assert f.agency == world.commune_desk.agency
    world.leader.memberships.create(agency=world.commune_desk.agency, role="agency_leader")
    client.force_login(world.leader)
    home = client.get(reverse("dossiers:inbox")).content.decode()
    assert reverse("portal:feedback_inbox") in home  # the menu entry
    inbox = client.get(reverse("portal:feedback_inbox")).content.decode()
    assert f.tracking_code in inbox and f.due_at.astimezone(VN).strftime("%d/%m/%Y") in inbox
    url = reverse("portal:feedback_answer", args=[f.pk])
    refused = client.post(url, {"do": "forward", "agency": world.department.pk, "reason": ""})
    assert refused.status_code == 200 and "lý do" in refused.content.decode()
    r = client.post(
        url, {"do": "forward", "agency": world.department.pk, "reason": "Thuộc thẩm quyền Sở"}
    )
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.agency == world.department
    event = AuditEvent.objects.get(object_type="portal.feedback", action="feedback.forward")
    assert event.reason == "Thuộc thẩm quyền Sở"
    assert event.changes["agency"] == {
        "before": world.commune_desk.agency.pk,
        "after": world.department.pk,
    }
    client.force_login(world.dept_leader)
    assert f.tracking_code in client.get(reverse("portal:feedback_inbox")).content.decode()
    client.force_login(world.specialist)  # no leader's role: nothing, and no error
    page = client.get(reverse("portal:feedback_inbox"))
    assert page.status_code == 200 and f.tracking_code not in page.content.decode()


def test_feedback_handlers_are_reminded_before_the_due_date_and_alerted_after(world):
    import datetime as dt

    from django.core import mail

    from cchc.portal.reminders import run as run_reminders

    def run(day):  # the daily command, then the worker's pass (mails go through the outbox)
        told = run_reminders(day)
        outbox.sweep()
        return told

    f = ps.submit_feedback(
        topic="desk", desk=world.commune_desk, name="Cầm Văn Dân", contact="0912", content="x"
    )
    world.leader.memberships.create(agency=world.commune_desk.agency, role="agency_leader")
    due = f.due_at.astimezone(VN).date()
    assert run(due - dt.timedelta(days=20)) == 0  # far ahead: nobody is told
    mail.outbox.clear()
    day_before = due - dt.timedelta(days=1)
    while day_before.weekday() >= 5:
        day_before -= dt.timedelta(days=1)
    assert run(day_before) == 1 and mail.outbox[0].to == [world.leader.email]
    assert run(day_before) == 0  # once per person and occasion
    late = run(due + dt.timedelta(days=3))
    assert late == 2  # the leader and the reform office
    assert {m.to[0] for m in mail.outbox[1:]} == {world.leader.email, world.reform_officer.email}


def test_feedback_about_a_commune_center_reaches_the_commune_chairman(client, world):
    """The commune Center answers to the commune People's Committee: its chairman sees and
    may forward what was sent to the Center."""
    from cchc.portal import services as ps

    center = world.commune_desk.agency
    if center.parent_id != world.commune_pc.pk:
        type(center).objects.filter(pk=center.pk).update(parent=world.commune_pc)
        center.refresh_from_db()
    f = ps.submit_feedback(
        topic="desk", desk=world.commune_desk, name="Cầm Văn Dân", contact="0912", content="x"
    )
    assert f.agency == center
    client.force_login(world.leader)  # the commune chairman, not a member of the Center
    assert f.tracking_code in client.get(reverse("portal:feedback_inbox")).content.decode()
    assert ps.may_route_feedback(world.leader, f)
