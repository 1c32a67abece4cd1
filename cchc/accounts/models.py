"""Users (người dùng), their memberships in agencies and desks, and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Role


class AccountKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ")
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
    SYSTEM = "system", _("Hệ thống tích hợp")


class User(AbstractUser):
    """A staff member, a citizen or organisation account, or an integration client.

    Dossiers point at the user, never at how they signed in: a national single sign-on (OIDC)
    adds an `ExternalIdentity` row for the same user, nothing in the dossiers changes.
    """

    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    kind = models.CharField(
        _("loại tài khoản"), max_length=14, choices=AccountKind.choices, default=AccountKind.STAFF
    )
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=200, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("xác thực lúc"), null=True, blank=True)

    @property
    def is_public_account(self) -> bool:
        return self.kind in (AccountKind.CITIZEN, AccountKind.ORGANISATION)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def memberships_on(self, on: dt.date | None = None) -> models.QuerySet[Membership]:
        day = on or timezone.localdate()
        return self.memberships.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current_memberships(self) -> list[Membership]:
        """Today's memberships (Vietnam's day), read once per user instance.

        A request's user is a fresh instance, so a page that asks for permissions, scopes and
        menus in many places reads the memberships once; `forget_memberships` drops the copy
        after a change in the same request.
        """
        if not self.pk:
            return []
        day = timezone.localdate()
        cached = self.__dict__.get("_cchc_memberships")
        if cached is None or cached[0] != day:
            cached = (day, list(self.memberships_on(day).select_related("desk")))
            self.__dict__["_cchc_memberships"] = cached
        return cached[1]

    def forget_memberships(self) -> None:
        self.__dict__.pop("_cchc_memberships", None)

    def has_role(self, *roles: str) -> bool:
        if self.is_superuser:
            return True
        return any(m.role in roles for m in self.current_memberships())


class Membership(models.Model):
    """A user's role in an agency, optionally at one desk, for a period (R-ORG-3 postings)."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    desk = models.ForeignKey(
        "organizations.Desk",
        verbose_name=_("bộ phận một cửa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "desk", "role", "valid_from"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        where = self.desk or self.agency
        return f"{self.user} — {self.get_role_display()} — {where}"


class ApiToken(models.Model):
    """A per-user, revocable token for integrations. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class ExternalIdentity(models.Model):
    """A sign-in from an outside identity provider (e.g. the national portal's OIDC) for a user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=60)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    # the identification level the provider vouched for at the latest sign-in (Decree
    # 69/2024: 1 registered online, 2 registered in person with biometrics); 0 unknown
    level = models.PositiveSmallIntegerField(_("mức định danh"), default=0)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("đăng nhập lần cuối"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class VerificationCode(models.Model):
    """A one-time code sent to an email address or a phone to verify a new account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    code_hash = models.CharField(max_length=64)
    sent_to = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.sent_to}"
