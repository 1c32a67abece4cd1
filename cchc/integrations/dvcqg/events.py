"""The workflow's events become outbox messages for the portal, in the change's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cchc.dossiers import constants as c

from .. import outbox
from . import SYSTEM, client, mapping


def on_dossier_event(
    sender: Any,
    *,
    dossier: Any,
    action: str,
    at: dt.datetime,
    first_action: bool = False,
    **_kw: Any,
) -> None:
    """A dossier created online, or any dossier's status or due moment changed. A dossier
    started at a desk is the portal's business once the desk decides (receives, asks to
    complete or refuses)."""
    if not client.enabled():
        return
    if action == c.Action.CREATE and dossier.channel != c.Channel.ONLINE:
        return
    outbox.post(
        system=SYSTEM,
        ordering_key=str(dossier.pk),
        kind=str(action),
        payload=mapping.record(dossier, action=action, at=at),
        key_prefix=mapping.local_id(dossier),
        dossier=dossier,
        at=at,
        # a desk's dossier decided in the transaction that created it has no message yet
        sequence=1 if first_action and dossier.channel != c.Channel.ONLINE else None,
    )
