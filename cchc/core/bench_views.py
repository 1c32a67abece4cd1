"""The framework floor of the benchmark (bench/run.py): the benchmark's raw SQL run through a
minimal Django view with a raw cursor — no ORM, no template. Mounted under /_bench/ only when
CCHC_BENCH_VIEWS is true (never in production)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404, HttpRequest, JsonResponse

VARIABLE = re.compile(r"(?<!:):([a-z_]+)\b")


def _statements(name: str) -> list[str]:
    if not re.fullmatch(r"[a-z_]+", name):
        raise Http404
    path = Path(settings.CCHC_BENCH_SQL_DIR, f"{name}.sql")
    if not path.exists():
        raise Http404
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("\\"))
    return [s.strip() for s in text.split(";") if s.strip() and s.strip() not in ("BEGIN", "END")]


def floor(request: HttpRequest, name: str) -> JsonResponse:
    """Run the statements of bench/out/sql/<name>.sql; `:n` is a random sample number."""
    params = {"n": random.randint(1, settings.CCHC_BENCH_SAMPLES)}
    rows = 0
    with transaction.atomic(), connection.cursor() as cur:
        for statement in _statements(name):
            cur.execute(VARIABLE.sub(r"%(\1)s", statement.replace("%", "%%")), params)
            if cur.description:
                rows += len(cur.fetchall())
    return JsonResponse({"rows": rows})
