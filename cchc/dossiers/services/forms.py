"""Issuing a form (R-FORMS): a number, and the data frozen as it was at the moment of issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cchc.core.formatting import money

from .. import constants as c
from ..links import public_url
from ..models import Dossier, IssuedForm
from .common import next_number, note_written

ABBREVIATIONS = {
    c.FormKind.RECEIPT: "GTN",
    c.FormKind.SUPPLEMENT_REQUEST: "PBS",
    c.FormKind.REFUSAL: "PTC",
    c.FormKind.APOLOGY: "PXL",
    c.FormKind.STOP_NOTICE: "TBD",
}


def lookup_url(dossier: Dossier) -> str:
    return public_url("lookup", ma=dossier.code or "", mk=dossier.lookup_secret)


def local_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y")


def form_data(d: Dossier, kind: str, at: dt.datetime, actor: Any) -> dict[str, Any]:
    version = d.procedure_version
    issuer = (
        d.competent_agency
        if kind == c.FormKind.APOLOGY or (kind == c.FormKind.REFUSAL and d.received_at is not None)
        else d.receiving_agency
    )
    parent = issuer.parent.name if issuer.parent is not None else ""
    data: dict[str, Any] = {
        "code": d.code or "",
        "submission_code": d.submission_code,
        "issuer": issuer.name,
        "issuer_parent": parent,
        "desk": d.desk.name,
        "desk_address": d.desk.address,
        "place": d.province.name.replace("Tỉnh ", "").replace("Thành phố ", ""),
        "date": timezone.localtime(at).strftime("%d/%m/%Y"),
        "day": timezone.localtime(at).strftime("%d"),
        "month": timezone.localtime(at).strftime("%m"),
        "year": timezone.localtime(at).strftime("%Y"),
        "applicant": d.applicant_name,
        "applicant_kind": d.applicant_kind,
        # Forms carry the personal ID masked (Decree 13/2023, data minimisation): printing it
        # whole would show it with no access record. A business's tax code is public.
        "id_number": d.masked_id_number if d.id_number else d.tax_code,
        "representative": d.representative,
        "address": ", ".join(filter(None, [d.address, d.applicant_area.name])),
        "phone": d.phone,
        "email": d.email,
        "procedure": version.name,
        "procedure_code": d.procedure.code,
        "time_limit": version.time_limit_display(),
        "sets": d.sets,
        "documents": [
            {"name": doc.name, "originals": doc.originals, "copies": doc.copies}
            for doc in d.documents.all()
            if doc.received or doc.file
        ],
        "received_at": local_text(d.received_at),
        "due_at": local_text(d.due_at),
        "legal_due_at": local_text(d.legal_due_at),
        "return_method": d.get_return_method_display(),
        "return_code": d.return_method,
        "register_number": d.register_number,
        "fees": [
            {"name": f.name, "amount": money(f.amount), "exempt": f.exempt} for f in d.fees.all()
        ],
        "officer": (getattr(actor, "full_name", "") or str(actor)) if actor else "",
        "reason": d.refusal_reason,
    }
    if kind == c.FormKind.RECEIPT:
        data["lookup_url"] = lookup_url(d)
        data["lookup_secret"] = d.lookup_secret
    if kind == c.FormKind.SUPPLEMENT_REQUEST:
        request = d.supplement_requests.order_by("-requested_at").first()
        if request is not None:
            data["items"] = request.items
            data["reason"] = request.reason
    return data


def issue_form(
    d: Dossier,
    kind: str,
    *,
    actor: Any,
    at: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> IssuedForm:
    data = form_data(d, kind, at, actor)
    data.update(extra or {})
    issuer_pk = (
        d.competent_agency_id
        if data["issuer"] == d.competent_agency.name
        else d.receiving_agency_id
    )
    year = timezone.localtime(at).year
    sequence = next_number(f"form:{issuer_pk}:{year}:{kind}")
    abbreviation = ABBREVIATIONS[c.FormKind(kind)]
    if kind == c.FormKind.APOLOGY and d.rule_set == c.RuleSet.DECREE_118_2025:
        abbreviation = "PGH"
    form = IssuedForm.objects.create(
        dossier=d,
        kind=kind,
        number=f"{sequence}/{abbreviation}",
        rule_set=d.rule_set,
        issued_at=at,
        issued_by=actor if getattr(actor, "pk", None) else None,
        data=data,
    )
    note_written(d, "forms", form)
    return form
