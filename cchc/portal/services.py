"""Portal state changes: accounts, online submission (the one intake path), ratings, feedback.

Dossiers are created and moved only by `cchc.dossiers.services`; this module gathers what the
citizen typed and hands it over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cchc.accounts.constants import Role
from cchc.accounts.models import AccountKind, User, VerificationCode
from cchc.accounts.services import identity_level, require_identity_level, require_verified
from cchc.calendars.arithmetic import Limit
from cchc.calendars.services import calendar_for, default_province
from cchc.core import throttle
from cchc.core.audit import log_action
from cchc.core.errors import Forbidden, TooMany
from cchc.core.params import as_id
from cchc.core.uploads import check_scan, stored_name
from cchc.dossiers import constants as dc
from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier, Notification
from cchc.dossiers.notify import notify_submitted, queue
from cchc.dossiers.services import store
from cchc.dossiers.services.common import ServiceError, new_lookup_secret, next_number
from cchc.organizations.models import AdministrativeArea, Desk
from cchc.procedures import eforms
from cchc.procedures.models import Procedure, ProcedureVersion
from cchc.procedures.services import resolve_competent_agency

from .models import (
    DraftStatus,
    DraftUpload,
    Feedback,
    FeedbackStatus,
    KioskDevice,
    LifeEvent,
    OnlineDraft,
    Rating,
    RatingCriterion,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^0\d{9,10}$")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# -- accounts -------------------------------------------------------------------------------


def normalise_contact(contact: str) -> str:
    value = contact.strip().lower().replace(" ", "")
    if EMAIL.match(value) or PHONE.match(value):
        return value
    raise ServiceError(
        "invalid_contact", _("Nhập địa chỉ thư điện tử hoặc số điện thoại di động (10–11 số).")
    )


@transaction.atomic
def register_account(
    *,
    kind: str,
    contact: str,
    password: str,
    full_name: str,
    id_number: str = "",
    tax_code: str = "",
    representative: str = "",
    ip: str = "?",
) -> User:
    """A citizen or organisation account, usable once the code sent to `contact` is entered."""
    username = normalise_contact(contact)
    errors: dict[str, str] = {}
    if kind not in (AccountKind.CITIZEN, AccountKind.ORGANISATION):
        errors["kind"] = "Loại tài khoản không hợp lệ."
    if not full_name.strip():
        errors["full_name"] = "Cần nhập họ tên hoặc tên tổ chức."
    if kind == AccountKind.CITIZEN and not re.fullmatch(r"\d{12}", id_number):
        errors["id_number"] = "Số định danh cá nhân phải gồm đúng 12 chữ số."
    if kind == AccountKind.ORGANISATION and not re.fullmatch(r"\d{10}(-?\d{3})?", tax_code):
        errors["tax_code"] = "Mã số thuế phải gồm 10 hoặc 13 chữ số."
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if User.objects.filter(username=username).exists():
        errors["contact"] = "Đã có tài khoản với địa chỉ này; hãy đăng nhập hoặc lấy lại mật khẩu."
    if errors:
        raise ServiceError("invalid_input", next(iter(errors.values())), errors)
    user = User.objects.create_user(
        username,
        email=username if "@" in username else "",
        password=password,
        full_name=full_name.strip(),
        phone=username if "@" not in username else "",
        kind=kind,
        id_number=id_number,
        tax_code=tax_code,
        representative=representative.strip(),
    )
    log_action(user, "account.register", actor=user, after={"kind": kind, "username": username})
    send_verification(user, ip=ip)
    return user


TOO_MANY_CODES = _lazy(
    "Đã gửi mã nhiều lần; hãy chờ ít phút rồi yêu cầu lại, hoặc dùng mã vừa nhận."
)


def _limit_sends(user: User | None, ip: str) -> None:
    """Codes go to a phone or a mailbox that may not be the sender's: bounded per account,
    per target and per client address, with a pause between two sends to one account. A
    request for an address with no account counts against the client address only."""
    hour, per_hour = 3600, settings.CCHC_CODE_SENDS_PER_HOUR
    limits = [(f"code:ip:{ip}", settings.CCHC_CODE_SENDS_PER_IP_HOUR, hour)]
    if user is not None:
        limits += [
            (f"code:gap:{user.pk}", 1, settings.CCHC_CODE_RESEND_SECONDS),
            (f"code:user:{user.pk}", per_hour, hour),
            (f"code:to:{user.username}", per_hour, hour),
        ]
    if not throttle.take(limits):
        raise TooMany("too_many_codes", str(TOO_MANY_CODES))


def send_verification(user: User, *, ip: str = "?", purpose: str = "verify") -> None:
    """A fresh six-digit code to the account's mailbox or phone (earlier codes expire).

    `purpose`: "verify" (a new account) or "reset" (a forgotten password)."""
    _limit_sends(user, ip)
    code = f"{secrets.randbelow(10**6):06d}"
    VerificationCode.objects.filter(user=user, used_at__isnull=True).update(
        expires_at=timezone.now()
    )
    VerificationCode.objects.create(
        user=user,
        code_hash=_hash(code),
        sent_to=user.username,
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    if purpose == "reset":
        subject = "[Dịch vụ công] Mã đặt lại mật khẩu"
        body = f"Mã đặt lại mật khẩu tài khoản dịch vụ công của bạn: {code} (hiệu lực 15 phút)."
    else:
        subject = "[Dịch vụ công] Mã xác thực tài khoản"
        body = f"Mã xác thực tài khoản dịch vụ công của bạn: {code} (hiệu lực 15 phút)."
    channel = dc.NotificationChannel.EMAIL if "@" in user.username else dc.NotificationChannel.SMS
    queue(
        [
            Notification(
                dossier=None,
                user=user,
                kind=dc.NotificationKind.STATUS,
                channel=channel,
                recipient=user.username,
                subject=subject,
                body=body,
                dedupe_key=f"{purpose}:{user.pk}:{code}",
            )
        ]
    )


def check_code(user: User | None, code: str, *, ip: str = "?") -> VerificationCode:
    """The account's current code, if `code` is it; every wrong entry is counted and stays
    counted (the count commits before the refusal), per code and per client address. No
    account (a reset for an unknown address) is a wrong entry like any other."""
    guesses = (f"guess:ip:{ip}", settings.CCHC_CODE_GUESSES_PER_IP, 600)
    if throttle.blocked(guesses[0], limit=guesses[1], window_seconds=guesses[2]):
        raise TooMany("too_many_guesses", _("Nhập sai quá nhiều lần; hãy thử lại sau ít phút."))
    row = (
        VerificationCode.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
        if user is not None
        else None
    )
    if user is not None and (row is None or row.attempts >= settings.CCHC_CODE_MAX_ATTEMPTS):
        raise ServiceError("code_expired", _("Mã đã hết hạn; hãy yêu cầu gửi mã mới."))
    if row is None or not secrets.compare_digest(row.code_hash, _hash(code.strip())):
        if row is not None:
            VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        throttle.hit(guesses[0], limit=guesses[1], window_seconds=guesses[2])
        raise ServiceError("code_wrong", _("Mã không đúng."))
    return row


def _use(row: VerificationCode) -> bool:
    """Mark the code used; False when another request used it first."""
    return bool(
        VerificationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def verify_account(user: User, code: str, *, ip: str = "?") -> User:
    row = check_code(user, code, ip=ip)
    with transaction.atomic():
        if not _use(row):
            raise ServiceError("code_expired", _("Mã đã hết hạn; hãy yêu cầu gửi mã mới."))
        user.verified_at = timezone.now()
        user.save(update_fields=["verified_at"])
        log_action(user, "account.verify", actor=user, after={"verified_at": user.verified_at})
    return user


# -- online submission ----------------------------------------------------------------------


def desks_for(version: ProcedureVersion, area: AdministrativeArea, day: dt.date) -> list[Desk]:
    """Desks that receive `version` for an applicant of `area` (R-ANYWHERE, R-ORG-2)."""
    competent = resolve_competent_agency(version.procedure, area, day)
    if competent is None:
        return []
    desks = Desk.objects.on(day).select_related("area", "agency").order_by("kind", "name")
    if version.anywhere_in_province:
        return list(desks.filter(Q(area__province=area.province) | Q(area=area.province)))
    return list(desks.filter(Q(agency=competent) | Q(area_id=competent.area_id)))


def save_upload(draft: OnlineDraft, document_id: int, upload: UploadedFile[bytes]) -> DraftUpload:
    """Content sniffed, not trusted from the name; the Vietnamese file name is kept."""
    require_verified(draft.user)
    if not draft.version.documents.filter(pk=document_id).exists():
        raise ServiceError("not_in_document_list", _("Giấy tờ không thuộc thành phần hồ sơ."))
    kind = check_scan(upload)
    row, _created = DraftUpload.objects.get_or_create(
        draft=draft,
        required_document_id=document_id,
        defaults={"file_name": "", "content_type": kind, "size": 0},
    )
    row.file.save(stored_name(kind), upload, save=False)
    row.file_name = upload.name or ""
    row.content_type = kind
    row.size = upload.size or 0
    row.save()
    return row


def declared_by_eform(version: Any) -> list[int]:
    """The components a filled e-form stands for (the declaration itself), when the version
    has one: nothing to upload for them."""
    if not version.declaration:
        return []
    return [d.pk for d in version.documents.all() if eforms.is_declaration_document(d.name)]


def stored_choices(draft: OnlineDraft) -> list[Any]:
    """The applicant's stored documents that a reusable line of this draft may take."""
    if not any(doc.reusable for doc in draft.version.documents.all()):
        return []
    return list(store.usable(store.store_of(draft.user), timezone.localdate()))


