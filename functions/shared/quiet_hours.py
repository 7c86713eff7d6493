"""Quiet hours: whether a moment falls in a user's quiet window (local time, windows may cross midnight), and when
the window ends, so a reminder is deferred to then and never dropped. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(moment: datetime, start: time | None, end: time | None, zone: ZoneInfo) -> datetime | None:
    """The end of the quiet window holding `moment` (aware), or None when it is not quiet (or no window is set).

    The window is [start, end) in the user's local time; start > end crosses midnight (22:00–07:00); start == end
    means no quiet hours. The end is a local wall-clock time: across a daylight-saving change the window ends at
    `end` local time, whatever the UTC offset became.
    """
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    crosses_midnight = start > end
    quiet = (start <= now or now < end) if crosses_midnight else (start <= now < end)
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if crosses_midnight and now >= start else local.date()
    return datetime.combine(day, end, tzinfo=zone)
