"""Demo data of the indices (`load_demo`): this year's department framework published for
self-assessment, and a survey round sampled from the demo workload with generated answers."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from . import services as s
from . import survey as sv
from .constants import FrameworkStatus
from .models import Framework, SurveyInstrument, SurveyRound


def load_demo_indices(office: Any) -> str:
    today = timezone.localdate()
    notes = []
    framework = Framework.objects.filter(
        year=today.year, agency_kind="department", status=FrameworkStatus.DRAFT
    ).first()
    if framework is not None:
        deadline = dt.date(today.year, 12, 15)
        framework.self_deadline = deadline if deadline >= today else today + dt.timedelta(days=14)
        framework.save(update_fields=["self_deadline"])
        s.publish(framework, actor=office)
        notes.append(f"đã ban hành “{framework.title}” để các sở tự đánh giá")
    instrument = SurveyInstrument.objects.order_by("pk").first()
    framework_any = Framework.objects.filter(year=today.year).first()
    if instrument is None or framework_any is None or SurveyRound.objects.exists():
        return "; ".join(notes)
    survey = SurveyRound(
        instrument=instrument,
        province=framework_any.province,
        title=f"Khảo sát sự hài lòng năm {today.year} (demo)",
        start=dt.date(today.year, 1, 1),
        end=dt.date(today.year, 12, 31),
    )
    if not sv.frame_for(survey).exists():  # before the demo workload is generated
        return "; ".join(notes)
    survey.save()
    made = sv.draw_sample(survey, size=120, seed=2026, actor=office)
    rng = random.Random(2026)
    codes = [q.code for q in sv.questions(survey)]
    answered = 0
    for _invitation, token in made:
        if rng.random() < 0.7:
            answers = {c: rng.choice([3, 4, 4, 5, 5, 5, 2, 0]) for c in codes}
            answers[codes[0]] = answers[codes[0]] or 4
            sv.answer_invitation(token, answers)
            answered += 1
    notes.append(f"đợt khảo sát mẫu: mời {len(made)} người, {answered} phiếu trả lời")
    return "; ".join(notes)