def choose_stored(draft: OnlineDraft, post: Any, document_ids: list[int]) -> None:
    """Record, per reusable line, the stored document picked instead of an upload (or none)."""
    allowed = {row.pk for row in stored_choices(draft)}
    chosen = dict(draft.data.get("reuse", {}))
    for doc_id in document_ids:
        name = f"stored-{doc_id}"
        if name not in post:
            continue
        picked = as_id(post.get(name))
        if picked in allowed:
            chosen[str(doc_id)] = picked
        else:
            chosen.pop(str(doc_id), None)
    draft.data["reuse"] = chosen


def missing_for(draft: OnlineDraft) -> list[str]:
    """What still blocks submission, in words (the check before submitting)."""
    problems = []
    data = draft.data
    if not draft.area_id:
        problems.append("Chưa chọn xã, phường nơi cư trú.")
    if not draft.desk_id:
        problems.append("Chưa chọn nơi tiếp nhận hồ sơ.")
    if not data.get("name"):
        problems.append("Chưa nhập họ tên người nộp.")
    uploaded = set(draft.uploads.values_list("required_document_id", flat=True))
    uploaded |= {int(k) for k in draft.data.get("reuse", {})}
    uploaded |= set(declared_by_eform(draft.version))
    for doc in draft.version.documents.all():
        if not doc.optional and not doc.present_only and doc.pk not in uploaded:
            problems.append(f"Chưa đính kèm: {doc.name}.")
    if draft.version.declaration:
        found = eforms.errors(draft.version.declaration, declaration_values(draft))
        problems += [_("Tờ khai: %(problem)s") % {"problem": m} for m in found.values()]
    return problems


