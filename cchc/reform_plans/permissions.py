"""Who may do what with reform plans: the reform office edits and reviews; every official
reads the whole plan."""

from __future__ import annotations

from typing import Any

from cchc.accounts.constants import Role


def is_reform_office(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role == Role.REFORM_OFFICER for m in user.current_memberships())


def is_official(user: Any) -> bool:
    return bool(user.is_authenticated) and (user.is_superuser or bool(user.current_memberships()))


def agencies_of(user: Any) -> list[int]:
    """The agencies the user works for today."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [m.agency_id for m in user.current_memberships() if m.agency_id]
