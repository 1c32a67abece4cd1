"""Base models and the audit trail (nhật ký thao tác).

Every state change in cchc writes an `AuditEvent` through `cchc.core.audit.log_action()`.
Events are append-only (in PostgreSQL a trigger refuses UPDATE and DELETE) and chained per
audited object by an HMAC-SHA-256 keyed outside the database, and daily anchors of every
chain's head are written outside it, so `manage.py verify_audit` detects any edited, deleted or
recomputed event, and any chain deleted with its head (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import search_text


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class SearchableModel(models.Model):
    """Keeps `search_text`, the folded form of `search_source()`, for diacritics-free search.

    A derived column, not a business rule: it is refreshed on every save so that a search
    for "giay phep xay dung" matches "Giấy phép xây dựng" on SQLite and PostgreSQL alike.
    """

    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_text(self.search_source())
        super().save(*args, **kwargs)

    def search_source(self) -> str:
        raise NotImplementedError


class ReferenceDataModel(TimeStampedModel):
    """A record that may come from a reviewed data file in the repository.

    `reference_key` names the record in its data file; `reference_checksum` is the checksum
    of the values last loaded. When the current values no longer match it, an administrator
    has edited the record and the loader leaves it alone unless told `--force`.
    """

    reference_key = models.CharField(
        _("khóa dữ liệu tham chiếu"), max_length=200, unique=True, null=True, blank=True
    )
    reference_checksum = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class Reminder(models.Model):
    """A reminder mailed to one person, once per key (`core.reminders.send_once`);
    concrete subclasses add their owner and a unique constraint on user × key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.subject


class AuditEvent(models.Model):
    """One recorded action: who, when, what, the status before and after, and the values."""

    chain_key = models.CharField(max_length=120, db_index=True)
    sequence = models.PositiveIntegerField()
    occurred_at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    action = models.CharField(_("thao tác"), max_length=80)
    object_type = models.CharField(_("loại đối tượng"), max_length=80)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    from_status = models.CharField(_("trạng thái trước"), max_length=40, blank=True)
    to_status = models.CharField(_("trạng thái sau"), max_length=40, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    changes = models.JSONField(_("giá trị thay đổi"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Which audit key signed `hash` (its fingerprint), so that keys can be rotated.
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["occurred_at", "id"]
        constraints = [
            # One position per chain: two writers can never both append event N.
            models.UniqueConstraint(fields=["chain_key", "sequence"], name="audit_chain_seq"),
        ]
        indexes = [
            # Consumer: the history panel of an object page (object_type + object_id).
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events are append-only")


class AuditChainHead(models.Model):
    """The last hash and length of each audit chain: deleting a tail event is detected."""

    chain_key = models.CharField(max_length=120, primary_key=True)
    last_sequence = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.chain_key} #{self.last_sequence}"


class RateCounter(models.Model):
    """Attempts per key (client, account, target) and time window, shared by all workers."""

    key = models.CharField(max_length=160)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # for `prune`

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="core_rate_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}={self.count}"