def declaration_values(draft: OnlineDraft) -> dict[str, Any]:
    """The declaration as it stands: what was typed and saved, or, before the first save,
    what is already known (the account, the person's latest declaration)."""
    saved = draft.data.get("declaration")
    if saved is not None:
        return dict(saved)
    earlier = (
        Dossier.objects.filter(applicant_user=draft.user)
        .exclude(declaration={})
        .order_by("-pk")
        .values_list("declaration", flat=True)
        .first()
    )
    return eforms.prefill(draft.version.declaration, draft.user, earlier or {})


def require_online(version: Any) -> None:
    """Refuse an online application for a procedure that is not offered online."""
    if not version.accepts_online:
        raise Forbidden(
            "not_online",
            _(
                "Thủ tục này chưa được cung cấp trực tuyến. Ông/Bà nộp hồ sơ trực tiếp hoặc "
                "qua bưu chính tại nơi tiếp nhận ghi trên trang thủ tục."
            ),
        )


def level_needed(draft: OnlineDraft) -> int:
    """The identification level the procedure asks for and the account lacks (0: none)."""
    asked = draft.version.identity_level
    return asked if asked and identity_level(draft.user) < asked else 0


def submit_draft(draft: OnlineDraft, *, at: dt.datetime | None = None) -> Dossier:
    """R-ONLINE: the draft becomes an online dossier in the desk's queue, with its code at once."""
    user = draft.user
    require_verified(user)
    require_online(draft.version)
    require_identity_level(user, draft.version.identity_level)
    problems = missing_for(draft)
    if problems:
        raise ServiceError("incomplete", " ".join(problems), {"missing": problems})
    data = draft.data
    uploads = {u.required_document_id: u for u in draft.uploads.all()}
    reused = {int(k): int(v) for k, v in data.get("reuse", {}).items()}
    declared = set(declared_by_eform(draft.version))
    documents = [
        ds.DocumentInput(
            doc.name,
            doc.pk,
            doc.originals,
            doc.copies,
            True,
            uploads[doc.pk].file if doc.pk in uploads and doc.pk not in reused else None,
            stored_id=reused.get(doc.pk) if doc.reusable else None,
        )
        for doc in draft.version.documents.all()
        if doc.pk in uploads or (doc.reusable and doc.pk in reused) or doc.pk in declared
    ]
    with transaction.atomic():
        dossier = intake(
            client=user,
            sender_reference=f"draft-{draft.pk}",
            version=draft.version,
            desk=draft.desk,  # type: ignore[arg-type]
            applicant=applicant_from(user, data, draft.area),  # type: ignore[arg-type]
            documents=documents,
            applicant_user=user,
            at=at,
            request_note=str(data.get("request_note", "")),
            declaration=declaration_values(draft) if draft.version.declaration else None,
        )
        draft.status = DraftStatus.SUBMITTED
        draft.dossier = dossier
        draft.save(update_fields=["status", "dossier", "updated_at"])
        discard_draft(draft)  # the dossier holds its own copy of each file
        notify_submitted(dossier)
    return dossier


