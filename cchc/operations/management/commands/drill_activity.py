"""Helper of deploy/failover-drill: write dossiers as a desk would, read figures as a report
would (through the replica router when asked), and print what a restore or a failover must
keep: the dossier and audit counts and the last dossier code."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections
from django.utils import timezone

from cchc.core.models import AuditEvent
from cchc.dossiers import constants as c
from cchc.dossiers import services as s
from cchc.dossiers.demo import give_demo_codes
from cchc.dossiers.models import Dossier
from cchc.organizations.constants import DeskKind
from cchc.organizations.models import Desk
from cchc.procedures.models import ProcedureVersion

from ...replica import from_replica, lag_seconds


class Command(BaseCommand):
    help = "Write dossiers (--write N) or print the figures a failover must keep (--figures)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", type=int, default=0)
        parser.add_argument("--figures", action="store_true")
        parser.add_argument("--replica", action="store_true", help="read through the replica")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write"]:
            give_demo_codes()
            today = timezone.localdate()
            desk = Desk.objects.on(today).filter(kind=DeskKind.COMMUNE_CENTER).order_by("pk")[0]
            version = ProcedureVersion.objects.in_force_at().get(procedure__code="1.004873")
            for n in range(options["write"]):
                d = s.start_dossier(
                    version=version,
                    desk=desk,
                    applicant=s.Applicant(
                        kind=c.ApplicantKind.CITIZEN, name=f"Người nộp diễn tập {n}",
                        area=desk.area, id_number=f"0141900{n:05d}",
                    ),
                    channel=c.Channel.IN_PERSON,
                    documents=[
                        s.DocumentInput(doc.name, doc.pk, 1, 0, True)
                        for doc in version.documents.all()
                    ],
                    actor=None,
                )  # fmt: skip
                s.receive(d, actor=None)
        if options["figures"]:
            if options["replica"]:
                with from_replica():
                    figures = self.figures()
                figures["alias"] = "replica"
                figures["lag_seconds"] = lag_seconds()
                figures["in_recovery"] = self.in_recovery("replica")
            else:
                figures = self.figures()
                figures["in_recovery"] = self.in_recovery("default")
            self.stdout.write(json.dumps(figures))

    @staticmethod
    def figures() -> dict[str, Any]:
        last = Dossier.objects.order_by("-pk").values_list("code", flat=True).first()
        return {
            "dossiers": Dossier.objects.count(),
            "audit_events": AuditEvent.objects.count(),
            "last_code": last,
        }

    @staticmethod
    def in_recovery(alias: str) -> bool:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return bool(cursor.fetchone()[0])
