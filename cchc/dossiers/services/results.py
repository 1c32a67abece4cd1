"""The signed result (R-RESULT-SIGNED): numbered in the issuing agency's register of the year
and signed (PAdES) by its leader, so that it can be delivered electronically and verified by
anyone. The result attached at the last step is signed as it is (a PDF) or as a PDF of the
scan; without one, the agency's notice of the result is drawn and signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.core.signing import sign_pdf
from cchc.core.text import fold
from cchc.core.uploads import stored_name

from .. import constants as c
from ..links import verify_url
from ..models import Dossier
from . import store
from .common import ServiceError, dossier_action, next_number
from .permissions import require

A = c.Action


def agency_symbol(name: str) -> str:
    """ "Ủy ban nhân dân Xã Chiềng Mung" → "UBND", "Sở Xây dựng" → "SXD": the initials of the
    agency's kind, as document symbols write them (Decree 30/2020, appendix III)."""
    words = fold(name).upper().split()
    if name.lower().startswith(("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd")):
        return "UBND"
    if words and words[0] == "SO":  # "Sở …": S + the field's initials
        return "S" + "".join(w[0] for w in words[1:3])
    return "".join(w[0] for w in words[:4]) or "CQ"


def result_number(d: Dossier, agency: Any, at: dt.datetime) -> str:
    """The next number of `agency`'s register of results for the year: "15/KQ-UBND"."""
    year = timezone.localdate(at).year
    n = next_number(f"result:{agency.pk}:{year}")
    return f"{n}/KQ-{agency_symbol(agency.name)}"


def _result_pdf(d: Dossier, number: str, signer: str, at: dt.datetime) -> bytes:
    """The document to sign: the attached PDF, a PDF of the attached scan, or the notice."""
    if d.result_file:
        with d.result_file.open("rb") as handle:
            data: bytes = handle.read()
        if data.startswith(b"%PDF"):
            return data
        from PIL import Image

        out = io.BytesIO()
        Image.open(io.BytesIO(data)).convert("RGB").save(out, "PDF", resolution=150)
        return out.getvalue()
    from ..pdf import html_to_pdf

    agency = _issuer(d)
    moment = timezone.localtime(at)
    with translation.override("vi"):
        html = render_to_string(
            "dossiers/forms/result_notice.html",
            {
                "title": "Thông báo kết quả giải quyết thủ tục hành chính",
                "page_size": "A4",
                "number": number,
                "dossier": d,
                "signer": signer,
                "d": {
                    "issuer": agency.name,
                    "issuer_parent": agency.parent.name if agency.parent_id else "",
                    "place": d.province.name.removeprefix("Tỉnh ") if d.province_id else "",
                    "day": f"{moment:%d}",
                    "month": f"{moment:%m}",
                    "year": f"{moment:%Y}",
                },
            },
        )
    return html_to_pdf(html)


def _issuer(d: Dossier) -> Any:
    """The agency that decided (not the desk that holds the dossier for the return)."""
    if d.competent_agency is None:
        raise ServiceError("no_agency", _("Hồ sơ chưa có cơ quan giải quyết để ký kết quả."))
    return d.competent_agency


@dossier_action(A.SIGN_RESULT)
def sign_result(
    d: Dossier, *, actor: Any, at: dt.datetime, valid_until: dt.date | None = None
) -> None:
    """The agency's leader numbers and signs the result; it can then be sent electronically,
    and a granted result is kept in the applicant's document store (valid until `valid_until`,
    or without end)."""
    require(A.SIGN_RESULT, actor, d)
    if valid_until is not None and valid_until < timezone.localdate(at):
        raise ServiceError(
            "valid_until_past", _("Ngày hết hiệu lực của kết quả không được trước ngày ký.")
        )
    if d.result_signed_at is not None:
        raise ServiceError("already_signed", _("Kết quả đã được ký số."))
    if d.refusal_reason:
        raise ServiceError(
            "refusal", _("Hồ sơ bị từ chối: văn bản từ chối được ký cùng phiếu đã cấp.")
        )
    agency = _issuer(d)
    signer = (getattr(actor, "full_name", "") or str(actor)) if actor else agency.name
    number = result_number(d, agency, at)
    document = _result_pdf(d, number, signer, at)
    signed = sign_pdf(
        document,
        code=agency.eid_code,
        agency=agency.name,
        signer_name=signer,
        reason=f"Kết quả giải quyết hồ sơ {d.code}, số {number}",
        url=verify_url("result", d.pk),
    )
    d.result_file.save(stored_name("application/pdf"), ContentFile(signed), save=False)
    d.result_content_type = "application/pdf"
    d.result_number = number
    d.result_signed_at = at
    d.result_signer = signer
    d.result_sha256 = hashlib.sha256(signed).hexdigest()
    store.keep_result(d, at=at, valid_until=valid_until)
