"""The desk's reception decision, one service for the desk page and the API (R-CHECK):
record what was handed in, then receive it, ask to complete it, refuse it, or settle it at
once — in one transaction, so a refused decision leaves nothing half-made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.organizations.models import Desk
from cchc.procedures.models import ProcedureVersion

from .. import constants as c
from ..models import Dossier
from .common import ServiceError
from .documents import DocumentInput, SupplementItem
from .reception import (
    Applicant,
    FeeInput,
    receive,
    refuse_reception,
    request_completion,
    start_dossier,
)
from .returns import FeeSettlement, settle_at_once

RECEIVE, REQUEST_COMPLETION, REFUSE, AT_ONCE, NONE = (
    "receive",
    "request_completion",
    "refuse",
    "at_once",
    "none",
)
OUTCOMES = (RECEIVE, REQUEST_COMPLETION, REFUSE, AT_ONCE, NONE)


def take(
    *,
    outcome: str,
    version: ProcedureVersion,
    desk: Desk,
    applicant: Applicant,
    channel: str,
    documents: list[DocumentInput],
    actor: Any,
    fees: list[FeeInput] | None = None,
    sets: int = 1,
    return_method: str = c.ReturnMethod.DESK,
    request_note: str = "",
    idempotency_key: str = "",
    missing: list[SupplementItem] | None = None,
    reason: str = "",
    returned_to: str = "",
    fee_receipt: str = "",
    at: dt.datetime | None = None,
    declaration: dict[str, Any] | None = None,
    on_behalf: str = "",
    key_checked: bool = False,
) -> Dossier:
    """Start the dossier and apply the officer's `outcome`; a replayed `idempotency_key`
    returns the dossier the first request made (flagged `replayed`), untouched."""
    if outcome not in OUTCOMES:
        raise ServiceError("invalid_input", _("Quyết định tiếp nhận không hợp lệ."), {"outcome": 1})
    with transaction.atomic():
        dossier = start_dossier(
            version=version,
            desk=desk,
            applicant=applicant,
            channel=channel,
            documents=documents,
            actor=actor,
            at=at,
            sets=sets,
            return_method=return_method,
            request_note=request_note,
            fees=fees,
            idempotency_key=idempotency_key,
            declaration=declaration,
            on_behalf=on_behalf,
            key_checked=key_checked,
        )
        if getattr(dossier, "replayed", False) or outcome == NONE:
            return dossier
        if outcome == RECEIVE:
            return receive(dossier, actor=actor, at=at)
        if outcome == REQUEST_COMPLETION:
            return request_completion(
                dossier, items=missing or [], reason=reason, actor=actor, at=at
            )
        if outcome == REFUSE:
            return refuse_reception(dossier, reason=reason, actor=actor, at=at)
        # settled while the applicant waits: the fees are collected now, on one receipt
        fees_paid = [
            FeeSettlement(fee.pk, receipt_number=fee_receipt)
            for fee in dossier.fees.filter(exempt=False, paid_at__isnull=True)
        ]
        return settle_at_once(
            dossier,
            actor=actor,
            returned_to=returned_to or applicant.name,
            at=at,
            fees=fees_paid if fee_receipt.strip() else None,
        )
