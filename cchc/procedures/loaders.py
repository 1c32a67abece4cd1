"""Seed the catalog from `data/catalog/procedures.csv` (58 real procedures).

Figures not verified against the law are loaded flagged "to confirm". Internal steps are the
typical process of R-STEPS, marked `is_typical`. A procedure already in the database is left
alone unless `force` is given, in which case the file's content is published as a new version
(a published version is never edited).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cchc.core.audit import log_action
from cchc.core.reference import LoadReport, upsert
from cchc.core.text import fold
from cchc.organizations.constants import AgencyKind, AreaLevel
from cchc.organizations.models import Agency

from .constants import (
    CompetenceBasis,
    FeeKind,
    LocalLevel,
    OnlineLevel,
    PerformerKind,
    TimeUnit,
    VersionStatus,
)
from .models import (
    Competence,
    FeeLine,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
)

REFORM = dt.date(2025, 7, 1)
_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*đ")

# R-STEPS typical process: (name, performer, role, share of the limit).
TYPICAL_STEPS: tuple[tuple[str, str, str, Decimal], ...] = (
    ("Tiếp nhận, kiểm tra, số hóa hồ sơ", PerformerKind.RECEIVING_DESK, "receptionist", Decimal(0)),
    (
        "Lãnh đạo phòng phân công thụ lý",
        PerformerKind.COMPETENT_AGENCY,
        "division_head",
        Decimal("0.05"),
    ),
    (
        "Chuyên viên thẩm định, đề xuất",
        PerformerKind.COMPETENT_AGENCY,
        "specialist",
        Decimal("0.60"),
    ),
    ("Lãnh đạo phòng kiểm tra", PerformerKind.COMPETENT_AGENCY, "division_head", Decimal("0.10")),
    ("Lãnh đạo cơ quan ký duyệt", PerformerKind.COMPETENT_AGENCY, "agency_leader", Decimal("0.15")),
    (
        "Văn thư vào sổ, đóng dấu, chuyển kết quả",
        PerformerKind.COMPETENT_AGENCY,
        "clerk",
        Decimal("0.10"),
    ),
    ("Trả kết quả cho người nộp", PerformerKind.RECEIVING_DESK, "receptionist", Decimal(0)),
)


def typical_shares(limit: Decimal) -> list[Decimal]:
    """Split `limit` over the typical steps in quarter days; the sum equals the limit."""
    quarter = Decimal("0.25")
    shares = [
        (limit * fraction / quarter).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quarter
        for _, _, _, fraction in TYPICAL_STEPS
    ]
    shares[2] += limit - sum(shares)  # the examination absorbs the rounding
    if shares[2] < 0:
        shares = [Decimal(0)] * len(shares)
        shares[2] = limit
    return shares


def parse_levels(text: str) -> list[str]:
    text = text.strip()
    if not text or text == "-":
        return []
    low = text.lower()
    levels = []
    if "tỉnh" in low or "sở" in low or "vpđkđđ" in low:
        levels.append(AreaLevel.PROVINCE.value)
    if "huyện" in low:
        levels.append(AreaLevel.DISTRICT.value)
    if "xã" in low:
        levels.append(AreaLevel.COMMUNE.value)
    return levels


FEE_WORDING = (
    ("Theo TT BTC", "Theo thông tư của Bộ Tài chính"),
    ("HĐND", "Theo nghị quyết của Hội đồng nhân dân tỉnh"),
)


def fee_note(text: str) -> str:
    """The catalog file's shorthand for who sets a fee, written out for citizens."""
    text = text.strip()
    for short, full in FEE_WORDING:
        text = text.replace(short, full)
    return text


def parse_fees(text: str) -> list[dict[str, Any]]:
    text = text.strip()
    if not text:
        return []
    if text.lower().startswith("miễn"):
        return [{"kind": FeeKind.CHARGE, "name": text, "amount": Decimal(0), "exemption": text}]
    match = _AMOUNT.search(text)
    amount = Decimal(match.group(1).replace(".", "")) if match else None
    kind = FeeKind.FEE if "phí" in text.lower() and "lệ phí" not in text.lower() else FeeKind.CHARGE
    return [{"kind": kind, "name": fee_note(text), "amount": amount, "exemption": ""}]


