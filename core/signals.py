"""Signals the domain apps send and the operations app (``ops``) listens to, so the lower layers never import it.

``operation_finished``: an upgrade or a new commerce transition ended, sent once its transaction committed
(``operation_finished_on_commit``). Arguments: ``kind`` ("upgrade" | "transition"), ``outcome`` ("succeeded" |
"failed"), ``duration`` (seconds, from the start of the service call that ran it to its end) and
``licenses_moved`` (an int).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.dispatch import Signal

operation_finished = Signal()


def operation_finished_on_commit(*, kind: str, outcome: str, started: float, licenses_moved: int = 0) -> None:
    """Send ``operation_finished`` when the current transaction commits (nothing when it rolls back).
    ``started``: the ``time.monotonic()`` of the start of the work."""
    duration = max(time.monotonic() - started, 0.0)

    def send() -> None:
        operation_finished.send(
            sender=kind, kind=kind, outcome=outcome, duration=duration, licenses_moved=licenses_moved
        )

    transaction.on_commit(send)
