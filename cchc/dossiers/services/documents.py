"""What the applicant hands in and what the desk or the agency asks to complete (R-CHECK 2,
R-NO-EXTRA): shared by reception and processing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.uploads import check_scan, stored_name

from .. import constants as c
from ..models import Dossier, DossierDocument, SupplementRequest
from . import store
from .common import Forbidden, ServiceError, acting_user
from .forms import issue_form
from .permissions import leads


@dataclass
class DocumentInput:
    name: str
    required_document_id: int | None = None
    originals: int = 0
    copies: int = 0
    received: bool = True
    upload: UploadedFile[bytes] | None = None
    stored_id: int | None = None  # taken from the applicant's document store instead


@dataclass
class SupplementItem:
    required_document_id: int
    problem: str = ""


def save_documents(
    dossier: Dossier,
    documents: list[DocumentInput],
    *,
    at: dt.datetime,
    supplement_round: int,
    new: bool = False,
) -> list[DossierDocument]:
    """Record the documents handed in; a required document already listed is updated, unless
    the dossier is `new` (nothing listed yet: the rows go in one insert). The rows, in order."""
    if not new:  # the rows change: the dossier's documents are read again after this
        dossier.__dict__.get("_prefetched_objects_cache", {}).pop("documents", None)
    saved: list[DossierDocument] = []
    plain: list[DossierDocument] = []
    for doc in documents:
        row = None
        if doc.required_document_id and supplement_round == 0 and not new:
            row = dossier.documents.filter(required_document_id=doc.required_document_id).first()
        if row is None:
            row = DossierDocument(
                dossier=dossier,
                required_document_id=doc.required_document_id,
                supplement_round=supplement_round,
                added_at=at,
            )
        row.name = doc.name
        row.originals, row.copies, row.received = doc.originals, doc.copies, doc.received
        if doc.upload is not None:
            row.content_type = check_scan(doc.upload)
            row.size = doc.upload.size or 0
            row.file_name = doc.upload.name or ""
            row.file.save(stored_name(row.content_type), doc.upload, save=False)
        elif doc.stored_id is not None:
            store.take(row, doc.stored_id, dossier=dossier, day=timezone.localdate(at))
        if new:
            plain.append(row)
        else:
            row.save()
        saved.append(row)
    DossierDocument.objects.bulk_create(plain)  # in the order handed in
    return saved


def record_supplement_request(
    d: Dossier,
    *,
    items: list[SupplementItem],
    reason: str,
    actor: Any,
    at: dt.datetime,
    at_reception: bool,
    override_reason: str = "",
) -> SupplementRequest:
    """R-CHECK 2, R-NO-EXTRA: one request naming items of the version's own list."""
    if not items:
        raise ServiceError("items_required", _("Cần chọn ít nhất một giấy tờ phải bổ sung."))
    listed = {doc.pk: doc for doc in d.procedure_version.documents.all()}
    unknown = [i.required_document_id for i in items if i.required_document_id not in listed]
    if unknown:
        raise ServiceError(
            "not_in_document_list",
            _("Chỉ được yêu cầu bổ sung giấy tờ có trong thành phần hồ sơ của thủ tục."),
            {"unknown": unknown},
        )
    if d.supplement_rounds >= 1:
        if not override_reason.strip():
            raise ServiceError(
                "second_supplement",
                _(
                    "Hồ sơ đã được yêu cầu bổ sung một lần; lần thứ hai cần lãnh đạo quyết định và "
                    "ghi rõ lý do."
                ),
            )
        if not leads(actor, d.competent_agency_id, d.receiving_agency_id):
            raise Forbidden(
                "leader_required", _("Thao tác này cần lãnh đạo cơ quan giải quyết thực hiện.")
            )
    d.supplement_rounds += 1
    request = SupplementRequest.objects.create(
        dossier=d,
        at_reception=at_reception,
        requested_at=at,
        requested_by=acting_user(actor),
        items=[
            {
                "document": i.required_document_id,
                "name": listed[i.required_document_id].name,
                "originals": listed[i.required_document_id].originals,
                "copies": listed[i.required_document_id].copies,
                "problem": i.problem,
            }
            for i in items
        ],
        reason=reason,
        override_reason=override_reason,
    )
    issue_form(d, c.FormKind.SUPPLEMENT_REQUEST, actor=actor, at=at)
    return request
