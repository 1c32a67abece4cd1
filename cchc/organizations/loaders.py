"""Load a province's areas (from `vietnam-provinces`), agencies and desks, over time.

Before the reform: the province, its district-level units and communes (valid until the day
before the reform date). From the reform date: the new communes and wards, each linked to the
units it was formed from. Agencies: the provincial ones from the reviewed file
`data/provinces/<code>/province.yaml`; district and commune People's Committees, commune
Centers and their desks generated from the areas.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from vietnam_provinces import Province, Ward
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard

from cchc.calendars.models import WorkingSchedule
from cchc.core.reference import LoadReport, upsert

from .constants import AgencyKind, AreaLevel, DeskKind, SuccessionKind
from .models import (
    AdministrativeArea,
    Agency,
    AgencySuccession,
    AreaSuccession,
    Desk,
    OpeningPeriod,
)


def province_file(code: str) -> Path:
    return Path(settings.CCHC_DATA_DIR) / "provinces" / code / "province.yaml"


def read_province(code: str) -> dict[str, Any]:
    path = province_file(code)
    if not path.is_file():
        raise FileNotFoundError(f"no reference data file {path}")
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _division(value: Any) -> str:
    return str(getattr(value, "value", value))


def _code(value: Any) -> str:
    return str(int(value))


class ProvinceLoader:
    """Loads one province; every write goes through `upsert` (idempotent, no clobbering)."""

    def __init__(self, code: str, *, force: bool = False) -> None:
        self.code = str(int(code))
        self.code_padded = f"{int(code):02d}"
        self.force = force
        self.report = LoadReport()
        self.data = read_province(self.code_padded)
        self.reform = dt.date.fromisoformat(self.data.get("reform_date", "2025-07-01"))
        self.before = self.reform - dt.timedelta(days=1)

    def key(self, *parts: object) -> str:
        return ":".join(["p" + self.code_padded, *(str(p) for p in parts)])

    def _upsert(self, model: Any, key: str, values: dict[str, Any]) -> Any:
        return upsert(model, key, values, self.report, force=self.force)

    # -- areas ------------------------------------------------------------------------------

    @transaction.atomic
    def load_areas(self) -> None:
        new_p = Province.from_code(int(self.code))
        old_p = LegacyProvince.from_code(int(self.code))
        same = new_p.name == old_p.name
        self.province = self._upsert(
            AdministrativeArea,
            self.key("province"),
            {
                "code": self.code_padded,
                "name": new_p.name,
                "division_type": _division(new_p.division_type),
                "level": AreaLevel.PROVINCE,
                "parent_id": None,
                "valid_from": None if same else self.reform,
                "valid_to": None,
            },
        )
        if self.province.province_id != self.province.pk:
            AdministrativeArea.objects.filter(pk=self.province.pk).update(province=self.province)
            self.province.province_id = self.province.pk
        pid = self.province.pk
        self.districts: dict[int, AdministrativeArea] = {}
        for district in LegacyDistrict.iter_by_province(old_p.code):
            self.districts[int(district.code)] = self._upsert(
                AdministrativeArea,
                self.key("2019", "district", _code(district.code)),
                {
                    "code": f"{int(district.code):03d}",
                    "name": district.name,
                    "division_type": _division(district.division_type),
                    "level": AreaLevel.DISTRICT,
                    "parent_id": pid,
                    "province_id": pid,
                    "valid_from": None,
                    "valid_to": self.before,
                },
            )
        self.old_communes: dict[int, AdministrativeArea] = {}
        for district_code, district_area in self.districts.items():
            for ward in LegacyWard.iter_by_district(district_code):
                self.old_communes[int(ward.code)] = self._upsert(
                    AdministrativeArea,
                    self.key("2019", "commune", _code(ward.code)),
                    {
                        "code": f"{int(ward.code):05d}",
                        "name": ward.name,
                        "division_type": _division(ward.division_type),
                        "level": AreaLevel.COMMUNE,
                        "parent_id": district_area.pk,
                        "province_id": pid,
                        "valid_from": None,
                        "valid_to": self.before,
                    },
                )
        self.new_communes: dict[int, AdministrativeArea] = {}
        for ward in Ward.iter_by_province(new_p.code):
            area = self._upsert(
                AdministrativeArea,
                self.key("2025", "commune", _code(ward.code)),
                {
                    "code": f"{int(ward.code):05d}",
                    "name": ward.name,
                    "division_type": _division(ward.division_type),
                    "level": AreaLevel.COMMUNE,
                    "parent_id": pid,
                    "province_id": pid,
                    "valid_from": self.reform,
                    "valid_to": None,
                },
            )
            self.new_communes[int(ward.code)] = area
            for source in ward.get_legacy_sources():
                old = self.old_communes.get(int(source.code))
                if old is not None:
                    AreaSuccession.objects.get_or_create(
                        predecessor=old,
                        successor=area,
                        defaults={
                            "effective_on": self.reform,
                            "legal_basis": self.data.get("reform_basis", ""),
                        },
                    )

        self.unmapped = sorted(
            area.name
            for area in self.old_communes.values()
            if not AreaSuccession.objects.filter(predecessor=area).exists()
        )

    # -- agencies ---------------------------------------------------------------------------

    @transaction.atomic
    def load_agencies(self) -> None:
        by_name: dict[str, Agency] = {}
        pending_successors: list[tuple[Agency, str, str]] = []
        for item in self.data.get("provincial_agencies", []):
            parent = by_name.get(item.get("parent", ""))
            confidence = item.get("confidence", "")
            agency = self._upsert(
                Agency,
                self.key("agency", item["name"]),
                {
                    "name": item["name"],
                    "short_name": item.get("short_name", ""),
                    "kind": item["kind"],
                    "area_id": self.province.pk,
                    "parent_id": parent.pk if parent else None,
                    "valid_from": _date(item.get("valid_from")),
                    "valid_to": _date(item.get("valid_to")),
                    "data_note": confidence,
                },
            )
            by_name[item["name"]] = agency
            if item.get("successor"):
                pending_successors.append((agency, item["successor"], confidence))
        for agency, successor_name, note in pending_successors:
            successor = by_name[successor_name]
            AgencySuccession.objects.get_or_create(
                predecessor=agency,
                successor=successor,
                defaults={
                    "kind": SuccessionKind.MERGED_INTO,
                    "effective_on": (agency.valid_to + dt.timedelta(days=1))
                    if agency.valid_to
                    else None,
                    "note": note,
                },
            )
        self.provincial_pc = next(
            (a for a in by_name.values() if a.kind == AgencyKind.PROVINCIAL_PEOPLES_COMMITTEE),
            None,
        )
        self.provincial_center = next(
            (a for a in by_name.values() if a.kind == AgencyKind.SERVICE_CENTER), None
        )
        parent_id = self.provincial_pc.pk if self.provincial_pc else None
        note = "generated from the area data"
        self.district_pcs: dict[int, Agency] = {}
        for code, area in self.districts.items():
            self.district_pcs[code] = self._upsert(
                Agency,
                self.key("agency", "2019", "district-pc", code),
                {
                    "name": f"Ủy ban nhân dân {area.name}",
                    "kind": AgencyKind.DISTRICT_PEOPLES_COMMITTEE,
                    "area_id": area.pk,
                    "parent_id": parent_id,
                    "valid_from": None,
                    "valid_to": self.before,
                    "data_note": f"certain ({note})",
                },
            )
        self.old_commune_pcs: dict[int, Agency] = {}
        for code, area in self.old_communes.items():
            district_pc = next(
                (
                    pc
                    for c, pc in self.district_pcs.items()
                    if self.districts[c].pk == area.parent_id
                ),
                None,
            )
            self.old_commune_pcs[code] = self._upsert(
                Agency,
                self.key("agency", "2019", "commune-pc", code),
                {
                    "name": f"Ủy ban nhân dân {area.name}",
                    "kind": AgencyKind.COMMUNE_PEOPLES_COMMITTEE,
                    "area_id": area.pk,
                    "parent_id": district_pc.pk if district_pc else None,
                    "valid_from": None,
                    "valid_to": self.before,
                    "data_note": f"certain ({note})",
                },
            )
        self.new_commune_pcs: dict[int, Agency] = {}
        self.commune_centers: dict[int, Agency] = {}
        for code, area in self.new_communes.items():
            pc = self._upsert(
                Agency,
                self.key("agency", "2025", "commune-pc", code),
                {
                    "name": f"Ủy ban nhân dân {area.name}",
                    "kind": AgencyKind.COMMUNE_PEOPLES_COMMITTEE,
                    "area_id": area.pk,
                    "parent_id": parent_id,
                    "valid_from": self.reform,
                    "valid_to": None,
                    "data_note": f"certain ({note})",
                },
            )
            self.new_commune_pcs[code] = pc
            self.commune_centers[code] = self._upsert(
                Agency,
                self.key("agency", "2025", "commune-center", code),
                {
                    "name": f"Trung tâm Phục vụ hành chính công {area.name}",
                    "kind": AgencyKind.SERVICE_CENTER,
                    "area_id": area.pk,
                    "parent_id": pc.pk,
                    "valid_from": self.reform,
                    "valid_to": None,
                    "data_note": f"certain ({note}; Decree 118/2025 art. 7)",
                },
            )
        # Old People's Committees → the new commune PCs their territory went to.
        old_pc_by_area = {a.pk: self.old_commune_pcs[c] for c, a in self.old_communes.items()}
        new_pc_by_area = {a.pk: self.new_commune_pcs[c] for c, a in self.new_communes.items()}
        district_pc_by_area = {a.pk: self.district_pcs[c] for c, a in self.districts.items()}
        for link in AreaSuccession.objects.filter(successor_id__in=new_pc_by_area).select_related(
            "predecessor"
        ):
            new_pc = new_pc_by_area[link.successor_id]
            old_pc = old_pc_by_area.get(link.predecessor_id)
            if old_pc is not None:
                AgencySuccession.objects.get_or_create(
                    predecessor=old_pc,
                    successor=new_pc,
                    defaults={"kind": SuccessionKind.MERGED_INTO, "effective_on": self.reform},
                )
            district_pc = district_pc_by_area.get(link.predecessor.parent_id)
            if district_pc is not None:
                AgencySuccession.objects.get_or_create(
                    predecessor=district_pc,
                    successor=new_pc,
                    defaults={
                        "kind": SuccessionKind.PART_TRANSFERRED,
                        "effective_on": self.reform,
                        "note": "district level ended; its tasks passed to the communes",
                    },
                )

    # -- desks and calendar -----------------------------------------------------------------

    @transaction.atomic
    def load_desks(self) -> None:
        desks: list[Desk] = []
        if self.provincial_center is not None:
            desks.append(
                self._upsert(
                    Desk,
                    self.key("desk", "provincial-center"),
                    {
                        "name": self.provincial_center.name,
                        "kind": DeskKind.PROVINCIAL_CENTER,
                        "agency_id": self.provincial_center.pk,
                        "area_id": self.province.pk,
                        "valid_from": self.provincial_center.valid_from,
                        "valid_to": self.provincial_center.valid_to,
                    },
                )
            )
        for code, pc in self.district_pcs.items():
            desks.append(
                self._upsert(
                    Desk,
                    self.key("desk", "2019", "district", code),
                    {
                        "name": f"Bộ phận tiếp nhận và trả kết quả {self.districts[code].name}",
                        "kind": DeskKind.DISTRICT_RECEPTION,
                        "agency_id": pc.pk,
                        "area_id": self.districts[code].pk,
                        "valid_from": None,
                        "valid_to": self.before,
                    },
                )
            )
        for code, pc in self.old_commune_pcs.items():
            desks.append(
                self._upsert(
                    Desk,
                    self.key("desk", "2019", "commune", code),
                    {
                        "name": f"Bộ phận tiếp nhận và trả kết quả {self.old_communes[code].name}",
                        "kind": DeskKind.COMMUNE_RECEPTION,
                        "agency_id": pc.pk,
                        "area_id": self.old_communes[code].pk,
                        "valid_from": None,
                        "valid_to": self.before,
                    },
                )
            )
        for code, center in self.commune_centers.items():
            desks.append(
                self._upsert(
                    Desk,
                    self.key("desk", "2025", "commune-center", code),
                    {
                        "name": center.name,
                        "kind": DeskKind.COMMUNE_CENTER,
                        "agency_id": center.pk,
                        "area_id": self.new_communes[code].pk,
                        "valid_from": self.reform,
                        "valid_to": None,
                    },
                )
            )
        schedule = self.data.get("working_schedules", [{}])[0]
        morning = schedule.get("morning", ["07:30", "11:30"])
        afternoon = schedule.get("afternoon", ["13:30", "17:00"])
        with_hours = set(
            OpeningPeriod.objects.filter(desk__in=desks).values_list("desk_id", flat=True)
        )
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(desk=desk, weekday=day, opens=opens, closes=closes)
            for desk in desks
            if desk.pk not in with_hours
            for day in range(5)
            for opens, closes in (morning, afternoon)
        )

    @transaction.atomic
    def load_calendar(self) -> None:
        if WorkingSchedule.objects.filter(province=self.province).exists():
            self.report["unchanged"] += 1
            return
        for item in self.data.get("working_schedules", []):
            start_m, start_d = (int(x) for x in item["start"].split("-"))
            end_m, end_d = (int(x) for x in item["end"].split("-"))
            WorkingSchedule.objects.create(
                province=self.province,
                name=item["name"],
                start_month=start_m,
                start_day=start_d,
                end_month=end_m,
                end_day=end_d,
                morning_start=item["morning"][0],
                morning_end=item["morning"][1],
                afternoon_start=item["afternoon"][0],
                afternoon_end=item["afternoon"][1],
                reference=item.get("reference", ""),
            )
            self.report["created"] += 1

    def load(self) -> LoadReport:
        self.load_areas()
        self.load_agencies()
        self.load_desks()
        self.load_calendar()
        return self.report


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
