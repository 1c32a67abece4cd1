"""Statuses, actions and the transition table of a dossier (hồ sơ) — the one place they live."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """R-CHANNEL."""

    IN_PERSON = "in_person", _("Trực tiếp")
    POST = "post", _("Bưu chính")
    ONLINE = "online", _("Trực tuyến")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class RuleSet(models.TextChoices):
    """R-VERSION: the legal frame a dossier was received under."""

    CIRCULAR_01_2018 = "2018", _("Nghị định 61/2018, Thông tư 01/2018/TT-VPCP")
    DECREE_118_2025 = "2025", _("Nghị định 118/2025, Thông tư 03/2025/TT-VPCP")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    AWAITING_COMPLETION = "awaiting_completion", _("Chờ bổ sung trước khi tiếp nhận")
    NOT_RECEIVED = "not_received", _("Từ chối tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    PAUSED = "paused", _("Tạm dừng")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Dừng giải quyết theo đề nghị")
    CLOSED = "closed", _("Dừng do không bổ sung hồ sơ")


ACTIVE_STATUSES = (
    Status.IN_PROGRESS,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAUSED,
    Status.RESULT_READY,
)
CLOCK_RUNNING = (Status.IN_PROGRESS, Status.RESULT_READY)
FINAL_STATUSES = (Status.NOT_RECEIVED, Status.RETURNED, Status.WITHDRAWN, Status.CLOSED)


class Action(models.TextChoices):
    CREATE = "create", _("Tạo hồ sơ")
    RECEIVE = "receive", _("Tiếp nhận")
    REQUEST_COMPLETION = "request_completion", _("Yêu cầu bổ sung khi tiếp nhận")
    REFUSE_RECEPTION = "refuse_reception", _("Từ chối tiếp nhận")
    RESUBMIT = "resubmit", _("Người nộp bổ sung trực tuyến")
    ASSIGN = "assign", _("Phân công")
    COMPLETE_STEP = "complete_step", _("Hoàn thành bước")
    SEND_BACK = "send_back", _("Trả lại bước trước")
    CONSULT = "consult", _("Gửi lấy ý kiến, liên thông")
    ANSWER_CONSULTATION = "answer_consultation", _("Trả lời ý kiến")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung")
    SUPPLY = "supply", _("Nhận hồ sơ bổ sung")
    CLOSE_UNSUPPLEMENTED = "close_unsupplemented", _("Dừng do không bổ sung")
    PAUSE = "pause", _("Tạm dừng")
    RESUME = "resume", _("Tiếp tục")
    APOLOGISE = "apologise", _("Xin lỗi, hẹn lại")
    DECLARE_INELIGIBLE = "declare_ineligible", _("Từ chối giải quyết")
    MARK_RESULT_READY = "mark_result_ready", _("Có kết quả")
    SIGN_RESULT = "sign_result", _("Ký số kết quả")
    NOTIFY_EARLY = "notify_early", _("Báo trả kết quả sớm")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    WITHDRAW = "withdraw", _("Dừng giải quyết theo đề nghị")
    RECORD_PAYMENT = "record_payment", _("Thu phí, lệ phí")
    CONFIRM_PAPER = "confirm_paper", _("Xác nhận nhận hồ sơ giấy")
    REASSIGN = "reassign", _("Chuyển giao người xử lý")
    REQUEST_CORRECTION = "request_correction", _("Đính chính kết quả có sai sót")
    VIEW_PERSONAL_DATA = "view_personal_data", _("Xem thông tin cá nhân đầy đủ")
    IMPORT = "import", _("Chuyển từ hệ thống cũ")


S = Status
_PROCESSING = frozenset({S.IN_PROGRESS})
_OPEN_BEFORE_RESULT = frozenset(
    {S.SUBMITTED, S.AWAITING_COMPLETION, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.PAUSED}
)

# action -> (statuses it may start from, status it leads to). None: the status stays, except
# that completing the last processing step makes the result ready (services decide).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.RECEIVE: (frozenset({S.SUBMITTED, S.AWAITING_COMPLETION}), S.IN_PROGRESS),
    Action.REQUEST_COMPLETION: (
        frozenset({S.SUBMITTED, S.AWAITING_COMPLETION}),
        S.AWAITING_COMPLETION,
    ),
    Action.REFUSE_RECEPTION: (frozenset({S.SUBMITTED, S.AWAITING_COMPLETION}), S.NOT_RECEIVED),
    Action.RESUBMIT: (frozenset({S.AWAITING_COMPLETION}), S.SUBMITTED),
    Action.ASSIGN: (_PROCESSING, None),
    Action.COMPLETE_STEP: (_PROCESSING, None),
    Action.SEND_BACK: (_PROCESSING, None),
    Action.CONSULT: (_PROCESSING, None),
    Action.ANSWER_CONSULTATION: (_PROCESSING, None),
    Action.REQUEST_SUPPLEMENT: (_PROCESSING, S.SUPPLEMENT_REQUESTED),
    Action.SUPPLY: (frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_PROGRESS),
    Action.CLOSE_UNSUPPLEMENTED: (
        frozenset({S.SUPPLEMENT_REQUESTED, S.AWAITING_COMPLETION}),
        S.CLOSED,
    ),
    Action.PAUSE: (_PROCESSING, S.PAUSED),
    Action.RESUME: (frozenset({S.PAUSED}), S.IN_PROGRESS),
    Action.APOLOGISE: (frozenset({S.IN_PROGRESS, S.PAUSED}), None),
    Action.DECLARE_INELIGIBLE: (_PROCESSING, S.RESULT_READY),
    Action.MARK_RESULT_READY: (_PROCESSING, S.RESULT_READY),
    Action.SIGN_RESULT: (frozenset({S.RESULT_READY}), None),
    Action.NOTIFY_EARLY: (frozenset({S.RESULT_READY}), None),
    Action.RETURN_RESULT: (frozenset({S.RESULT_READY}), S.RETURNED),
    Action.WITHDRAW: (_OPEN_BEFORE_RESULT, S.WITHDRAWN),
    Action.RECORD_PAYMENT: (
        frozenset({S.SUBMITTED, S.AWAITING_COMPLETION, *ACTIVE_STATUSES}),
        None,
    ),
    Action.CONFIRM_PAPER: (frozenset(ACTIVE_STATUSES), None),
    # an officer's pending steps handed to another (leave, posting ended): a bulk action
    Action.REASSIGN: (frozenset(ACTIVE_STATUSES), None),
    # R-CORRECT: a returned result with an error opens a linked correction dossier; the
    # returned dossier itself stays returned
    Action.REQUEST_CORRECTION: (frozenset({S.RETURNED}), None),
}


def allowed(action: str, status: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return status in sources


def target_status(action: str, status: str) -> str:
    target = TRANSITIONS[action][1]
    return status if target is None else target


class CorrectionFault(models.TextChoices):
    """R-CORRECT: whoever erred bears the cost of the correction."""

    AGENCY = "agency", _("Cơ quan giải quyết")
    APPLICANT = "applicant", _("Người nộp hồ sơ")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Giải quyết")
    REFUSED = "refused", _("Từ chối giải quyết")


class StoredKind(models.TextChoices):
    """What the applicant's document store holds (kho dữ liệu điện tử)."""

    RESULT = "result", _("Kết quả giải quyết (bản điện tử có chữ ký số)")
    DIGITISED = "digitised", _("Giấy tờ số hóa khi tiếp nhận")


