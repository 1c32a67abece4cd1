"""What the import commands share: `--by <username>`, the account recorded as the actor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from .models import User


def add_by_argument(parser: Any) -> None:
    parser.add_argument("--by", default="", help="the user name recorded as the importer")


def actor_from(options: dict[str, Any]) -> User | None:
    """The account named by `--by` (None without it); a name no account has is refused."""
    if not options.get("by"):
        return None
    actor = User.objects.filter(username=options["by"]).first()
    if actor is None:
        raise CommandError(f"Không có người dùng “{options['by']}”.")
    return actor
