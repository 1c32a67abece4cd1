"""What the one-stop workflow tells the rest of the system, without knowing who listens.

`dossier_event` is sent inside the transaction of the change (a dossier created, its status or
its due moment changed): a receiver that writes (the outbox of the national systems) commits or
rolls back with the change itself."""

from django.dispatch import Signal

# kwargs: dossier, action, from_status, to_status, at, and first_action (True when the
# dossier was created earlier in the same transaction and this is its first action: nothing but
# its creation has been recorded for it yet)
dossier_event = Signal()

# kwargs: ids (Notification rows just written). A receiver that takes them (the outbox) returns
# True; when none does, the notices are sent after the commit, as before the worker existed.
notifications_queued = Signal()
