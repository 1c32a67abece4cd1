"""Running the system: announced maintenance windows, and who used it when (access records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Reminder


class MaintenanceWindow(models.Model):
    """A planned interruption, announced at least CCHC_MAINTENANCE_NOTICE_DAYS working days
    ahead (checklist item 41): shown on every page from its announcement, and the site answers
    a maintenance page (the API a 503) while it lasts."""

    starts_at = models.DateTimeField(_("bắt đầu lúc"))
    ends_at = models.DateTimeField(_("kết thúc lúc"))
    reason = models.CharField(_("nội dung bảo trì"), max_length=300)
    announced_at = models.DateTimeField(_("thông báo lúc"))
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lịch bảo trì")
        verbose_name_plural = _("lịch bảo trì")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="maintenance_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%d/%m/%Y %H:%M} — {self.reason}"


class AccessEvent(models.Model):
    """A sign-in, a failed sign-in or a sign-out (item 28: who, when, from where)."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Đăng nhập")
        FAILED = "failed", _("Đăng nhập sai")
        SIGN_OUT = "sign_out", _("Đăng xuất")

    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    agent = models.CharField(_("trình duyệt"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lượt truy cập")
        verbose_name_plural = _("nhật ký đăng nhập")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.kind} {self.username}"


class UsageCount(models.Model):
    """Requests per month, agency and side (staff pages, portal, API): the page and API use
    of item 28, counted in memory by each process and added here in batches."""

    month = models.DateField(_("tháng"))
    # the user's agency (their first current posting); 0 for citizens and visitors
    agency_key = models.PositiveBigIntegerField(_("cơ quan"), default=0)
    side = models.CharField(_("phân hệ"), max_length=10)
    requests = models.PositiveBigIntegerField(_("số lượt"), default=0)

    class Meta:
        verbose_name = _("lượt sử dụng")
        verbose_name_plural = _("lượt sử dụng")
        constraints = [
            models.UniqueConstraint(fields=["month", "agency_key", "side"], name="usage_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.side} {self.requests}"


class AccountNotice(Reminder):
    """A leader told that an account of their agency was locked (once per account and cause)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("thông báo khóa tài khoản")
        verbose_name_plural = _("thông báo khóa tài khoản")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="account_notice_once")]


class MergerImport(models.Model):
    """One run of `import_merged_system` (checklist item 42): what was read, what was (or,
    on a dry run, would have been) carried over, and every row refused and why."""

    system = models.CharField(_("hệ thống nguồn"), max_length=200)
    files = models.JSONField(_("tệp đã đọc"), default=list)
    dry_run = models.BooleanField(_("chạy thử"), default=True)
    applied = models.BooleanField(_("đã ghi vào hệ thống"), default=False)
    counts = models.JSONField(_("số lượng"), default=dict)
    problems = models.JSONField(_("dòng bị từ chối"), default=list)
    started_at = models.DateTimeField(_("bắt đầu lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lần nhập dữ liệu hệ thống cũ")
        verbose_name_plural = _("các lần nhập dữ liệu hệ thống cũ")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.system} — {timezone.localtime(self.started_at):%d/%m/%Y %H:%M}"
