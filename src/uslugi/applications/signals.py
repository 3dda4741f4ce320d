"""Signals other apps listen to, so that they need not be imported here.

`application_event` is sent inside the transaction that records an application's
`Event` (its submission and every status change); a receiver that writes rows writes
them in the same transaction, so nothing is left behind when it rolls back.
"""

from __future__ import annotations

from django.dispatch import Signal

# Keyword argument: event (applications.models.Event, with .application).
application_event = Signal()
