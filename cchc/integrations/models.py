"""The outbox of messages to the national systems, and the local simulators' own records.

Every outbound message is a row written in the transaction of the change that causes it, then
delivered by the worker (`outbox.py`); nothing is sent inside a request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.dossiers.constants import PostalState


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


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    REFUNDING = "refunding", _("Đang hoàn tiền")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class Payment(models.Model):
    """An online payment of a dossier's fee lines through the payment gateway."""

    reference = models.CharField(_("mã tham chiếu"), max_length=40, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="online_payments"
    )
    fee_ids = models.JSONField(_("khoản thu"), default=list)
    amount = models.DecimalField(_("số tiền"), max_digits=14, decimal_places=0)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=PaymentStatus.choices, default="created"
    )
    transaction = models.CharField(_("mã giao dịch của cổng thanh toán"), max_length=60, blank=True)
    callbacks = models.PositiveSmallIntegerField(_("số lần nhận kết quả"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("hoàn tiền lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thanh toán trực tuyến")
        verbose_name_plural = _("thanh toán trực tuyến")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class SimulatedTransaction(models.Model):
    """What the local payment gateway simulator recorded (payments and refunds)."""

    reference = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)  # pay / refund
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    status = models.CharField(max_length=10)
    transaction = models.CharField(max_length=60)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giao dịch mô phỏng")
        verbose_name_plural = _("mô phỏng cổng thanh toán: giao dịch")

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class SimulatorKey(models.Model):
    """A signing key a simulator keeps between processes (the VNeID simulator's RSA key)."""

    name = models.CharField(max_length=40, unique=True)
    pem = models.TextField()

    class Meta:
        verbose_name = _("khóa của trình mô phỏng")
        verbose_name_plural = _("khóa của trình mô phỏng")

    def __str__(self) -> str:
        return self.name


class PostalKind(models.TextChoices):
    PICKUP = "pickup", _("Thu gom hồ sơ tại địa chỉ người nộp")
    DELIVERY = "delivery", _("Chuyển phát kết quả tới người nộp")


class PostalOrder(models.Model):
    """An order to the public postal service for a dossier: collect its papers from the
    applicant, or carry its result to them (Decision 45/2016/QĐ-TTg)."""

    number = models.CharField(_("số đơn hàng"), max_length=60, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="postal_orders"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=PostalKind.choices)
    item_code = models.CharField(_("số hiệu bưu gửi"), max_length=40, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=PostalState.choices, default="requested"
    )
    name = models.CharField(_("người gửi / nhận"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=400)
    cod_amount = models.DecimalField(_("tiền thu hộ"), max_digits=14, decimal_places=0, default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("đơn hàng bưu chính")
        verbose_name_plural = _("đơn hàng bưu chính")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class PostalEvent(models.Model):
    """One tracking report of the postal service, as received (kept even when it changes
    nothing: a late or repeated report)."""

    order = models.ForeignKey(PostalOrder, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(_("mã trạng thái của bưu điện"), max_length=20)
    status = models.CharField(_("tình trạng"), max_length=12, choices=PostalState.choices)
    at = models.DateTimeField(_("thời điểm"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hành trình bưu gửi")
        verbose_name_plural = _("hành trình bưu gửi")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "code", "at"], name="postal_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"


class SimulatedPostalOrder(models.Model):
    """What the local postal service simulator accepted."""

    number = models.CharField(max_length=60, unique=True)
    item_code = models.CharField(max_length=40)
    body = models.JSONField()
    step = models.PositiveSmallIntegerField(default=0)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đơn hàng mô phỏng")
        verbose_name_plural = _("mô phỏng bưu chính: đơn hàng")

    def __str__(self) -> str:
        return self.number
