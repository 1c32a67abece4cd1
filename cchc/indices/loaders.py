"""Reference data of the indices: the survey questionnaire and the frameworks' template
(`data/indices/*.yaml`), and each province's frameworks and national results
(`data/provinces/<code>/indices.yaml`). Idempotent: what exists is left as edited."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from cchc.calendars.services import province_by_code

from .constants import ScoringMethod
from .models import Criterion, Framework, SurveyElement, SurveyInstrument, SurveyQuestion
from .national import ensure_indices, import_results


def data_dir() -> Path:
    return Path(settings.CCHC_DATA_DIR)


@transaction.atomic
def load_instrument(path: Path | None = None) -> SurveyInstrument:
    data = yaml.safe_load((path or data_dir() / "indices" / "sipas.yaml").read_text("utf-8"))
    existing = SurveyInstrument.objects.filter(name=data["name"]).first()
    if existing is not None:
        return existing
    instrument = SurveyInstrument.objects.create(
        name=data["name"],
        satisfied_from=data.get("satisfied_from", 4),
        formula=data.get("formula", "share"),
        min_responses=data.get("min_responses", 30),
        unconfirmed=bool(data.get("unconfirmed")),
    )
    for e_order, element in enumerate(data["elements"], start=1):
        e = SurveyElement.objects.create(
            instrument=instrument, code=element["code"], order=e_order, name=element["name"]
        )
        for q_order, text in enumerate(element["questions"], start=1):
            SurveyQuestion.objects.create(
                element=e, code=f"{e.code}-{q_order}", order=q_order, text=text
            )
    return instrument


def _criteria(framework: Framework, items: list[dict[str, Any]], parent: Criterion | None) -> None:
    for order, item in enumerate(items, start=1):
        c = Criterion.objects.create(
            framework=framework,
            parent=parent,
            code=str(item["code"]),
            order=order,
            name=item["name"],
            max_score=Decimal(str(item["max"])),
            guide=item.get("guide", ""),
            evidence_required=bool(item.get("evidence")),
            method=item.get("method", ScoringMethod.MANUAL),
            metric=item.get("metric", ""),
            survey_element=item.get("survey_element", ""),
            bands=item.get("bands", []),
        )
        _criteria(framework, item.get("children", []), c)


@transaction.atomic
def load_framework(spec: dict[str, Any], province: Any) -> Framework | None:
    if Framework.objects.filter(
        province=province, year=spec["year"], agency_kind=spec["agency_kind"]
    ).exists():
        return None
    template = yaml.safe_load(
        (data_dir() / "indices" / f"{slugify(spec['template'])}.yaml").read_text("utf-8")
    )
    framework = Framework.objects.create(
        province=province,
        year=spec["year"],
        agency_kind=spec["agency_kind"],
        title=spec["title"],
        decision_number=spec.get("decision_number", ""),
        unconfirmed=bool(template.get("unconfirmed")),
        note=template.get("note", ""),
    )
    _criteria(framework, template["criteria"], None)
    return framework


def load_indices(province_code: str) -> tuple[int, int]:
    """(frameworks created, national results created or updated) for the province."""
    ensure_indices()
    load_instrument()
    path = data_dir() / "provinces" / province_code / "indices.yaml"
    if not path.exists():
        return 0, 0
    province = province_by_code(province_code)
    if province is None:
        raise ValueError(f"chưa nạp địa bàn của tỉnh {province_code}")
    spec = yaml.safe_load(path.read_text("utf-8"))
    made = sum(1 for f in spec.get("frameworks", []) if load_framework(f, province))
    national = 0
    if spec.get("national_results"):
        csv_path = path.parent / spec["national_results"]
        result = import_results(csv_path.read_bytes(), csv_path.name, actor=None)
        if result.errors:
            raise ValueError(f"{csv_path.name}: {result.errors[:3]}")
        national = result.created
    return made, national
