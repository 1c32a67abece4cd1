"""The demo citizen's own dossiers, one in each state a citizen meets: waiting for the desk,
being settled, asked for a supplement, a result on its way by post, and returned with a
result to rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cchc.calendars.services import calendar_for, default_province
from cchc.core.signing import SigningError
from cchc.dossiers import constants as c
from cchc.dossiers import services as s
from cchc.dossiers.models import Dossier, DossierFee
from cchc.organizations.constants import DeskKind
from cchc.organizations.models import Desk
from cchc.procedures.models import ProcedureVersion


def _working_moment(calendar: Any, before: dt.datetime, days: int, hour: int) -> dt.datetime:
    """`hour` o'clock on the working day `days` working days before `before`."""
    day = timezone.localdate(before)
    for _ in range(days):
        day = calendar.previous_working_day(day)
    return calendar.day_start(day).replace(hour=hour, minute=0)


def give_citizen_dossiers(citizen: Any) -> int:
    """Five online dossiers for `citizen` at the first commune desk; nothing when they have
    dossiers already (make demo runs again)."""
    if Dossier.objects.filter(applicant_user=citizen).exists():
        return 0
    today = timezone.localdate()
    desk = (
        Desk.objects.on(today)
        .filter(kind=DeskKind.COMMUNE_CENTER)
        .select_related("area")
        .order_by("name")
        .first()
    )
    if desk is None:
        return 0
    calendar = calendar_for(default_province())
    now = timezone.now()
    versions = {
        v.procedure.code: v
        for v in ProcedureVersion.objects.in_force_at().select_related("procedure")
    }

    def start(code: str, at: dt.datetime, method: str = c.ReturnMethod.ELECTRONIC) -> Dossier:
        version = versions[code]
        return s.start_dossier(
            version=version,
            desk=desk,
            applicant=s.Applicant(
                kind=c.ApplicantKind.CITIZEN,
                name=citizen.full_name,
                area=desk.area,
                id_number=citizen.id_number,
                email=citizen.email,
                address="Bản Mé",
            ),
            channel=c.Channel.ONLINE,
            documents=[
                s.DocumentInput(doc.name, doc.pk, doc.originals, doc.copies, True)
                for doc in version.documents.all()
            ],
            actor=None,
            at=at,
            return_method=method,
            applicant_user=citizen,
        )

    def fresh(d: Dossier) -> Dossier:
        return Dossier.objects.get(pk=d.pk)

    # returned, ready to be rated
    t = _working_moment(calendar, now, 8, 8)
    d = s.receive(start("1.004873", t), actor=None, at=t)
    while d.status == c.Status.IN_PROGRESS:
        t += dt.timedelta(hours=1)
        d = s.complete_step(d, actor=None, at=t)
    method = d.return_method
    try:  # numbered and signed with the demo CA (CCHC_DEMO_SIGNING)
        d = s.sign_result(fresh(d), actor=None, at=t)
    except SigningError:  # no certificate here: the paper result, handed over at the desk
        method = c.ReturnMethod.DESK
    d = s.notify_early(fresh(d), actor=None, at=t)  # the applicant is told it is ready early
    s.return_result(
        fresh(d),
        actor=None,
        at=t + dt.timedelta(hours=1),
        method=method,
        returned_to=citizen.full_name,
    )
    # asked for a supplement
    t = _working_moment(calendar, now, 2, 9)
    d = s.receive(start("2.000635", t), actor=None, at=t)
    doc = d.procedure_version.documents.first()
    if doc is not None:
        s.request_supplement(
            fresh(d),
            items=[s.SupplementItem(doc.pk, "Bản chụp mờ, không đọc được số giấy tờ")],
            reason="Cần nộp lại bản chụp rõ nét",
            actor=None,
            at=t + dt.timedelta(hours=2),
        )
    # being settled, with a fee to pay online (the payment simulator in the demo)
    t = _working_moment(calendar, now, 1, 10)
    d = s.receive(start("1.001022", t), actor=None, at=t)
    if not d.fees.filter(amount__gt=0, exempt=False).exists():
        DossierFee.objects.create(dossier=d, name="Lệ phí (demo)", amount=Decimal(8000))
    # a result carried by post: its delivery order goes to the postal service (the simulator's
    # console, /mo-phong/buu-chinh/, walks it to the door, which records the return)
    t = _working_moment(calendar, now, 3, 8)
    d = s.receive(start("1.004873", t, c.ReturnMethod.POST), actor=None, at=t)
    while d.status == c.Status.IN_PROGRESS:
        t += dt.timedelta(hours=1)
        d = s.complete_step(d, actor=None, at=t)
    # waiting for the desk
    start("1.004873", now - dt.timedelta(minutes=30))
    return 5
