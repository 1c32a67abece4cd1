"""The applicant's document store (kho dữ liệu điện tử, checklist item 19; R-DIGITISE,
R-REUSE in docs/rules.md).

What goes in: every signed result of a granted dossier, and every paper document the desk
scanned at reception (digitised), each kept for its owner — the person's ID number or the
organisation's tax code, and their account when the dossier came from one.

What comes out: when a later dossier needs a document its procedure marks reusable, the
applicant (online) or the desk officer (with the applicant in front of them) takes the stored
one instead of a new copy. It is checked when taken — a signed result's signature validated,
a digitised scan's fingerprint compared — and that check is recorded on the dossier's line,
which the officer sees.

Who sees a store: its owner's account (documents of the account's own dossiers, and, once the
account is linked to the national electronic identity, every document held under its verified
ID number); the desk, for the applicant whose identity it has checked. Personal-data law
(checklist item 38) allows reuse for the data subject, not for anyone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.services import national_identities
from cchc.core.signing import verify_pdf

from .. import constants as c
from ..models import Dossier, DossierDocument, StoredDocument
from .common import ServiceError, record_row_change


def owner_number(d: Dossier) -> str:
    """Whose documents these are: the person's ID number, else the organisation's tax code."""
    return (d.id_number or d.tax_code or "").strip()


def _digest(field: Any) -> tuple[str, int]:
    with field.open("rb") as handle:
        data = handle.read()
    return hashlib.sha256(data).hexdigest(), len(data)


def result_name(version: Any) -> str:
    """What the result is called: the version's result document, else its name without the
    verb ("Cấp Giấy xác nhận tình trạng hôn nhân" → "Giấy xác nhận tình trạng hôn nhân")."""
    if version.result_document:
        return str(version.result_document)
    name = re.sub(r"^(cấp lại|cấp đổi|cấp)\s+", "", version.name.strip(), flags=re.IGNORECASE)
    return name[:1].upper() + name[1:]


def keep_result(d: Dossier, *, at: dt.datetime, valid_until: dt.date | None = None) -> None:
    """A granted dossier's signed result goes into its owner's store."""
    number = owner_number(d)
    if d.outcome == c.Outcome.REFUSED or not d.result_file or not (number or d.applicant_user_id):
        return
    version = d.procedure_version
    row = StoredDocument.objects.create(
        owner_number=number,
        owner_user_id=d.applicant_user_id,
        kind=c.StoredKind.RESULT,
        name=result_name(version)[:500],
        number=d.result_number,
        agency_id=d.competent_agency_id,
        issued_on=timezone.localdate(at),
        valid_until=valid_until,
        file=d.result_file.name,
        content_type=d.result_content_type or "application/pdf",
        size=d.result_file.size,
        sha256=d.result_sha256 or _digest(d.result_file)[0],
        source_dossier=d,
        created_at=at,
    )
    record_row_change(d, row, "kept_in_store", None, f"{row.name} {row.number}".strip())


def keep_digitised(d: Dossier, *, at: dt.datetime) -> int:
    """R-DIGITISE: the paper documents the desk scanned at reception are kept for their owner
    (what arrived online is the applicant's own upload, and a reused document is already
    kept)."""
    number = owner_number(d)
    if d.channel == c.Channel.ONLINE or not (number or d.applicant_user_id):
        return 0
    rows = []
    scans = [
        doc
        for doc in d.documents.all()  # the reception's own rows, when it holds them
        if doc.received and doc.reused_from_id is None and doc.file
    ]
    for doc in scans:
        sha256, size = _digest(doc.file)
        rows.append(
            StoredDocument(
                owner_number=number,
                owner_user_id=d.applicant_user_id,
                kind=c.StoredKind.DIGITISED,
                name=doc.name[:500],
                agency_id=d.receiving_agency_id,
                issued_on=timezone.localdate(at),
                file=doc.file.name,
                content_type=doc.content_type,
                size=size,
                sha256=sha256,
                source_dossier=d,
                source_document=doc,
                created_at=at,
            )
        )
    StoredDocument.objects.bulk_create(rows)
    for row in rows:  # in the reception's audit event
        record_row_change(d, row, "kept_in_store", None, row.name)
    return len(rows)


def identity_verified(user: Any) -> bool:
    """Whether the account is linked to the national electronic identity (VNeID): only then is
    its ID number proven, and documents held under that number its own."""
    return national_identities().filter(user=user).exists()


def store_of(user: Any) -> QuerySet[StoredDocument]:
    """The documents an account may see and reuse."""
    if not getattr(user, "is_authenticated", False):
        return StoredDocument.objects.none()
    mine = Q(owner_user=user)
    number = (getattr(user, "id_number", "") or getattr(user, "tax_code", "") or "").strip()
    if number and identity_verified(user):
        mine |= Q(owner_number=number)
    return StoredDocument.objects.filter(mine).select_related("agency")


def store_for_applicant(number: str) -> QuerySet[StoredDocument]:
    """The documents held under an ID number or tax code, for the desk (which has checked the
    applicant's identity in person)."""
    number = (number or "").strip()
    if not number:
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner_number=number).select_related("agency")


