"""Recurring tasks and the next instance completing them creates: (case, timezone, due, pattern, completed at,
expected next due in that timezone). All but LATE are completed on their due date in the user's timezone, so
completing them earlier (as an end-to-end test does, today) gives the same next instance."""

from __future__ import annotations

LATE = "completed late skips missed days"
CASES = [
    ("daily across the DST switch", "Europe/Berlin", "2027-03-27T09:00:00+01:00",
     {"frequency": "daily", "start_date": "2027-03-20"}, "2027-03-27T10:00:00+01:00", "2027-03-28T09:00:00+02:00"),
    ("every 2nd week Mon/Wed/Fri", "UTC", "2027-01-08T18:00:00Z",
     {"frequency": "weekly", "interval": 2, "day_of_week": [0, 2, 4], "start_date": "2027-01-04"},
     "2027-01-08T19:00:00Z", "2027-01-18T18:00:00+00:00"),
    ("monthly on the 31st", "UTC", "2027-01-31T08:00:00Z",
     {"frequency": "monthly", "day_of_month": [31], "start_date": "2027-01-31"},
     "2027-01-31T09:00:00Z", "2027-03-31T08:00:00+00:00"),
    ("yearly on 29 February", "UTC", "2028-02-29T08:00:00Z",
     {"frequency": "yearly", "month_of_year": [2], "day_of_month": [29], "start_date": "2028-02-29"},
     "2028-02-29T09:00:00Z", "2032-02-29T08:00:00+00:00"),
    ("custom: weekends", "America/New_York", "2027-01-02T10:00:00-05:00",
     {"frequency": "custom", "day_of_week": [5, 6], "start_date": "2027-01-01"},
     "2027-01-02T11:00:00-05:00", "2027-01-03T10:00:00-05:00"),
    (LATE, "UTC", "2027-01-01T09:00:00Z",
     {"frequency": "daily", "start_date": "2027-01-01"}, "2027-01-05T20:00:00Z", "2027-01-06T09:00:00+00:00"),
    ("completed in the user's evening, the next UTC day", "Asia/Tokyo", "2027-01-01T09:00:00+09:00",
     {"frequency": "daily", "start_date": "2027-01-01"}, "2027-01-01T23:30:00+09:00", "2027-01-02T09:00:00+09:00"),
]  # fmt: skip
