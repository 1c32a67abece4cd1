"""State changes for accounts: API tokens and memberships, each audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action, model_values
from cchc.core.errors import Forbidden

from .models import ApiToken, ExternalIdentity, Membership, User


def national_identities() -> QuerySet[ExternalIdentity]:
    """Links to the national electronic identity (VNeID and the providers that federate it,
    CCHC_EID_PROVIDERS): one place for "this account's identity is proven"."""
    providers = [p.lower() for p in settings.CCHC_EID_PROVIDERS]
    return ExternalIdentity.objects.filter(provider__in=providers)


def identity_level(user: User | None) -> int:
    """The highest identification level (Decree 69/2024: 1 or 2; 0 none) a national identity
    linked to `user` was vouched for at."""
    if user is None or not getattr(user, "pk", None):
        return 0
    levels = national_identities().filter(user=user).values_list("level", flat=True)
    return max(levels, default=0)


def linked_account(kind: str, number: str) -> User | None:
    """The portal account whose national identity proves this ID number (a citizen) or tax
    code (an organisation): the one account a desk may file into on the applicant's behalf."""
    number = (number or "").strip()
    if not number:
        return None
    field = "tax_code" if kind == "organisation" else "id_number"
    users = User.objects.filter(
        is_active=True,
        kind=kind,
        pk__in=national_identities().values("user_id"),
        **{field: number},
    )
    found = list(users[:2])
    return found[0] if len(found) == 1 else None


def require_identity_level(user: User, level: int) -> None:
    """A procedure that asks for level 2 (or 1) is filed online only by an account whose
    national identity has it."""
    if level and identity_level(user) < level:
        raise Forbidden(
            "identity_level",
            _(
                "Thủ tục này yêu cầu đăng nhập bằng tài khoản định danh điện tử VNeID mức "
                "%(level)s. Ông/Bà đăng nhập (hoặc liên kết tài khoản) bằng VNeID mức "
                "%(level)s rồi nộp lại; hồ sơ đang soạn được giữ nguyên."
            )
            % {"level": level},
        )


def require_verified(user: User) -> None:
    """Unverified citizen accounts may sign in and fill drafts, nothing more: no submission,
    no upload, no API token (the contact they gave may not be theirs)."""
    if user.is_public_account and user.verified_at is None:
        raise Forbidden(
            "not_verified", _("Cần xác thực tài khoản (nhập mã đã gửi) trước khi làm việc này.")
        )


@transaction.atomic
def issue_api_token(user: User, name: str, *, actor: User) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain key is returned once and never stored."""
    require_verified(user)
    prefix = secrets.token_hex(4)
    key = f"cchc_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=settings.CCHC_API_TOKEN_DAYS),
    )
    log_action(
        token,
        "api_token.issue",
        actor=actor,
        after={"name": name, "user": user.pk, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(token, "api_token.revoke", actor=actor, after={"revoked_at": token.revoked_at})
    return token


@transaction.atomic
def add_membership(*, actor: User | None, **values: object) -> Membership:
    membership = Membership.objects.create(**values)
    log_action(membership, "membership.add", actor=actor, after=model_values(membership))
    return membership


@transaction.atomic
def change_password(user: User, new_password: str, *, actor: User) -> User:
    """A new password, checked by the caller's form; the event records that it changed,
    never the password."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    log_action(user, "account.password_change", actor=actor)
    return user
