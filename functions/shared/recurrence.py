"""Recurrence rules: the occurrence dates of a pattern, as RFC 5545 RRULE says and python-dateutil's rrule computes.

Mapping (data model -> RRULE): start_date = DTSTART, interval = INTERVAL, count = COUNT, end_date = UNTIL
(inclusive); weekly: day_of_week (0 = Monday) = BYDAY; monthly: day_of_month = BYMONTHDAY; yearly: month_of_year
(+ day_of_month) = BYMONTH (+ BYMONTHDAY); custom: daily with INTERVAL, filtered by every list given. Lists that do not
belong to the frequency are ignored. The start date is an occurrence only if it matches the pattern; monthly on the
31st skips shorter months, yearly on 29 February only hits leap years. Pure: no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule

_FREQ = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY, "yearly": YEARLY, "custom": DAILY}


class ImpossiblePattern(ValueError):
    """The pattern can never produce an occurrence, or mixes fields in a way RRULE cannot express; `field` names
    the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True)
class Pattern:
    frequency: str
    start_date: date
    interval: int = 1
    day_of_week: tuple[int, ...] | None = None
    day_of_month: tuple[int, ...] | None = None
    month_of_year: tuple[int, ...] | None = None
    end_date: date | None = None
    count: int | None = None

    @classmethod
    def of(cls, values: Any) -> Pattern:
        """From a recurrence_patterns row or a RecurrenceInput (anything with these keys or attributes)."""
        get = values.get if hasattr(values, "get") else lambda name: getattr(values, name)

        def ints(name: str) -> tuple[int, ...] | None:
            value = get(name)
            return tuple(value) if value else None

        return cls(
            frequency=get("frequency"),
            start_date=get("start_date"),
            interval=get("interval") or 1,
            day_of_week=ints("day_of_week"),
            day_of_month=ints("day_of_month"),
            month_of_year=ints("month_of_year"),
            end_date=get("end_date"),
            count=get("count"),
        )


def _rule_parts(p: Pattern) -> dict[str, Any]:
    """BYxxx parts for the frequency; defaults taken from the start date, as dateutil would, but explicit, so a rule
    restarted later in the series keeps the same phase."""
    start = p.start_date
    if p.frequency == "weekly":
        return {"byweekday": p.day_of_week or (start.weekday(),)}
    if p.frequency == "monthly":
        return {"bymonthday": p.day_of_month or (start.day,)}
    if p.frequency == "yearly":
        if p.month_of_year is None:
            return {"bymonth": (start.month,), "bymonthday": (start.day,)}
        return {"bymonth": p.month_of_year, "bymonthday": p.day_of_month or (start.day,)}
    if p.frequency == "custom":
        parts: dict[str, Any] = {}
        if p.day_of_week:
            parts["byweekday"] = p.day_of_week
        if p.day_of_month:
            parts["bymonthday"] = p.day_of_month
        if p.month_of_year:
            parts["bymonth"] = p.month_of_year
        return parts
    return {}


def _rule(p: Pattern, dtstart: date | None = None, with_count: bool = True) -> rrule:
    """The dateutil rule. RFC 5545 forbids COUNT with UNTIL; when a pattern has both, the rule gets COUNT and
    next_after applies the end date (the set ends at whichever bound comes first)."""
    count = p.count if with_count else None
    until = datetime.combine(p.end_date, datetime.min.time()) if p.end_date and count is None else None
    return rrule(
        _FREQ[p.frequency],
        dtstart=datetime.combine(dtstart or p.start_date, datetime.min.time()),
        interval=p.interval,
        count=count,
        until=until,
        **_rule_parts(p),
    )


def validate(p: Pattern) -> None:
    """Raise ImpossiblePattern for a yearly pattern with days but no months, or a pattern with no occurrence at all
    (e.g. 30 February, or an end date before the first occurrence)."""
    if p.frequency == "yearly" and p.day_of_month and not p.month_of_year:
        raise ImpossiblePattern("month_of_year", "a yearly pattern with days of the month needs its months")
    if p.frequency in ("yearly", "custom"):
        months = p.month_of_year or (tuple(range(1, 13)) if p.frequency == "custom" else (p.start_date.month,))
        days = p.day_of_month or ((p.start_date.day,) if p.frequency == "yearly" else (1,))
        if not any(day <= calendar.monthrange(2000, month)[1] for month in months for day in days):  # 2000: leap
            raise ImpossiblePattern("day_of_month", "no month has these days: the pattern never occurs")
    if p.end_date is not None and first(p) is None:
        raise ImpossiblePattern("end_date", "the pattern has no occurrence before its end date")


def first(p: Pattern) -> date | None:
    """The first occurrence (the start date only if it matches)."""
    return next_after(p, p.start_date - timedelta(days=1))


def occurrences(p: Pattern, after: date, before: date) -> list[date]:
    """Occurrences strictly after `after` and strictly before `before`, in order."""
    found = []
    current = next_after(p, after)
    while current is not None and current < before:
        found.append(current)
        current = next_after(p, current)
    return found


def next_after(p: Pattern, after: date) -> date | None:
    """The first occurrence strictly after `after`, or None when the set is exhausted.

    Without COUNT the rule restarts at the start of the period holding `after` (same phase), so a daily series
    started years ago costs a few steps, not a walk over every occurrence. With COUNT the occurrences before
    `after` must be counted, which is bounded by COUNT itself.
    """
    moment = datetime.combine(after, datetime.min.time())
    if p.count is None and after > p.start_date:
        rule = _rule(p, dtstart=_period_start(p, after), with_count=False)
    else:
        rule = _rule(p)
    found: datetime | None = rule.after(moment, inc=False)
    if found is None or (p.end_date is not None and found.date() > p.end_date):
        return None
    return found.date()


def _period_start(p: Pattern, after: date) -> date:
    """The start of the interval-aligned period (counted from the start date) that contains `after`."""
    start = p.start_date
    if p.frequency in ("daily", "custom"):
        steps = (after - start).days // p.interval
        return start + timedelta(days=steps * p.interval)
    if p.frequency == "weekly":  # dateutil's weeks start on Monday (WKST=MO)
        week_zero = start - timedelta(days=start.weekday())
        steps = (after - week_zero).days // (7 * p.interval)
        return max(start, week_zero + timedelta(weeks=steps * p.interval))
    if p.frequency == "monthly":
        months = (after.year - start.year) * 12 + after.month - start.month
        begin: date = date(start.year, start.month, 1) + relativedelta(months=months // p.interval * p.interval)
        return max(start, begin)
    years = after.year - start.year
    return max(start, date(start.year + years // p.interval * p.interval, 1, 1))


def next_due(
    p: Pattern, due: datetime | None, completed: datetime, zone: ZoneInfo, default_time: time = time(9)
) -> datetime | None:
    """When the instance after a completed one is due: the first occurrence strictly after the later of the
    completed instance's due date and its completion date (both as dates in `zone`), at the series' local time of
    day (the completed instance's, else `default_time`), so 09:00 stays 09:00 across daylight-saving changes.
    Occurrences missed while the instance was overdue are skipped. None when the set is exhausted."""
    done_day = completed.astimezone(zone).date()
    due_day = due.astimezone(zone).date() if due is not None else done_day
    day = next_after(p, max(due_day, done_day))
    if day is None:
        return None
    at = due.astimezone(zone).time() if due is not None else default_time
    return datetime.combine(day, at, tzinfo=zone)