class Timeliness(models.TextChoices):
    """R-RETURN."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class StepKind(models.TextChoices):
    PROCESS = "process", _("Bước quy trình")
    CONSULTATION = "consultation", _("Lấy ý kiến, liên thông song song")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Chưa đến lượt")
    ACTIVE = "active", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    SENT_BACK = "sent_back", _("Bị trả lại")
    CANCELLED = "cancelled", _("Đã hủy")


class StopKind(models.TextChoices):
    """R-TIME-5."""

    SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ (tính lại thời hạn)")
    PAUSE = "pause", _("Tạm dừng (lùi hạn)")


class TransferMedium(models.TextChoices):
    ELECTRONIC = "electronic", _("Điện tử")
    PAPER = "paper", _("Giấy")


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("Tại bộ phận một cửa")
    POST = "post", _("Qua bưu chính")
    ELECTRONIC = "electronic", _("Trực tuyến (bản điện tử)")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    ONLINE = "online", _("Thanh toán trực tuyến")
    POSTAL = "postal", _("Bưu điện thu hộ")


class PostalState(models.TextChoices):
    """Where a postal order (a pickup of a dossier, a delivery of a result) stands."""

    REQUESTED = "requested", _("Đã gửi yêu cầu tới bưu điện")
    ACCEPTED = "accepted", _("Bưu điện đã nhận yêu cầu")
    PICKED_UP = "picked_up", _("Bưu điện đã nhận bưu gửi")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    FAILED = "failed", _("Phát không thành công, sẽ phát lại")
    DELIVERED = "delivered", _("Đã phát thành công")
    RETURNED = "returned", _("Đã chuyển hoàn")
    CANCELLED = "cancelled", _("Đã hủy")


# the order a postal order goes through; a later state is never undone by an earlier one
POSTAL_PROGRESS = {
    PostalState.REQUESTED: 0,
    PostalState.ACCEPTED: 1,
    PostalState.PICKED_UP: 2,
    PostalState.IN_TRANSIT: 3,
    PostalState.FAILED: 3,
    PostalState.DELIVERED: 9,
    PostalState.RETURNED: 9,
    PostalState.CANCELLED: 9,
}


class FormKind(models.TextChoices):
    """R-FORMS."""

    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")


FORM_TITLES_2025 = {
    FormKind.REFUSAL: _("Phiếu từ chối giải quyết hồ sơ"),
    FormKind.APOLOGY: _("Phiếu đề nghị gia hạn thời gian giải quyết"),
}


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationKind(models.TextChoices):
    STATUS = "status", _("Thay đổi trạng thái")
    DEADLINE = "deadline", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    STALLED = "stalled", _("Hồ sơ không được xử lý")
    SURVEY = "survey", _("Mời khảo sát hài lòng")