def applicant_from(user: User, data: dict[str, Any], area: AdministrativeArea) -> ds.Applicant:
    organisation = user.kind == AccountKind.ORGANISATION
    birth = data.get("birth_date") or None
    return ds.Applicant(
        kind=dc.ApplicantKind.ORGANISATION if organisation else dc.ApplicantKind.CITIZEN,
        name=str(data.get("name") or user.full_name),
        area=area,
        birth_date=dt.date.fromisoformat(birth) if birth else None,
        id_number="" if organisation else user.id_number,
        tax_code=user.tax_code if organisation else "",
        representative=str(data.get("representative") or user.representative),
        phone=str(data.get("phone") or user.phone),
        email=str(data.get("email") or user.email),
        address=str(data.get("address", "")),
    )


def intake(
    *,
    client: Any,
    sender_reference: str,
    version: ProcedureVersion,
    desk: Desk,
    applicant: ds.Applicant,
    documents: list[ds.DocumentInput],
    applicant_user: Any = None,
    submission_code: str = "",
    at: dt.datetime | None = None,
    request_note: str = "",
    declaration: dict[str, Any] | None = None,
) -> Dossier:
    """The one door for online dossiers (portal pages, the national portal's connector).

    Idempotent by the sender's reference: a retried delivery returns the dossier already made.
    """
    return ds.start_dossier(
        version=version,
        desk=desk,
        applicant=applicant,
        channel=dc.Channel.ONLINE,
        documents=documents,
        actor=client,
        at=at,
        idempotency_key=sender_reference[:100],
        submission_code=submission_code,
        applicant_user=applicant_user,
        request_note=request_note,
        declaration=declaration,
    )