# Papers an authority issues (results of other procedures, certificates): a dossier may take
# them from the applicant's document store instead of a new copy. The catalog file does not
# say which components are reusable; this is our reading, which an administrator adjusts.
ISSUED_PAPERS = (
    "giay xac nhan",
    "giay chung nhan",
    "gcn",
    "giay phep",
    "giay khai sinh",
    "giay chung tu",
    "giay bao tu",
    "giay chung sinh",
    "trich luc",
    "van bang",
    "quyet dinh",
)


def issued_paper(name: str) -> bool:
    """Whether a dossier component names a paper issued by an authority (reusable)."""
    folded = fold(name).lower().removeprefix("ban sao ").strip()
    return folded.startswith(ISSUED_PAPERS)


def parse_documents(text: str) -> list[dict[str, Any]]:
    items = [part.strip() for part in text.split(";") if part.strip()]
    out = []
    for order, name in enumerate(items, start=1):
        low = name.lower()
        out.append(
            {
                "order": order,
                "name": name[:500],
                "originals": 1,
                "copies": 0,
                # shown at the desk, not handed in: identity papers, the parties' presence
                "present_only": low.startswith(("xuất trình", "giấy tờ tùy thân"))
                or "có mặt" in low,
                "optional": "nếu có" in low,
                "reusable": issued_paper(name),
            }
        )
    return out


def local_code(name: str) -> str:
    return "LOCAL-" + hashlib.sha1(fold(name).encode()).hexdigest()[:8].upper()


