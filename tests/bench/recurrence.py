"""`next_after` for series started ten years ago, next to dateutil walking from the start date, per call.
`python -m tests.bench.recurrence`."""

from __future__ import annotations

import timeit
from datetime import date, datetime

from functions.shared.recurrence import Pattern, _rule, next_after
from tests.bench.report import write_section

TODAY = date(2027, 6, 1)
CASES = {
    "daily": Pattern("daily", date(2017, 6, 1)),
    "every 2nd week Mon/Wed/Fri": Pattern("weekly", date(2017, 6, 1), interval=2, day_of_week=(0, 2, 4)),
    "monthly on the 31st": Pattern("monthly", date(2017, 5, 31), day_of_month=(31,)),
    "custom: every 3rd day, weekends": Pattern("custom", date(2017, 6, 1), interval=3, day_of_week=(5, 6)),
}


def _walk(p: Pattern) -> object:
    return _rule(p).after(datetime.combine(TODAY, datetime.min.time()), inc=False)


def main() -> None:
    rows = []
    for name, pattern in CASES.items():
        runs = 2000
        fast = min(timeit.repeat(lambda p=pattern: next_after(p, TODAY), number=runs, repeat=3)) / runs * 1e6  # type: ignore[misc]
        walk = min(timeit.repeat(lambda p=pattern: _walk(p), number=20, repeat=3)) / 20 * 1e6  # type: ignore[misc]
        rows.append(f"| {name} | {fast:,.0f} | {walk:,.0f} | {walk / fast:,.0f}x |")
    body = f"""## Recurrence: `next_after` on series started ten years ago (`python -m tests.bench.recurrence`)

| pattern | next_after µs | dateutil walk from the start µs | speed-up |
|---|---:|---:|---:|
{chr(10).join(rows)}

`next_after` restarts the rule at the interval-aligned period that holds the date (same phase), so its cost does not
grow with the age of the series; with COUNT it has to count from the start, bounded by COUNT.
"""
    write_section("recurrence", body)
    print(body)


if __name__ == "__main__":
    main()