# -- lookup ---------------------------------------------------------------------------------


PUBLIC_FIELDS = (
    "code",
    "submission_code",
    "lookup_secret",
    "status",
    "submitted_at",
    "due_at",
    "returned_at",
    "outcome",
    "result_summary",
    "result_file",
    "result_content_type",
    "result_signed_at",
    "return_method",
    "procedure_version__name",
    "procedure_version__result_document",
)


def find_by_secret(code: str, secret: str) -> Dossier | None:
    """The dossier whose code (or online submission code) and lookup secret both match, with
    `rated` (whether the applicant has rated it), all in one statement."""
    code, secret = code.strip()[:60], secret.strip().upper()[:12]
    if not code or not secret:
        return None
    found: Dossier | None = (
        Dossier.objects.filter(Q(code=code) | Q(submission_code=code))
        .select_related("procedure_version")
        # what the public page shows; anything else a caller touches loads on access
        .only(*PUBLIC_FIELDS)
        .annotate(rated=Exists(Rating.objects.filter(dossier=OuterRef("pk"))))
        .first()
    )
    if found is None or not found.lookup_secret:
        return None
    return found if secrets.compare_digest(found.lookup_secret, secret) else None


# -- ratings and feedback -------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    value: int
    label: str


SCALE = (Scale(2, "Hài lòng"), Scale(1, "Bình thường"), Scale(0, "Không hài lòng"))


@transaction.atomic
def rate(dossier: Dossier, *, scores: dict[str, int], comment: str, channel: str) -> Rating:
    """One rating per returned dossier, on the administrator's criteria (R-RATING)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != dc.Status.RETURNED:
        raise ServiceError("not_returned", _("Chỉ đánh giá được hồ sơ đã trả kết quả."))
    if Rating.objects.filter(dossier=locked).exists():
        raise ServiceError("already_rated", _("Hồ sơ này đã được đánh giá."))
    criteria = {c.code for c in RatingCriterion.objects.filter(active=True)}
    allowed = {s.value for s in SCALE}
    clean = {k: int(v) for k, v in scores.items() if k in criteria and int(v) in allowed}
    if set(clean) != criteria:
        raise ServiceError("incomplete", _("Vui lòng chọn mức đánh giá cho mọi tiêu chí."))
    rating = Rating.objects.create(
        dossier=locked,
        scores=clean,
        comment=comment.strip()[:2000],
        channel=channel,
        satisfied=min(clean.values(), default=0) > 0,
    )
    log_action(locked, "dossier.rate", actor=None, actor_label="người nộp", after=clean)
    return rating


def feedback_due(received: dt.datetime) -> dt.datetime:
    calendar = calendar_for(default_province())
    from decimal import Decimal

    return calendar.due(received, Limit(Decimal(settings.CCHC_FEEDBACK_DAYS)))


@transaction.atomic
def submit_feedback(**values: Any) -> Feedback:
    if not str(values.get("content", "")).strip():
        raise ServiceError("invalid_input", _("Cần nhập nội dung phản ánh, kiến nghị."))
    if not str(values.get("name", "")).strip() or not str(values.get("contact", "")).strip():
        raise ServiceError("invalid_input", _("Cần nhập họ tên và cách liên hệ để nhận trả lời."))
    now = timezone.now()
    day = timezone.localtime(now)

    code = f"PAKN-{day:%y%m%d}-{next_number(f'feedback:{day:%y%m%d}'):04d}"
    feedback = Feedback.objects.create(
        tracking_code=code,
        secret=ds_secret(),
        received_at=now,
        due_at=feedback_due(now),
        agency=handling_agency(values.get("desk"), values.get("dossier")),
        **values,
    )
    log_action(feedback, "feedback.receive", actor=None, actor_label=feedback.name)
    return feedback


def handling_agency(desk: Any, dossier: Any) -> Any:
    """Who must answer: the agency of the desk concerned, else the agency settling the
    dossier concerned; otherwise nobody yet (the reform office routes it)."""
    if desk is not None:
        return desk.agency
    if dossier is not None:
        return dossier.competent_agency
    return None


def may_route_feedback(user: Any, feedback: Feedback) -> bool:
    """The reform office routes anything; an agency's leader passes on what it was sent."""
    if user.is_superuser:
        return True
    memberships = list(user.current_memberships())
    if any(m.role == Role.REFORM_OFFICER for m in memberships):
        return True
    if feedback.agency_id is None:
        return False
    above = feedback.agency.parent_id
    return any(
        (m.agency_id == feedback.agency_id and m.role in FEEDBACK_HANDLERS)
        or (m.agency_id == above and m.role == Role.AGENCY_LEADER)
        for m in memberships
    )


