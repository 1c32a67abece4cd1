"""The outbox of messages to the national systems, and the local simulators' own records.

Every outbound message is a row written in the transaction of the change that causes it, then
delivered by the worker (`outbox.py`); nothing is sent inside a request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    DEAD = "dead", _("Gửi không thành, cần xử lý")


class OutboxMessage(models.Model):
    system = models.CharField(_("hệ thống"), max_length=20)
    # messages with the same ordering key are delivered one after another, in sequence
    ordering_key = models.CharField(_("khóa thứ tự"), max_length=60)
    sequence = models.PositiveIntegerField(_("thứ tự"))
    key = models.CharField(_("khóa chống trùng"), max_length=120, unique=True)
    kind = models.CharField(_("loại"), max_length=40)
    payload = models.JSONField(_("nội dung"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=MessageStatus.choices, default="pending"
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"))
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    delivered_at = models.DateTimeField(_("gửi xong lúc"), null=True, blank=True)
    answer = models.JSONField(_("trả lời của hệ thống nhận"), default=dict, blank=True)

    class Meta:
        verbose_name = _("thông điệp gửi hệ thống ngoài")
        verbose_name_plural = _("hàng đợi gửi hệ thống ngoài")
        ordering = ["system", "ordering_key", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "ordering_key", "sequence"], name="outbox_sequence_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["system", "ordering_key", "status"], name="outbox_key_status"),
        ]

    def __str__(self) -> str:
        return self.key


class SimulatedPortalEvent(models.Model):
    """What the local simulator of the National Public Service Portal received."""

    key = models.CharField(max_length=120, unique=True)
    dossier_code = models.CharField(max_length=80, db_index=True)
    sequence = models.PositiveIntegerField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản tin mô phỏng Cổng DVCQG đã nhận")
        verbose_name_plural = _("mô phỏng Cổng DVCQG: bản tin đã nhận")
        ordering = ["dossier_code", "sequence"]

    def __str__(self) -> str:
        return self.key


class SimulatorSwitch(models.Model):
    """A simulator taken down on purpose (it answers 503), to rehearse an outage."""

    system = models.CharField(max_length=20, unique=True)
    down = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("trạng thái mô phỏng")
        verbose_name_plural = _("trạng thái mô phỏng")

    def __str__(self) -> str:
        return f"{self.system}: {'down' if self.down else 'up'}"


class SimulatedSms(models.Model):
    """What the local SMS gateway simulator accepted."""

    to = models.CharField(max_length=20)
    text = models.TextField()
    brand = models.CharField(max_length=20, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn mô phỏng đã nhận")
        verbose_name_plural = _("mô phỏng tổng đài SMS: tin đã nhận")

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:30]}"
