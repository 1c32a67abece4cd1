"""Test helpers for the workflow: a small world of personas around real reference data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.accounts.constants import Role
from cchc.accounts.models import Membership, User
from cchc.organizations.constants import AgencyKind, DeskKind
from cchc.organizations.models import AdministrativeArea, Agency, Desk
from cchc.procedures.models import ProcedureVersion

from . import services as s
from .constants import ApplicantKind, Channel
from .demo import give_demo_codes
from .models import Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(text: str) -> dt.datetime:
    """`"2026-11-23 09:00"` in Vietnam's time zone."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


def version(code: str, on: dt.date) -> ProcedureVersion:
    v = ProcedureVersion.objects.in_force_for(code, on)
    assert v is not None, code
    return v


def user(username: str, name: str, *memberships: tuple[Any, Any, str]) -> User:
    u = User.objects.create_user(
        username, email=f"{username}@example.org", password="mat-khau-Thu-1", full_name=name
    )
    for agency, desk, role in memberships:
        Membership.objects.create(user=u, agency=agency, desk=desk, role=role)
    return u


@dataclass
class World:
    commune: AdministrativeArea
    other_commune: AdministrativeArea
    commune_desk: Desk
    commune_pc: Agency
    center_desk: Desk
    center: Agency
    department: Agency
    receptionist: User
    specialist: User
    division_head: User
    leader: User
    clerk: User
    center_receptionist: User
    dept_specialist: User
    dept_leader: User
    supervisor: User
    reform_officer: User
    citizen: User
    other_receptionist: User

    def applicant(self, **values: Any) -> s.Applicant:
        data: dict[str, Any] = {
            "kind": ApplicantKind.CITIZEN,
            "name": "Lò Thị Hương",
            "area": self.commune,
            "birth_date": dt.date(1990, 5, 17),
            "id_number": "014190001234",
            "phone": "0912345678",
            "email": "huong@example.org",
            "address": "Bản Hẹo",
        }
        data.update(values)
        return s.Applicant(**data)

    def documents(self, v: ProcedureVersion, *, skip: int = 0) -> list[s.DocumentInput]:
        docs = list(v.documents.all())
        return [
            s.DocumentInput(
                name=d.name,
                required_document_id=d.pk,
                originals=d.originals,
                copies=d.copies,
                received=i >= skip,
                upload=SimpleUploadedFile(f"giấy-tờ-{i}.pdf", PDF_BYTES)
                if i == 0 and i >= skip
                else None,
            )
            for i, d in enumerate(docs)
        ]

    def start(
        self,
        code: str = "1.004873",
        moment: str = "2026-11-23 09:00",
        *,
        desk: Desk | None = None,
        actor: User | None = None,
        channel: str = Channel.IN_PERSON,
        skip: int = 0,
        **applicant: Any,
    ) -> Dossier:
        when = at(moment)
        v = version(code, when.date())
        return s.start_dossier(
            version=v,
            desk=desk or self.commune_desk,
            applicant=self.applicant(**applicant),
            channel=channel,
            documents=self.documents(v, skip=skip),
            actor=actor or self.receptionist,
            at=when,
        )

    def received(self, code: str = "1.004873", moment: str = "2026-11-23 09:00", **kw: Any):
        d = self.start(code, moment, **kw)
        return s.receive(d, actor=kw.get("actor") or self.receptionist, at=at(moment))


def walk_to_result(world: World, d: Dossier, when: dt.datetime | None = None) -> Dossier:
    """Complete every processing step of the commune's typical process, each by its role
    (at `when`, or now)."""
    people = {
        "division_head": world.division_head,
        "specialist": world.specialist,
        "agency_leader": world.leader,
        "clerk": world.clerk,
    }
    while d.status == "in_progress":
        step = d.steps.get(status="active", kind="process")
        d = s.complete_step(d, actor=people[step.role], at=when)
    return d


def build_world() -> World:
    give_demo_codes()
    day = dt.date(2026, 11, 23)
    desks = Desk.objects.on(day).filter(kind=DeskKind.COMMUNE_CENTER).select_related("area")
    commune_desk, other_desk = list(desks.order_by("name")[:2])
    commune = commune_desk.area
    commune_pc = Agency.objects.on(day).get(area=commune, kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE)
    center_desk = Desk.objects.get(kind=DeskKind.PROVINCIAL_CENTER)
    department = Agency.objects.get(name="Sở Xây dựng")
    return World(
        commune=commune,
        other_commune=other_desk.area,
        commune_desk=commune_desk,
        commune_pc=commune_pc,
        center_desk=center_desk,
        center=center_desk.agency,
        department=department,
        receptionist=user(
            "tiepnhan.a", "Cầm Văn Tiếp", (commune_desk.agency, commune_desk, Role.RECEPTIONIST)
        ),
        specialist=user("chuyenvien.a", "Quàng Văn Chuyên", (commune_pc, None, Role.SPECIALIST)),
        division_head=user(
            "truongphong.a", "Lường Thị Phòng", (commune_pc, None, Role.DIVISION_HEAD)
        ),
        leader=user("chutich.a", "Điêu Văn Lãnh", (commune_pc, None, Role.AGENCY_LEADER)),
        clerk=user("vanthu.a", "Hà Thị Thư", (commune_pc, None, Role.CLERK)),
        center_receptionist=user(
            "tiepnhan.tinh", "Tòng Thị Nhận", (center_desk.agency, center_desk, Role.RECEPTIONIST)
        ),
        dept_specialist=user("chuyenvien.b", "Mè Văn Sở", (department, None, Role.SPECIALIST)),
        dept_leader=user("giamdoc.b", "Bạc Văn Đốc", (department, None, Role.AGENCY_LEADER)),
        supervisor=user(
            "giamsat.tinh",
            "Lò Văn Sát",
            (center_desk.agency, center_desk, Role.CENTER_SUPERVISOR),
        ),
        reform_officer=user(
            "cchc.snv",
            "Vì Thị Cải",
            (Agency.objects.get(name="Sở Nội vụ"), None, Role.REFORM_OFFICER),
        ),
        citizen=User.objects.create_user("congdan", password="mat-khau-Dan-1"),
        other_receptionist=user(
            "tiepnhan.b", "Sa Văn Khác", (other_desk.agency, other_desk, Role.RECEPTIONIST)
        ),
    )