# Who answers an agency's feedback: its leaders and, at a Center, the supervisor.
FEEDBACK_HANDLERS = (Role.AGENCY_LEADER, Role.DIVISION_HEAD, Role.CENTER_SUPERVISOR)


@transaction.atomic
def forward_feedback(feedback: Feedback, *, to_agency: Any, reason: str, actor: User) -> Feedback:
    """Send a feedback on to the agency that must answer it, with the reason; its due date
    stays (the applicant's wait does not restart)."""
    if not reason.strip():
        raise ServiceError("reason_required", _("Cần ghi lý do chuyển phản ánh, kiến nghị."))
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if locked.status == FeedbackStatus.ANSWERED:
        raise ServiceError("already_answered", _("Phản ánh, kiến nghị này đã được trả lời."))
    if not may_route_feedback(actor, locked):
        raise Forbidden(
            "forbidden", _("Chỉ lãnh đạo cơ quan đang xử lý hoặc Sở Nội vụ được chuyển.")
        )
    if to_agency is None or to_agency.pk == locked.agency_id:
        raise ServiceError(
            "invalid_input", _("Cần chọn một cơ quan khác với cơ quan đang xử lý."), {"agency": 1}
        )
    before = {"agency": locked.agency_id}
    locked.agency = to_agency
    locked.status = FeedbackStatus.RECEIVED
    locked.save(update_fields=["agency", "status"])
    log_action(
        locked,
        "feedback.forward",
        actor=actor,
        before=before,
        after={"agency": to_agency.pk},
        reason=reason.strip(),
    )
    return locked


def ds_secret() -> str:

    return new_lookup_secret()


@transaction.atomic
def answer_feedback(
    feedback: Feedback, *, answer: str, category: str, actor: User, publish: bool
) -> Feedback:
    if not answer.strip():
        raise ServiceError("invalid_input", _("Cần nhập nội dung trả lời."))
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    before = {"status": locked.status, "answer": locked.answer}
    locked.answer = answer.strip()
    locked.category = category.strip()[:100]
    locked.status = FeedbackStatus.ANSWERED
    locked.answered_at = timezone.now()
    locked.answered_by = actor
    locked.published = publish and locked.publish_consent
    locked.save()
    log_action(
        locked,
        "feedback.answer",
        actor=actor,
        before=before,
        after={"status": locked.status, "answer": locked.answer},
    )
    return locked


