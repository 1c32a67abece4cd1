"""Which dossiers a user's reports cover."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.dossiers.models import Dossier


def sees_province(user: Any) -> bool:
    return bool(user.is_superuser) or any(
        m.role == Role.REFORM_OFFICER for m in user.memberships_on(timezone.localdate())
    )


def report_scope(user: Any) -> QuerySet[Dossier]:
    """Reform officers and administrators report on the whole province; everyone else on the
    dossiers they may see (their desk, their agency)."""
    if sees_province(user):
        return Dossier.objects.all()
    return Dossier.objects.visible_to(user)
