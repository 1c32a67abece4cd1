"""VNeID sign-in: the national single sign-on's claims become a linked account.

The OpenID Connect exchange itself (authorisation code, token, ID token signature, nonce,
userinfo) is mozilla-django-oidc's; this module decides what the verified claims mean:

- `identity_from(claims)` reads the claim set of the national portal / VNeID (TechID as the
  stable key, LoaiTaiKhoan, SoDinhDanh, MaSoDoanhNghiep/MaSoThue, HoVaTen…) and the
  identification level (IAL, loAs, acr);
- `sign_in(identity, current)` finds the account linked to that identity, links it to the
  account already signed in, or opens a new verified account — and refuses, with a reason a
  citizen can act on, what would join two people's records.

Every link and every new account is audited; the identity's level is kept on the link and
`identity_level(user)` is what procedures requiring level 2 check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import AccountKind, ExternalIdentity, User
from cchc.core.audit import log_action, model_values


class Refused(Exception):
    """The sign-in cannot go on; `message` tells the person why (Vietnamese)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    subject: str
    level: int
    kind: str  # AccountKind.CITIZEN or ORGANISATION
    id_number: str
    tax_code: str
    name: str
    phone: str
    email: str
    address: str


def _text(claims: dict[str, Any], *names: str) -> str:
    for name in names:
        value = claims.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _highest_digit(value: Any) -> int:
    """`"2"`, `2`, `"IAL2"`, `"LoA2"` or a list of them → the highest level named."""
    items = value if isinstance(value, (list, tuple)) else [value]
    found = [int(d) for item in items for d in re.findall(r"(\d)\s*$", str(item))]
    return max(found, default=0)


def level_of(claims: dict[str, Any]) -> int:
    """The identification level vouched for: IAL first, then loAs, then acr (how each maps
    is unconfirmed: shared/domain/national-systems.md §2 [U]); 0 when none is given."""
    for name in ("IAL", "ial", "loAs", "acr"):
        if claims.get(name) not in (None, "", []):
            level = _highest_digit(claims[name])
            if level:
                return min(level, 2)
    return 0


def identity_from(claims: dict[str, Any]) -> Identity:
    subject = _text(claims, "TechID", "sub")
    if not subject:
        raise Refused("no_subject", _("Cổng định danh không trả về mã định danh tài khoản."))
    organisation = _text(claims, "LoaiTaiKhoan") == "2"
    id_number = re.sub(r"\D", "", _text(claims, "SoDinhDanh", "SoCMND"))
    tax_code = _text(claims, "MaSoDoanhNghiep", "MaSoThue")
    if organisation and not tax_code:
        raise Refused(
            "no_tax_code",
            _("Tài khoản tổ chức trên VNeID chưa có mã số doanh nghiệp hoặc mã số thuế."),
        )
    if not organisation and not id_number:
        raise Refused("no_id_number", _("Tài khoản VNeID không cho biết số định danh cá nhân."))
    return Identity(
        subject=subject[:255],
        level=level_of(claims),
        kind=AccountKind.ORGANISATION if organisation else AccountKind.CITIZEN,
        id_number=id_number[:12],
        tax_code=tax_code[:14],
        name=_text(claims, "TenDoanhNghiep" if organisation else "HoVaTen", "HoVaTen")[:200],
        phone=_text(claims, "SoDienThoai")[:20],
        email=_text(claims, "ThuDienTu")[:254],
        address=_text(claims, "DiaChi", "NoiOHienNay", "ThuongTru")[:300],
    )


def _same_person(user: User, identity: Identity) -> bool:
    if identity.kind == AccountKind.ORGANISATION:
        return not user.tax_code or user.tax_code == identity.tax_code
    return not user.id_number or user.id_number == identity.id_number


