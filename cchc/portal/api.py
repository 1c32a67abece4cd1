"""`/api/v1/intake/…`: the one door for online dossiers (portal pages, national-portal connector).

Authenticated as a system client (an account of kind "system" with an API token); idempotent by
the sender's reference; the sender's own submission code is kept on the dossier.
"""

import base64
import binascii
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from cchc.accounts.auth import AUTH
from cchc.accounts.models import AccountKind
from cchc.core.api import ApiError, ErrorOut
from cchc.dossiers import services as ds
from cchc.dossiers.api import ApplicantIn
from cchc.dossiers.models import Dossier
from cchc.dossiers.services.common import ServiceError
from cchc.integrations.dvcqg.mapping import status_codes
from cchc.organizations.models import AdministrativeArea, Desk
from cchc.procedures.models import ProcedureVersion

from . import services

router = Router(tags=["intake"], auth=AUTH)


class IntakeDocumentIn(Schema):
    required_document: int
    file_name: str = Field(..., max_length=255)
    content_base64: str = Field(..., description="Nội dung tệp (PDF, JPEG, PNG), mã hóa base64")


class IntakeIn(Schema):
    sender_reference: str = Field(..., min_length=1, max_length=100)
    submission_code: str = Field("", max_length=80, description="Mã hồ sơ của hệ thống gửi")
    procedure: str
    desk: int
    applicant: ApplicantIn
    documents: list[IntakeDocumentIn] = []
    submitted_at: dt.datetime | None = None


class IntakeOut(Schema):
    id: int
    submission_code: str
    status: str
    status_label: str
    national_status: int = Field(
        description="Trạng thái theo bảng mã của Cổng DVCQG (TrangThaiHoSo 1–10)"
    )
    desk: str

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_national_status(obj: Dossier) -> int:
        return status_codes().get(obj.status, 0)

    @staticmethod
    def resolve_desk(obj: Dossier) -> str:
        return obj.desk.name


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/dossiers",
    response={201: IntakeOut, 200: IntakeOut, **ERRORS},
    summary="Nhận hồ sơ trực tuyến từ cổng dịch vụ công",
)
def intake_dossier(request: HttpRequest, payload: IntakeIn) -> Any:
    client = request.user
    if getattr(client, "kind", "") != AccountKind.SYSTEM:
        raise ApiError(
            403, "not_a_system_client", _("Chỉ hệ thống tích hợp được gửi hồ sơ vào đây.")
        )
    existing = Dossier.objects.filter(
        created_by=client, idempotency_key=payload.sender_reference
    ).first()
    if existing is not None:
        return Status(200, existing)
    today = timezone.localdate()
    version = ProcedureVersion.objects.in_force_for(payload.procedure, today)
    if version is None:
        raise ApiError(404, "procedure_not_found", _("Không tìm thấy thủ tục đang có hiệu lực."))
    desk = Desk.objects.on(today).filter(pk=payload.desk).first()
    if desk is None:
        raise ApiError(404, "desk_not_found", _("Không tìm thấy nơi tiếp nhận."))
    a = payload.applicant
    area = AdministrativeArea.objects.on(today).filter(code=a.area_code, level="commune").first()
    if area is None:
        raise ApiError(422, "invalid_parameter", _("Mã xã, phường không hợp lệ."))
    listed = {doc.pk: doc for doc in version.documents.all()}
    documents = []
    for item in payload.documents:
        doc = listed.get(item.required_document)
        if doc is None:
            raise ApiError(422, "not_in_document_list", _("Giấy tờ không thuộc thành phần hồ sơ."))
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(
                422,
                "invalid_file",
                _("Tệp “%(item_file_name)s” không đọc được.") % {"item_file_name": item.file_name},
            ) from exc
        upload = SimpleUploadedFile(item.file_name, content)
        documents.append(
            ds.DocumentInput(doc.name, doc.pk, doc.originals, doc.copies, True, upload)
        )
    try:
        dossier = services.intake(
            client=client,
            sender_reference=payload.sender_reference,
            version=version,
            desk=desk,
            applicant=a.to_applicant(area),
            documents=documents,
            submission_code=payload.submission_code,
            at=payload.submitted_at,
        )
    except ServiceError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from exc
    if getattr(dossier, "replayed", False):
        # the same delivery raced another: answer with the dossier the first one made
        return Status(200, dossier)
    return Status(201, dossier)


verify_router = Router(tags=["verify"])


class VerifyOut(Schema):
    valid: bool = Field(description="Chữ ký hợp lệ, tin cậy, phủ toàn bộ tệp")
    reasons: list[str] = Field(description="Lý do khi không hợp lệ")
    signers: list[str]
    signed_at: list[dt.datetime]
    sha256: str


@verify_router.post(
    "/verify",
    response={200: VerifyOut},
    auth=None,
    summary="Xác thực một tệp PDF đã ký số (ai cũng dùng được)",
)
def verify(request: HttpRequest, file: File[UploadedFile]) -> Any:
    from cchc.core.signing import verify_pdf

    if file.size and file.size > settings.CCHC_SCAN_MAX_BYTES:
        raise ApiError(413, "too_large", _("Tệp quá lớn để kiểm tra."))
    verdict = verify_pdf(file.read())
    return {
        "valid": verdict.valid,
        "reasons": verdict.reasons,
        "signers": verdict.signers,
        "signed_at": verdict.signed_at,
        "sha256": verdict.sha256,
    }