class CatalogLoader:
    def __init__(self, *, force: bool = False, province_code: str = "14") -> None:
        self.force = force
        self.report = LoadReport()  # procedures only
        self.field_report = LoadReport()
        base = Path(settings.CCHC_DATA_DIR) / "catalog"
        self.rows = list(csv.DictReader((base / "procedures.csv").open(encoding="utf-8")))
        with (base / "competent-departments.yaml").open(encoding="utf-8") as handle:
            self.departments = yaml.safe_load(handle)["fields"]
        self.province_code = f"{int(province_code):02d}"

    def field_for(self, name: str) -> ProcedureField:
        code = fold(name).replace(" ", "-").replace("/", "")[:40]
        return upsert(
            ProcedureField,
            f"field:{code}",
            {"code": code, "name": name},
            self.field_report,
            force=self.force,
        )

    @transaction.atomic
    def load(self) -> LoadReport:
        for row in self.rows:
            self.load_row(row)
        self.load_declarations()
        return self.report

    def load_declarations(self) -> None:
        """The seeded e-forms (data/catalog/eforms.yaml) onto the versions in force of their
        procedures, where the version has none yet (an administrator's edit is kept)."""
        from .eforms import compile_form

        path = Path(settings.CCHC_DATA_DIR) / "catalog" / "eforms.yaml"
        with path.open(encoding="utf-8") as handle:
            forms = yaml.safe_load(handle)["forms"]
        for spec in forms:
            code = spec.get("code") or local_code(spec["name"])
            definition = compile_form(spec)
            versions = ProcedureVersion.objects.filter(
                procedure__code=code, valid_to__isnull=True, declaration={}
            )
            for version in versions:
                version.declaration = definition
                version.save(update_fields=["declaration", "updated_at"])

    def load_row(self, row: dict[str, str]) -> None:
        name = row["name"].strip()
        code = row["code"].strip() or local_code(name)
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is not None and not self.force and procedure.versions.exists():
            self.report["unchanged"] += 1
            return
        if procedure is None:
            procedure = Procedure.objects.create(
                code=code,
                has_national_code=bool(row["code"].strip()),
                reference_key=f"procedure:{code}",
            )
            self.report["created"] += 1
        field = self.field_for(row["field"].strip())
        old_levels = parse_levels(row["level_until_2025"])
        new_levels = parse_levels(row["level_from_2025"])
        periods: list[tuple[list[str], dt.date | None, dt.date | None]] = []
        if old_levels and new_levels and old_levels != new_levels:
            periods = [
                (old_levels, None, REFORM - dt.timedelta(days=1)),
                (new_levels, REFORM, None),
            ]
        elif new_levels:
            periods = [(new_levels, None if old_levels else REFORM, None)]
        elif old_levels:
            periods = [(old_levels, None, REFORM - dt.timedelta(days=1))]
        for levels, valid_from, valid_to in periods:
            self.add_version(procedure, row, field, levels, valid_from, valid_to)
        self.add_competences(procedure, row, old_levels, new_levels)

    def add_version(
        self,
        procedure: Procedure,
        row: dict[str, str],
        field: ProcedureField,
        levels: list[str],
        valid_from: dt.date | None,
        valid_to: dt.date | None,
    ) -> ProcedureVersion:
        raw_limit = row["time_limit_working_days"].strip()
        limit = Decimal(raw_limit) if raw_limit else None
        note = row["time_note"].strip()
        cutoff = dt.time(15, 0) if "15h" in note else None
        top = levels[0] if levels else ""
        kind = {
            AreaLevel.PROVINCE.value: AgencyKind.DEPARTMENT,
            AreaLevel.DISTRICT.value: AgencyKind.DISTRICT_PEOPLES_COMMITTEE,
            AreaLevel.COMMUNE.value: AgencyKind.COMMUNE_PEOPLES_COMMITTEE,
        }.get(top, "")
        level_text = row["level_from_2025" if valid_to is None else "level_until_2025"]
        if "công an" in level_text.lower():
            kind = AgencyKind.VERTICAL_AGENCY
        number = (
            procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        expired = valid_to is not None
        for old in procedure.versions.filter(status=VersionStatus.PUBLISHED):
            if not expired:
                old.status = VersionStatus.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=number,
            status=VersionStatus.SUPERSEDED if expired else VersionStatus.PUBLISHED,
            valid_from=valid_from,
            valid_to=valid_to,
            name=row["name"].strip(),
            field=field,
            levels=",".join(levels),
            competent_agency_kind=kind,
            competent_agency_note=level_text.strip(),
            # Applicant types, submission methods and "frequently received" are not in the
            # source file: left empty for the administrator rather than guessed. The online
            # level is our reading of the national portal, flagged to confirm.
            time_limit=limit,
            time_unit=TimeUnit.WORKING_DAYS,
            cutoff_time=cutoff,
            time_note=note,
            time_to_confirm=row["time_verified"].strip() != "yes" or limit is None,
            fee_note=fee_note(row["fee"]),
            fee_to_confirm=row["fee_verified"].strip() != "yes",
            online_level=(row.get("online_level") or OnlineLevel.NONE).strip(),
            online_to_confirm=(row.get("online_verified") or "").strip() != "yes",
            on_the_spot=limit == 0,
        )
        log_action(
            version,
            "procedure_version.load",
            actor_label="load_reference_data",
            after={"code": procedure.code, "number": number, "status": version.status},
        )
        for doc in parse_documents(row["documents"]):
            RequiredDocument.objects.create(version=version, **doc)
        for order, fee in enumerate(parse_fees(row["fee"]), start=1):
            FeeLine.objects.create(version=version, order=order, **fee)
        if limit is not None:
            steps = TYPICAL_STEPS if limit > 0 else TYPICAL_STEPS[:1]
            shares = typical_shares(limit) if limit > 0 else [Decimal(0)]
            for order, ((name, performer, role, _), share) in enumerate(
                zip(steps, shares, strict=True), start=1
            ):
                if limit == 0:
                    name = "Tiếp nhận, giải quyết và trả kết quả ngay tại Bộ phận Một cửa"
                ProcessStep.objects.create(
                    version=version,
                    order=order,
                    name=name,
                    performer=performer,
                    role=role,
                    time_share=share,
                    is_typical=True,
                )
        return version

    def add_competences(
        self, procedure: Procedure, row: dict[str, str], old: list[str], new: list[str]
    ) -> None:
        if procedure.competences.exists():
            return
        before = REFORM - dt.timedelta(days=1)
        field = row["field"].strip()
        mapping = self.departments.get(field, {})
        police = "công an" in row["level_from_2025"].lower()
        for levels, valid_from, valid_to, key in (
            (old, None, before, "until_2025"),
            (new, REFORM, None, "from_2025"),
        ):
            if not levels:
                continue
            lowest = levels[-1]
            if lowest in (AreaLevel.COMMUNE, AreaLevel.DISTRICT):
                Competence.objects.create(
                    procedure=procedure,
                    local_level=LocalLevel(lowest),
                    valid_from=valid_from,
                    valid_to=valid_to,
                    basis=CompetenceBasis.COMPETENCE,
                    to_confirm=police,
                )
            if AreaLevel.PROVINCE in levels and mapping.get(key):
                agency = (
                    Agency.objects.filter(name=mapping[key], area__code=self.province_code)
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from or dt.date.min))
                    .first()
                )
                if agency is not None:
                    Competence.objects.create(
                        procedure=procedure,
                        agency=agency,
                        valid_from=valid_from,
                        valid_to=valid_to,
                        to_confirm=True,
                        area=None if len(levels) == 1 else agency.area,
                    )