def _refresh(user: User, identity: Identity) -> None:
    """What the national identity vouches for replaces what was typed at registration."""
    before = model_values(user, ["full_name", "id_number", "tax_code", "verified_at"])
    if identity.kind == AccountKind.ORGANISATION:
        user.tax_code = identity.tax_code
        if identity.name:
            user.full_name = identity.name
    else:
        user.id_number = identity.id_number
        if identity.name:
            user.full_name = identity.name
    user.verified_at = user.verified_at or timezone.now()
    after = model_values(user, ["full_name", "id_number", "tax_code", "verified_at"])
    if after != before:
        user.save(update_fields=["full_name", "id_number", "tax_code", "verified_at"])
        log_action(user, "account.verified_by_vneid", actor=user, before=before, after=after)


@transaction.atomic
def sign_in(identity: Identity, current: Any = None) -> User:
    """The account this identity signs into (linking or creating it); `current` is the
    account already signed in in this browser, if any (linking from the portal)."""
    provider = settings.CCHC_VNEID_PROVIDER
    now = timezone.now()
    signed_in = current if getattr(current, "is_authenticated", False) else None
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        if signed_in is not None and signed_in.pk != link.user_id:
            raise Refused(
                "linked_elsewhere",
                _("Tài khoản VNeID này đã liên kết với một tài khoản khác trên Cổng."),
            )
        if not link.user.is_active:
            raise Refused("inactive", _("Tài khoản trên Cổng đã bị khóa."))
        before = {"level": link.level}
        link.level, link.last_used_at = identity.level, now
        link.save(update_fields=["level", "last_used_at"])
        if before["level"] != identity.level:
            log_action(
                link.user,
                "account.vneid_level",
                actor=link.user,
                before=before,
                after={"level": identity.level},
            )
        _refresh(link.user, identity)
        return link.user
    if signed_in is not None:
        if not signed_in.is_public_account:
            raise Refused(
                "staff_account",
                _(
                    "Tài khoản cán bộ không liên kết với VNeID; cán bộ đăng nhập bằng tài khoản "
                    "được cấp."
                ),
            )
        if signed_in.kind != identity.kind or not _same_person(signed_in, identity):
            raise Refused(
                "other_person",
                _("Thông tin định danh trên VNeID không khớp với tài khoản đang đăng nhập."),
            )
        user = signed_in
    else:
        same = User.objects.filter(kind=identity.kind, is_active=True)
        same = (
            same.filter(tax_code=identity.tax_code)
            if identity.kind == AccountKind.ORGANISATION
            else same.filter(id_number=identity.id_number)
        )
        waiting = [
            u for u in same.prefetch_related("external_identities")[:2]
            if not u.has_usable_password() and not u.external_identities.all()
        ]  # fmt: skip
        if len(waiting) == 1 and same.count() == 1:
            # an account carried over from a merged system with no password and no identity:
            # VNeID proving its number is the proof its holder can give; it signs in and links
            user = waiting[0]
        elif same.exists():
            # a password account with this number: only its holder may join the two
            raise Refused(
                "account_exists",
                _(
                    "Đã có tài khoản đăng ký với số định danh này. Ông/Bà đăng nhập bằng mật "
                    "khẩu, rồi chọn “Liên kết VNeID” tại trang Hồ sơ của tôi."
                ),
            )
        else:
            user = User(
                username=f"{provider}-{identity.subject}"[:150],
                kind=identity.kind,
                full_name=identity.name,
                id_number="" if identity.kind == AccountKind.ORGANISATION else identity.id_number,
                tax_code=identity.tax_code if identity.kind == AccountKind.ORGANISATION else "",
                phone=identity.phone,
                email=identity.email,
                address=identity.address,
                verified_at=now,
            )
            user.set_unusable_password()  # signs in through VNeID only, until a password is set
            user.save()
            log_action(
                user,
                "account.create_by_vneid",
                actor=user,
                after=model_values(
                    user, ["username", "kind", "full_name", "id_number", "tax_code", "verified_at"]
                ),
            )
    link = ExternalIdentity.objects.create(
        user=user,
        provider=provider,
        subject=identity.subject,
        level=identity.level,
        last_used_at=now,
    )
    log_action(
        user,
        "account.link_vneid",
        actor=user,
        after={"provider": provider, "level": identity.level},
    )
    _refresh(user, identity)
    return user
