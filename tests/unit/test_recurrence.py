"""Recurrence rules: RFC 5545 semantics via dateutil, the issue's edge cases, and the fast path against a full walk."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.shared.recurrence import ImpossiblePattern, Pattern, _rule, first, next_after, occurrences, validate


def _dates(p: Pattern, after: date, before: date) -> list[str]:
    return [d.isoformat() for d in occurrences(p, after, before)]


@pytest.mark.parametrize(
    ("pattern", "after", "before", "expected"),
    [
        (Pattern("daily", date(2027, 1, 1), interval=2), date(2026, 12, 31), date(2027, 1, 8),
         ["2027-01-01", "2027-01-03", "2027-01-05", "2027-01-07"]),
        # every 2nd week on Mon/Wed/Fri, starting on a Wednesday: that Wednesday, Friday, then two weeks on
        (Pattern("weekly", date(2027, 1, 6), interval=2, day_of_week=(0, 2, 4)), date(2027, 1, 1), date(2027, 1, 31),
         ["2027-01-06", "2027-01-08", "2027-01-18", "2027-01-20", "2027-01-22"]),
        # weekly without days: the start date's weekday
        (Pattern("weekly", date(2027, 1, 5)), date(2027, 1, 1), date(2027, 1, 20),
         ["2027-01-05", "2027-01-12", "2027-01-19"]),
        # monthly on the 31st skips shorter months
        (Pattern("monthly", date(2027, 1, 31), day_of_month=(31,)), date(2027, 1, 1), date(2027, 8, 1),
         ["2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31"]),
        # monthly without days: the start date's day (so a start on the 31st also skips)
        (Pattern("monthly", date(2027, 1, 31)), date(2027, 1, 31), date(2027, 6, 1), ["2027-03-31", "2027-05-31"]),
        # yearly on 29 February only hits leap years
        (Pattern("yearly", date(2028, 2, 29), month_of_year=(2,), day_of_month=(29,)), date(2028, 1, 1),
         date(2037, 1, 1), ["2028-02-29", "2032-02-29", "2036-02-29"]),
        # custom: daily every 3rd day, filtered by weekday (Mon) -- every 21 days
        (Pattern("custom", date(2027, 1, 4), interval=3, day_of_week=(0,)), date(2027, 1, 1), date(2027, 3, 1),
         ["2027-01-04", "2027-01-25", "2027-02-15"]),
        # custom: every day in March that is the 1st or the 15th
        (Pattern("custom", date(2027, 1, 1), day_of_month=(1, 15), month_of_year=(3,)), date(2027, 1, 1),
         date(2028, 4, 1), ["2027-03-01", "2027-03-15", "2028-03-01", "2028-03-15"]),
        # count is exhausted after 3
        (Pattern("daily", date(2027, 1, 1), count=3), date(2026, 12, 1), date(2027, 2, 1),
         ["2027-01-01", "2027-01-02", "2027-01-03"]),
        # count and end_date together: whichever comes first
        (Pattern("daily", date(2027, 1, 1), count=10, end_date=date(2027, 1, 3)), date(2026, 12, 1), date(2027, 2, 1),
         ["2027-01-01", "2027-01-02", "2027-01-03"]),
        # end_date is an inclusive UNTIL
        (Pattern("weekly", date(2027, 1, 4), end_date=date(2027, 1, 18)), date(2027, 1, 1), date(2027, 3, 1),
         ["2027-01-04", "2027-01-11", "2027-01-18"]),
        # a start date that does not match the pattern is not an occurrence
        (Pattern("weekly", date(2027, 1, 6), day_of_week=(0,)), date(2027, 1, 1), date(2027, 1, 20),
         ["2027-01-11", "2027-01-18"]),
        # lists that do not belong to the frequency are ignored
        (Pattern("daily", date(2027, 1, 1), day_of_week=(0,), month_of_year=(6,)), date(2027, 1, 1), date(2027, 1, 4),
         ["2027-01-02", "2027-01-03"]),
    ],
)  # fmt: skip
def test_occurrences(pattern: Pattern, after: date, before: date, expected: list[str]) -> None:
    assert _dates(pattern, after, before) == expected


def test_next_after_is_strictly_after_and_none_when_exhausted() -> None:
    p = Pattern("daily", date(2027, 1, 1), count=2)

    assert next_after(p, date(2027, 1, 1)) == date(2027, 1, 2)
    assert next_after(p, date(2027, 1, 2)) is None
    assert first(Pattern("monthly", date(2027, 2, 28), day_of_month=(31,))) == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("pattern", "field"),
    [
        (Pattern("yearly", date(2027, 1, 1), day_of_month=(15,)), "month_of_year"),
        (Pattern("yearly", date(2027, 1, 1), month_of_year=(2,), day_of_month=(30,)), "day_of_month"),
        (Pattern("custom", date(2027, 1, 1), month_of_year=(4, 6), day_of_month=(31,)), "day_of_month"),
        (Pattern("monthly", date(2027, 1, 31), end_date=date(2027, 1, 30)), "end_date"),
        (Pattern("monthly", date(2027, 2, 1), day_of_month=(31,), end_date=date(2027, 2, 28)), "end_date"),
    ],
)
def test_patterns_that_can_never_occur_are_refused(pattern: Pattern, field: str) -> None:
    with pytest.raises(ImpossiblePattern) as refused:
        validate(pattern)

    assert refused.value.field == field


@pytest.mark.parametrize(
    "pattern",
    [
        Pattern("yearly", date(2028, 2, 29), month_of_year=(2,), day_of_month=(29,)),
        Pattern("monthly", date(2027, 1, 31), day_of_month=(31,)),
        Pattern("custom", date(2027, 1, 1), month_of_year=(2,), day_of_week=(6,)),
    ],
)
def test_rare_but_possible_patterns_are_accepted(pattern: Pattern) -> None:
    validate(pattern)


def test_a_daily_series_started_ten_years_ago_restarts_near_the_date() -> None:
    p = Pattern("daily", date(2017, 1, 1), interval=3)

    assert next_after(p, date(2027, 6, 1)) == date(2027, 6, 2)  # 3,804 days after the start: a multiple of 3


def _walk(p: Pattern, after: date) -> date | None:
    """dateutil walking from the start date: the slow, obviously right answer."""
    rule: rrule = _rule(p)
    found = rule.after(datetime.combine(after, datetime.min.time()), inc=False)
    if found is None or (p.end_date is not None and found.date() > p.end_date):
        return None
    return found.date()


days = st.lists(st.integers(0, 6), min_size=1, max_size=3, unique=True).map(tuple)
month_days = st.lists(st.integers(1, 31), min_size=1, max_size=3, unique=True).map(tuple)
months = st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True).map(tuple)


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    frequency = draw(st.sampled_from(["daily", "weekly", "monthly", "yearly", "custom"]))
    start = draw(st.dates(date(2000, 1, 1), date(2030, 12, 31)))
    return Pattern(
        frequency=frequency,
        start_date=start,
        interval=draw(st.integers(1, 4)),
        day_of_week=draw(st.none() | days) if frequency in ("weekly", "custom") else None,
        day_of_month=draw(st.none() | month_days) if frequency in ("monthly", "custom") else None,
        month_of_year=draw(months) if frequency == "yearly" else draw(st.none() | months),
        end_date=draw(st.none() | st.just(start + timedelta(days=draw(st.integers(1, 4000))))),
        count=draw(st.none() | st.integers(1, 40)),
    )


@settings(max_examples=300, deadline=None)
@given(patterns(), st.integers(-30, 5000))
def test_next_after_agrees_with_a_full_walk(pattern: Pattern, offset: int) -> None:
    try:
        validate(pattern)
    except ImpossiblePattern:
        return
    after = pattern.start_date + timedelta(days=offset)

    assert next_after(pattern, after) == _walk(pattern, after)


@settings(max_examples=100, deadline=None)
@given(patterns(), st.integers(0, 800), st.integers(1, 400))
def test_occurrences_are_ordered_in_range_and_match_the_pattern(pattern: Pattern, offset: int, span: int) -> None:
    try:
        validate(pattern)
    except ImpossiblePattern:
        return
    after = pattern.start_date + timedelta(days=offset)
    found = occurrences(pattern, after, after + timedelta(days=span))

    assert found == sorted(set(found))
    assert all(after < d < after + timedelta(days=span) for d in found)
    assert all(_walk(pattern, d - timedelta(days=1)) == d for d in found)
