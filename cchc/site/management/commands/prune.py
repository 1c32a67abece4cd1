"""`manage.py prune`: the retention policy, enforced daily (docs/security.md)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils import timezone

from cchc.accounts.models import VerificationCode
from cchc.core.models import RateCounter
from cchc.dossiers.models import Notification
from cchc.portal.models import DraftStatus, OnlineDraft
from cchc.portal.services import discard_draft


def referenced_files() -> set[str]:
    """Every stored file name some row points at, across every model with a file field."""
    names: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            rows = model._default_manager.exclude(**{field: ""}).values_list(field, flat=True)
            names.update(name for name in rows.iterator(chunk_size=5000) if name)
    return names


def orphan_files(root: Path, keep: set[str], older_than: dt.datetime) -> list[Path]:
    """Files under MEDIA_ROOT that no row names (a refused reception's scans, a replaced
    upload), older than `older_than` so that a file being saved right now is spared."""
    found = []
    limit = older_than.timestamp()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.relative_to(root).as_posix() not in keep and path.stat().st_mtime < limit:
                found.append(path)
    return found


class Command(BaseCommand):
    help = "Remove what the retention policy no longer keeps (drafts, codes, counters, files…)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.CCHC_RETENTION_DAYS
        now = timezone.now()

        def before(kind: str) -> dt.datetime:
            return now - dt.timedelta(days=days[kind])

        dry = options["dry_run"]
        counts: dict[str, int] = {}
        drafts = OnlineDraft.objects.filter(
            status=DraftStatus.DRAFT, updated_at__lt=before("draft")
        )
        counts["draft"] = drafts.count()
        counters = RateCounter.objects.filter(created_at__lt=before("rate_counter"))
        codes = VerificationCode.objects.filter(created_at__lt=before("verification_code"))
        notes = Notification.objects.filter(
            dossier__isnull=True, created_at__lt=before("account_notification")
        )
        sessions = Session.objects.filter(expire_date__lt=now)
        querysets = {
            "rate_counter": counters,
            "verification_code": codes,
            "account_notification": notes,
            "session": sessions,
        }
        try:
            from axes.models import AccessAttempt

            querysets["access_attempt"] = AccessAttempt.objects.filter(
                attempt_time__lt=before("access_attempt")
            )
        except ImportError:  # pragma: no cover - axes is a dependency
            pass
        root = Path(settings.MEDIA_ROOT)
        orphans = (
            orphan_files(root, referenced_files(), before("orphan_file")) if root.is_dir() else []
        )
        counts["orphan_file"] = len(orphans)
        for kind, qs in querysets.items():
            counts[kind] = qs.count()
        if not dry:
            for draft in drafts.iterator():
                with transaction.atomic():
                    discard_draft(draft)
            for qs in querysets.values():
                qs.delete()
            for path in orphans:
                path.unlink(missing_ok=True)
        verb = "sẽ xóa" if dry else "đã xóa"
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {verb} {n}")
