"""Forms as PDF (R-FORMS): HTML templates an administrator can adjust, printed by WeasyPrint."""

from __future__ import annotations

import logging
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import constants as c
from .models import Dossier, IssuedForm


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=3, border=1)


def form_title(form: IssuedForm) -> str:
    if form.rule_set == c.RuleSet.DECREE_118_2025 and form.kind in c.FORM_TITLES_2025:
        return str(c.FORM_TITLES_2025[c.FormKind(form.kind)])
    return str(c.FormKind(form.kind).label)


logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported lazily: pango is loaded only when printing

    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def render_form(form: IssuedForm) -> bytes:
    with translation.override("vi"):  # official forms are Vietnamese whatever the UI language
        return _render_form(form)


def _render_form(form: IssuedForm) -> bytes:
    context: dict[str, Any] = {
        "form": form,
        "d": form.data,
        "title": form_title(form),
        "page_size": "A4",
    }
    if form.kind == c.FormKind.RECEIPT and form.data.get("lookup_url"):
        context["qr"] = qr_data_uri(form.data["lookup_url"])
    return html_to_pdf(render_to_string(f"dossiers/forms/{form.kind}.html", context))


def render_control_slip(dossier: Dossier) -> bytes:
    """The process control slip, filled from the hand-overs (R-TRANSFER, form 05/06)."""
    handovers = dossier.handovers.select_related("from_agency", "to_agency", "from_user", "step")
    context = {
        "dossier": dossier,
        "handovers": handovers,
        "title": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "page_size": "A4",
        "printed_at": timezone.now(),
        "d": {
            "issuer": dossier.receiving_agency.name,
            "issuer_parent": getattr(dossier.receiving_agency.parent, "name", ""),
        },
    }
    with translation.override("vi"):
        return html_to_pdf(render_to_string("dossiers/forms/control_slip.html", context))


def render_declaration(dossier: Dossier) -> bytes:
    """The declaration (tờ khai) as the printed form: its sections in the template's order,
    the undertaking, the place and day of submission and the declarant's signature block."""
    from cchc.procedures.eforms import readable

    definition = dossier.procedure_version.declaration or {}
    moment = timezone.localtime(dossier.submitted_at)
    area = dossier.applicant_area
    context = {
        "dossier": dossier,
        "title": definition.get("title", ""),
        "page_size": "A4",
        "sections": readable(definition, dossier.declaration or {}),
        # the form's own undertaking, ticked, stands for the standard sentence
        "undertaken": bool((dossier.declaration or {}).get("cam_doan")),
        "addressee": getattr(dossier.competent_agency, "name", ""),
        "online": dossier.channel == c.Channel.ONLINE,
        "d": {
            "place": area.name if area is not None else "",
            "day": f"{moment:%d}",
            "month": f"{moment:%m}",
            "year": f"{moment:%Y}",
        },
    }
    with translation.override("vi"):
        return html_to_pdf(render_to_string("dossiers/forms/declaration.html", context))


def signed_form(form: IssuedForm) -> bytes:
    """The issued form as a signed PDF (R-FORMS): the apology is the competent agency's, every
    other form the receiving agency's; the stamp's QR code opens the verification page."""
    from cchc.core.signing import sign_pdf

    from .links import verify_url

    d = form.dossier
    agency: Any = d.competent_agency if form.kind == c.FormKind.APOLOGY else d.receiving_agency
    officer = form.issued_by
    signer = (getattr(officer, "full_name", "") or str(officer)) if officer else agency.name
    return sign_pdf(
        render_form(form),
        code=agency.eid_code,
        agency=agency.name,
        signer_name=signer,
        reason=f"{form.get_kind_display()} số {form.number}",
        url=verify_url("form", form.pk),
    )
