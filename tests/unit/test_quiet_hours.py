"""Quiet hours in the user's timezone, windows crossing midnight, and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.shared.quiet_hours import quiet_until

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("moment", "start", "end", "expected"),
    [
        ("2027-01-10T23:30:00+01:00", time(22), time(7), "2027-01-11T07:00:00+01:00"),  # late evening: until tomorrow
        ("2027-01-11T06:59:00+01:00", time(22), time(7), "2027-01-11T07:00:00+01:00"),  # early morning: until today
        ("2027-01-11T07:00:00+01:00", time(22), time(7), None),  # the end is not quiet
        ("2027-01-11T21:59:00+01:00", time(22), time(7), None),
        ("2027-01-11T22:00:00+01:00", time(22), time(7), "2027-01-12T07:00:00+01:00"),  # the start is quiet
        ("2027-01-11T13:30:00+01:00", time(13), time(14), "2027-01-11T14:00:00+01:00"),  # a lunch window
        ("2027-01-11T14:30:00+01:00", time(13), time(14), None),
        ("2027-01-11T13:30:00+01:00", time(13), time(13), None),  # start == end: no quiet hours
        ("2027-01-11T13:30:00+01:00", None, None, None),
        # reminded at 21:30 UTC = 22:30 in Berlin: quiet there, whatever the server's clock says
        ("2027-01-10T21:30:00+00:00", time(22), time(7), "2027-01-11T07:00:00+01:00"),
        # the night clocks go forward (28 March 2027): the window still ends at 07:00 local, now +02:00
        ("2027-03-27T23:00:00+01:00", time(22), time(7), "2027-03-28T07:00:00+02:00"),
    ],
)
def test_quiet_until(moment: str, start: time | None, end: time | None, expected: str | None) -> None:
    result = quiet_until(datetime.fromisoformat(moment), start, end, BERLIN)

    assert (result.isoformat() if result else None) == expected


@given(
    st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
    st.times(),
    st.times(),
)
def test_a_deferred_moment_is_later_and_no_longer_quiet(moment: datetime, start: time, end: time) -> None:
    until = quiet_until(moment, start, end, BERLIN)

    if until is not None:
        assert until > moment
        assert quiet_until(until, start, end, BERLIN) is None