def load_life_events(path: Any) -> int:
    """Create the life situations of the reviewed file; existing ones are left as edited."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        rows = yaml.safe_load(handle) or []
    created = 0
    for order, row in enumerate(rows, start=1):
        event, made = LifeEvent.objects.get_or_create(name=row["name"], defaults={"order": order})
        if made:
            event.procedures.set(Procedure.objects.filter(code__in=row.get("procedures", [])))
            created += 1
    return created


# A short set from the contents of Decree 118/2025 art. 33 (R-RATE-118); feedback handling
# and the online service are rated where they apply, so they are not mandatory questions.
DEFAULT_CRITERIA = [
    ("thoi-gian", "Thời gian giải quyết, trả kết quả"),
    ("so-co-quan", "Số cơ quan, đơn vị phải liên hệ"),
    ("so-lan-di-lai", "Số lần phải đi lại để bổ sung, hoàn thiện hồ sơ"),
    ("cong-khai", "Tính chính xác, đầy đủ của thủ tục được công khai"),
    ("thai-do", "Thái độ, tinh thần phục vụ của cán bộ, công chức"),
    ("ket-qua-chi-phi", "Kết quả đúng quy định; chi phí đúng quy định, không phát sinh thêm"),
]


def ensure_rating_criteria() -> int:
    """Create the default rating questions when none exist (the administrator edits them)."""
    if RatingCriterion.objects.exists():
        return 0
    for order, (code, text) in enumerate(DEFAULT_CRITERIA, start=1):
        RatingCriterion.objects.create(code=code, text=text, order=order)
    return len(DEFAULT_CRITERIA)


# -- counter kiosks ----------------------------------------------------------------------------

KIOSK_COOKIE = "cchc_kiosk"
KIOSK_SALT = "cchc.portal.kiosk"


def kiosk_desks(user: User) -> list[int]:
    """Desks whose tablets `user` may bind: a Center supervisor's desks (or every desk of the
    Center), the leader of the desk's agency or of the agency above it (a commune's
    chairman for the commune's centre), an administrator."""
    if user.is_superuser:
        return list(Desk.objects.values_list("pk", flat=True))
    rows = user.memberships_on().filter(role__in=(Role.CENTER_SUPERVISOR, Role.AGENCY_LEADER))
    desks = {m.desk_id for m in rows if m.desk_id}
    agencies = {m.agency_id for m in rows if not m.desk_id}
    under = Q(agency_id__in=agencies) | Q(agency__parent_id__in=agencies)
    desks |= set(Desk.objects.filter(under).values_list("pk", flat=True))
    return sorted(desks)


@transaction.atomic
def activate_kiosk(counter: Any, *, name: str, actor: User) -> tuple[KioskDevice, str]:
    """Bind a tablet to `counter`; returns the device and the value of its signed cookie."""
    if counter.desk_id not in kiosk_desks(actor):
        raise Forbidden("not_desk_supervisor", _("Chỉ người phụ trách bộ phận mới gắn thiết bị."))
    device = KioskDevice.objects.create(counter=counter, name=name[:100], activated_by=actor)
    log_action(device, "kiosk.activate", actor=actor, after={"counter": counter.pk, "name": name})
    return device, signing.dumps({"device": device.pk}, salt=KIOSK_SALT)


@transaction.atomic
def revoke_kiosk(device: KioskDevice, *, actor: User) -> None:
    if device.counter.desk_id not in kiosk_desks(actor):
        raise Forbidden("not_desk_supervisor", _("Chỉ người phụ trách bộ phận mới thu hồi."))
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        log_action(device, "kiosk.revoke", actor=actor, after={"revoked_at": device.revoked_at})


