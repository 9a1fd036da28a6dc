"""A small ISO-8601 duration parser for GDAP durations (``P730D``, ``P2Y``, ``PT0S``, ``P1DT12H``).

Years count 365 days and months 30 days, as Graph does for ``delegatedAdminRelationship.duration``
(``P2Y`` = ``P730D``).
"""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_iso_duration(text: str) -> timedelta:
    """``P730D`` → ``timedelta(days=730)``; raises ``ValueError`` for anything that is not a duration."""
    match = _PATTERN.match(text or "")
    if match is None:
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    part = {name: int(value or 0) for name, value in match.groupdict().items()}
    return timedelta(
        days=part["years"] * 365 + part["months"] * 30 + part["weeks"] * 7 + part["days"],
        hours=part["hours"],
        minutes=part["minutes"],
        seconds=part["seconds"],
    )


def format_iso_duration(value: timedelta) -> str:
    """``timedelta(days=730)`` → ``P730D``; ``timedelta(0)`` → ``PT0S``."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    if rest == 0:
        return f"P{days}D" if days else "PT0S"
    return f"P{days}DT{rest}S" if days else f"PT{rest}S"
