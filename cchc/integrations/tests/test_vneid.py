"""VNeID sign-in (issue 18): OpenID Connect against the local provider — a new citizen gets a
verified account, a returning one lands in the same account, a password account links its
identity from the portal, the level is kept and required where a procedure asks for level 2,
and every failure (cancel, level too low, forged return, provider down) says why in
Vietnamese without a 500 and without joining two people's records."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from cchc.accounts.models import AccountKind, ExternalIdentity, User
from cchc.core.models import AuditEvent
from cchc.integrations.vneid import Refused, identity_from, level_of

pytestmark = pytest.mark.django_db


def start(client: Client, *, level: str = "", next_url: str = "/dich-vu-cong/ho-so-cua-toi/"):
    """The portal's "Đăng nhập bằng VNeID" button, then the provider's page."""
    query = f"next={next_url}" + (f"&muc={level}" if level else "")
    response = client.get(f"/tich-hop/vneid/dang-nhap/?{query}")
    assert response.status_code == 302
    provider = urlsplit(response["Location"])
    assert provider.path == "/mo-phong/vneid/oauth2/authorize"
    params = {k: v[0] for k, v in parse_qs(provider.query).items()}
    page = client.get(provider.path, params)
    assert page.status_code == 200
    return provider.path, params, page


MINE = "/dich-vu-cong/ho-so-cua-toi/"


def choose(client: Client, persona: str, *, level: str = "", next_url: str = MINE):
    path, params, _page = start(client, level=level, next_url=next_url)
    back = client.post(path, {**params, "persona": persona})
    assert back.status_code == 302
    ret = urlsplit(back["Location"])
    assert ret.path == "/tich-hop/vneid/ve/"
    return client.get(f"{ret.path}?{ret.query}", follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_new_citizen_signs_in_and_gets_a_verified_account_at_level_2(simulators, client):
    response = choose(client, "hoa")
    assert response.redirect_chain[-1][0] == "/dich-vu-cong/ho-so-cua-toi/"
    assert "Đã đăng nhập bằng tài khoản định danh điện tử VNeID (mức 2)" in messages_of(response)
    user = User.objects.get(id_number="014190000003")
    assert user.kind == AccountKind.CITIZEN and user.verified_at is not None
    assert user.full_name == "Quàng Thị Hoa (mô phỏng)" and not user.has_usable_password()
    link = user.external_identities.get()
    assert (link.provider, link.subject, link.level) == ("vneid", "MP-VNEID-0003", 2)
    actions = set(
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"account.create_by_vneid", "account.link_vneid"} <= actions
    # the same person again: the same account, not a second one
    client.logout()
    choose(client, "hoa")
    assert User.objects.filter(id_number="014190000003").count() == 1
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_business_signs_in_as_an_organisation(simulators, client):
    choose(client, "doanh-nghiep")
    user = User.objects.get(tax_code="5500000004")
    assert user.kind == AccountKind.ORGANISATION
    assert user.full_name == "Công ty TNHH Nông sản Mộc Châu (mô phỏng)" and user.id_number == ""


def test_an_existing_password_account_is_not_taken_over_but_linked_by_its_holder(
    simulators, client
):
    holder = User.objects.create_user(
        "dan@example.org",
        password="mat-khau-dai-1",
        kind=AccountKind.CITIZEN,
        id_number="014190000001",
        verified_at=timezone.now(),
    )
    response = choose(client, "dan")
    # whoever holds the VNeID identity does not silently get the password account
    assert "_auth_user_id" not in client.session
    assert "đăng nhập bằng mật khẩu" in messages_of(response)
    assert not ExternalIdentity.objects.exists()
    # the holder signs in with the password and links from the portal
    client.force_login(holder)
    response = choose(client, "dan")
    assert "Đã liên kết tài khoản VNeID (mức 2)" in messages_of(response)
    assert holder.external_identities.get().level == 2
    assert User.objects.filter(id_number="014190000001").count() == 1


def test_linking_someone_elses_identity_is_refused(simulators, client):
    other = User.objects.create_user(
        "khac@example.org", password="x", kind=AccountKind.CITIZEN, id_number="001099000009"
    )
    client.force_login(other)
    response = choose(client, "hoa")
    assert "không khớp" in messages_of(response)
    assert not ExternalIdentity.objects.exists()
    assert int(client.session["_auth_user_id"]) == other.pk  # still signed in as themself


def test_level_2_asked_and_the_identity_has_level_1_only(simulators, client):
    path, params, page = start(client, level="2")
    assert params["acr_values"] == "LoA2"
    assert "mức 2" in page.content.decode()
    back = client.post(path, {**params, "persona": "minh"})
    response = client.get(back["Location"].replace("http://testserver", ""), follow=True)
    assert "chưa đạt mức định danh" in messages_of(response)
    assert (
        "_auth_user_id" not in client.session
        and not User.objects.filter(id_number="014090000002").exists()
    )


def test_cancelled_on_the_provider(simulators, client):
    response = choose(client, "")
    assert "đã hủy đăng nhập" in messages_of(response)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_forged_or_replayed_return_is_refused_without_a_500(simulators, client):
    path, params, _page = start(client)
    back = urlsplit(client.post(path, {**params, "persona": "hoa"})["Location"])
    # a code for this state, but the state is not this browser's
    stranger = Client()
    response = stranger.get(f"{back.path}?{back.query}", follow=True)
    assert response.status_code == 200 and "hết hạn" in messages_of(response)
    # the right browser with a tampered code
    forged = back.query.replace("code=", "code=x")
    response = client.get(f"{back.path}?{forged}", follow=True)
    assert response.status_code == 200 and "Không xác thực được với VNeID" in messages_of(response)
    # and the real code once more, after the state was spent
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not User.objects.filter(id_number="014190000003").exists()


def test_an_id_token_for_another_client_is_refused(simulators, client, monkeypatch):
    import jwt

    path, params, _page = start(client)
    back = urlsplit(client.post(path, {**params, "persona": "hoa"})["Location"])
    real = jwt.encode
    # a token the provider issued to another service, replayed here
    monkeypatch.setattr(
        jwt, "encode", lambda payload, *a, **kw: real({**payload, "aud": "khac"}, *a, **kw)
    )
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert "Không xác thực được" in messages_of(response)
    assert not User.objects.filter(id_number="014190000003").exists()


def test_the_provider_down_says_so(simulators, client, monkeypatch):
    path, params, _page = start(client)
    back = urlsplit(client.post(path, {**params, "persona": "hoa"})["Location"])

    def down(*_a, **_kw):
        import requests

        raise requests.ConnectionError("refused")

    from mozilla_django_oidc import auth as oidc_auth

    monkeypatch.setattr(oidc_auth.requests, "post", down)
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert response.status_code == 200 and "thử lại sau" in messages_of(response)


def test_the_portal_sign_in_page_offers_vneid(client):
    page = client.get("/dang-nhap/?next=/dich-vu-cong/")
    assert 'id="vneid-login"' in page.content.decode()
    staff = client.get("/dang-nhap/")
    assert 'id="vneid-login"' not in staff.content.decode()  # officials use their accounts


@pytest.mark.parametrize(
    ("claims", "level"),
    [
        ({"IAL": "2"}, 2),
        ({"IAL": "IAL1"}, 1),
        ({"loAs": ["LoA1", "LoA2"]}, 2),
        ({"acr": "LoA1"}, 1),
        ({}, 0),
    ],
)
def test_the_level_read_from_the_claims(claims, level):
    assert level_of(claims) == level


def test_claims_missing_what_identifies_a_person_are_refused():
    with pytest.raises(Refused) as refused:
        identity_from({"sub": "x", "LoaiTaiKhoan": "1"})
    assert refused.value.code == "no_id_number"
    with pytest.raises(Refused) as refused:
        identity_from({"sub": "x", "LoaiTaiKhoan": "2", "SoDinhDanh": "001"})
    assert refused.value.code == "no_tax_code"


def test_a_procedure_asking_for_level_2_is_filed_only_after_a_level_2_sign_in(
    simulators, client, world
):
    from cchc.dossiers.models import Dossier
    from cchc.dossiers.testing import at, version
    from cchc.portal.tests.test_portal import fill_draft, upload_all

    v = version("1.004873", at("2026-11-26 09:00").date())
    type(v).objects.filter(pk=v.pk).update(identity_level=2)
    v.refresh_from_db()
    page = client.get(f"/dich-vu-cong/thu-tuc/{v.procedure.code}/").content.decode()
    assert "cần tài khoản định danh điện tử VNeID mức 2" in page
    choose(client, "minh")  # a level-1 identity: a new verified account
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    url = f"/dich-vu-cong/ho-so-dang-soan/{draft.pk}/"
    page = client.get(url).content.decode()
    assert 'id="level-needed"' in page and "muc=2" in page
    response = client.post(url, {"submit": "1"}, follow=True)
    assert "yêu cầu đăng nhập bằng tài khoản định danh điện tử VNeID mức 2" in messages_of(response)
    assert not Dossier.objects.exists()
    draft.refresh_from_db()
    assert draft.data["name"] == "Lò Thị Hương"  # what was typed is kept
    # the same procedure for someone whose identity is level 2
    client.logout()
    type(draft).objects.all().delete()  # (fill_draft takes the only draft there is)
    choose(client, "hoa")
    draft = fill_draft(client, world, v)
    upload_all(client, draft)
    assert (
        'id="level-needed"'
        not in client.get(f"/dich-vu-cong/ho-so-dang-soan/{draft.pk}/").content.decode()
    )
    client.post(f"/dich-vu-cong/ho-so-dang-soan/{draft.pk}/", {"submit": "1"})
    d = Dossier.objects.get()
    assert d.applicant_user.id_number == "014190000003"


def test_my_dossiers_shows_the_link_and_offers_it(simulators, client):
    citizen = User.objects.create_user(
        "lan@example.org", password="x", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    client.force_login(citizen)
    page = client.get(MINE).content.decode()
    assert 'id="vneid-link"' in page
    choose(client, "minh")
    page = client.get(MINE).content.decode()
    assert "Đã liên kết VNeID, định danh mức 1" in page and 'id="vneid-link"' not in page


def test_the_desk_files_into_the_applicants_own_account_with_their_authorisation(
    simulators, client, world
):
    """Desk-assisted filing: the dossier the officer takes in appears in the applicant's
    portal account (the one their VNeID proves), with the authorisation on record."""
    from cchc.dossiers.models import Dossier
    from cchc.dossiers.testing import version

    choose(client, "hoa")  # Hoa has a portal account, proven by VNeID
    hoa = User.objects.get(id_number="014190000003")
    client.logout()
    v = version("1.000894", timezone.localdate())
    client.force_login(world.receptionist)
    form = {
        "version": v.pk,
        "desk": world.commune_desk.pk,
        "applicant_kind": "citizen",
        "name": "Quàng Thị Hoa",
        "id_number": "014190000003",
        "area": world.commune.pk,
        "channel": "in_person",
        "sets": 1,
        "return_method": "desk",
        "documents": [str(doc.pk) for doc in v.documents.all()],
        "outcome": "receive",
    }
    # a number nobody has linked: refused, what was typed kept
    page = client.post(
        "/ho-so/tiep-nhan/",
        {**form, "id_number": "014190000099", "on_behalf": "Người nộp đồng ý tại quầy"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Không có tài khoản Cổng dịch vụ công đã liên kết VNeID" in html
    assert 'value="Người nộp đồng ý tại quầy"' in html and not Dossier.objects.exists()
    done = client.post("/ho-so/tiep-nhan/", {**form, "on_behalf": "Người nộp đồng ý tại quầy"})
    assert done.status_code == 302
    d = Dossier.objects.get()
    assert d.applicant_user == hoa and d.on_behalf_authorisation == "Người nộp đồng ý tại quầy"
    assert d.created_by == world.receptionist
    assert "Người nộp đồng ý tại quầy" in client.get(f"/ho-so/{d.pk}/").content.decode()
    created = AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))
    assert any(
        "on_behalf_authorisation" in str(e.changes) for e in created
    )  # the authority is in the record of the creation
    # and the applicant follows it from home
    client.logout()
    choose(client, "hoa")
    assert d.code in client.get(MINE).content.decode()
    # without an authorisation the desk files as before: nobody's account
    client.logout()
    client.force_login(world.receptionist)
    client.post("/ho-so/tiep-nhan/", form)
    assert Dossier.objects.exclude(pk=d.pk).get().applicant_user is None


def test_signing_out_ends_the_vneid_session_at_the_provider_too(simulators, client):
    choose(client, "hoa")
    response = client.post("/dang-xuat/")
    provider = urlsplit(response["Location"])
    assert provider.path == "/mo-phong/vneid/oauth2/logout"
    params = parse_qs(provider.query)
    assert params["id_token_hint"][0].count(".") == 2  # the ID token, as OIDC asks
    assert params["post_logout_redirect_uri"][0].endswith("/dich-vu-cong/")
    assert "_auth_user_id" not in client.session
    back = client.get(f"{provider.path}?{provider.query}")
    assert back.status_code == 302 and back["Location"].endswith("/dich-vu-cong/")
    # a password session signs out as before
    citizen = User.objects.create_user("lan@example.org", password="x", kind=AccountKind.CITIZEN)
    client.force_login(citizen)
    assert "/mo-phong/" not in client.post("/dang-xuat/")["Location"]