def kiosk_device(cookie: str | None) -> KioskDevice | None:
    """The active device a tablet's cookie names, or None (absent, forged or revoked)."""
    if not cookie:
        return None
    try:
        data = signing.loads(cookie, salt=KIOSK_SALT)
    except signing.BadSignature:
        return None
    device = (
        KioskDevice.objects.select_related("counter__desk")
        .filter(pk=data.get("device") if isinstance(data, dict) else None, revoked_at__isnull=True)
        .first()
    )
    if device is not None and (
        device.last_seen_at is None
        or timezone.now() - device.last_seen_at > dt.timedelta(minutes=5)
    ):
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return device


# -- forgotten password, erasure -----------------------------------------------------------------


def _public_account(contact: str) -> User | None:
    """The active citizen or organisation account signed up with this mail or phone."""
    return User.objects.filter(
        username=normalise_contact(contact),
        is_active=True,
        kind__in=(AccountKind.CITIZEN, AccountKind.ORGANISATION),
    ).first()


def request_password_reset(contact: str, *, ip: str = "?") -> None:
    """A reset code to the account's own mailbox or phone. The answer is the same whether or
    not an account exists (nobody learns who has one); sends are bounded like any code."""
    user = _public_account(contact)
    if user is not None:
        send_verification(user, ip=ip, purpose="reset")
    else:
        _limit_sends(None, ip)


def reset_password(contact: str, code: str, password: str, *, ip: str = "?") -> User:
    """The code proves the contact is the holder's: the new password is set (and an account
    not yet verified becomes verified, for the same reason)."""
    user = _public_account(contact)
    row = check_code(user, code, ip=ip)  # refuses when there is no such account
    user = row.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ServiceError("invalid_password", message, {"password": "invalid"}) from exc
    with transaction.atomic():
        if not _use(row):
            raise ServiceError("code_expired", _("Mã đã hết hạn; hãy yêu cầu gửi mã mới."))
        user.set_password(password)
        fields = ["password"]
        if user.verified_at is None:
            user.verified_at = timezone.now()
            fields.append("verified_at")
        user.save(update_fields=fields)
        log_action(user, "account.password_reset", actor=user, after={"by": "code"})
    return user


@transaction.atomic
def erase_account(user: User, *, actor: User) -> User:
    """A citizen's erasure request (Decree 13/2023, art. 16): what the law lets go is removed
    or anonymised — contact, identity, drafts and their files, tokens, sign-in links; what the
    records law requires stays — the dossiers filed (with the applicant's name and ID as
    received, for their retention period), ratings and feedback (anonymous already)."""
    if not user.is_public_account:
        raise Forbidden("not_public", _("Chỉ tài khoản công dân, tổ chức mới tự xóa được."))
    before = {"username": user.username, "kind": user.kind}
    for draft in OnlineDraft.objects.filter(user=user, status=DraftStatus.DRAFT):
        discard_draft(draft)
    OnlineDraft.objects.filter(user=user).update(data={})
    user.api_tokens.all().delete()
    user.external_identities.all().delete()
    user.verification_codes.all().delete()
    # the store's rows stay as records of the dossiers they came from, no longer the account's
    user.stored_documents.update(owner_user=None)
    Notification.objects.filter(user=user, dossier__isnull=True).delete()
    user.username = f"da-xoa-{user.pk}"
    user.email = user.phone = user.full_name = user.first_name = user.last_name = ""
    user.id_number = user.tax_code = user.representative = user.address = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    log_action(user, "account.erase", actor=actor, before=before, after={"username": user.username})
    return user


def discard_draft(draft: OnlineDraft) -> None:
    """A draft and its uploaded files, gone (after submission, after its retention, on
    erasure): the files are deleted once the transaction commits."""
    names = [u.file.name for u in draft.uploads.all() if u.file]
    storage = DraftUpload._meta.get_field("file").storage  # type: ignore[attr-defined]
    draft.uploads.all().delete()
    if draft.status == DraftStatus.DRAFT:
        draft.delete()
    transaction.on_commit(lambda: [storage.delete(n) for n in names])