def usable(rows: QuerySet[StoredDocument], day: dt.date) -> QuerySet[StoredDocument]:
    """Still valid on `day`."""
    return rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def _belongs(stored: StoredDocument, d: Dossier) -> bool:
    number = owner_number(d)
    return bool(
        (number and stored.owner_number == number)
        or (stored.owner_user_id and stored.owner_user_id == d.applicant_user_id)
    )


def check(stored: StoredDocument) -> tuple[bool, str]:
    """Whether the stored file is still what was stored: a signed result must validate
    (pyHanko), a digitised scan must match its fingerprint. The finding in words."""
    try:
        with stored.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        return False, _("Không đọc được tệp trong kho dữ liệu.")
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        return False, _("Tệp trong kho đã bị thay đổi so với khi lưu.")
    if stored.kind == c.StoredKind.RESULT and stored.content_type == "application/pdf":
        verdict = verify_pdf(data)
        if not verdict.valid:
            return False, "; ".join(verdict.reasons) or _("Chữ ký số không hợp lệ.")
        return True, _("Chữ ký số hợp lệ (%(signers)s); tệp nguyên vẹn.") % {
            "signers": ", ".join(verdict.signers)
        }
    return True, _("Bản số hóa nguyên vẹn (trùng dấu vân tay SHA-256 khi lưu).")


def take(row: DossierDocument, stored_id: int, *, dossier: Dossier, day: dt.date) -> None:
    """Fill a dossier's line with a stored document instead of a new copy, after checking that
    it is the applicant's, valid, asked for by a reusable requirement and intact."""
    key = f"documents.{row.required_document_id or row.name}"
    stored = StoredDocument.objects.filter(pk=stored_id).first()
    requirement = row.required_document
    if stored is None or not _belongs(stored, dossier):
        raise ServiceError(
            "not_in_store",
            _("Giấy tờ chọn không có trong kho dữ liệu của người nộp."),
            {key: _("Giấy tờ chọn không có trong kho dữ liệu của người nộp.")},
        )
    if requirement is None or not requirement.reusable:
        message = _("Thành phần này không được thay bằng giấy tờ trong kho dữ liệu.")
        raise ServiceError("not_reusable", message, {key: message})
    if not stored.is_valid_on(day):
        message = _("Giấy tờ trong kho đã hết hiệu lực ngày %(day)s.") % {
            "day": f"{stored.valid_until:%d/%m/%Y}"
        }
        raise ServiceError("expired", message, {key: message})
    ok, finding = check(stored)
    if not ok:
        raise ServiceError("store_check_failed", finding, {key: finding})
    row.reused_from = stored
    row.reuse_check = finding[:300]
    row.received = True
    row.file.name = stored.file.name
    row.file_name = str(stored)[:255]
    row.content_type = stored.content_type
    row.size = stored.size
