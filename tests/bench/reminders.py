"""schedule-reminders claiming and emitting 10,000 due reminders among 1,000,000 tasks, with the plan of its claim
query. `python -m tests.bench.reminders` (seeds its own database once, ~1 minute; each run resets the deliveries).

Of the 1,000,000 tasks, 10,000 open ones have a reminder time in the past; 100,000 more have one in the future,
about 330,000 are completed (some with past reminders), and the rest have due dates months ahead. The run goes
through `reminder_schedule.run()` as the function does: claim (SKIP LOCKED), record the delivery, write the outbox,
commit, publish each batch to a KafkaSink stand-in (a local HTTP server answering 202)."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import Engine, text

from functions.shared import db, deps, reminder_schedule
from functions.shared.config import Settings
from functions.shared.queries import reminders
from functions.shared.sinks import HttpSinks
from tests.bench import bare
from tests.bench.report import write_section
from tests.support.sink_server import SinkServer

USERS, TASKS, DUE = 1000, 1_000_000, 10_000


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        # future reminders start a day after seeding: a seed younger than 12 hours still has exactly DUE due
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_seed (seeded_at TIMESTAMPTZ NOT NULL)"))
        fresh = conn.execute(text("SELECT count(*) FROM bench_seed WHERE seeded_at > now() - interval '12 hours'"))
        if fresh.scalar_one() and conn.execute(text("SELECT count(*) FROM tasks")).scalar_one() == TASKS:
            return
        conn.execute(text("TRUNCATE users, bench_seed CASCADE"))
        conn.execute(text("INSERT INTO bench_seed VALUES (now())"))
        conn.execute(text("INSERT INTO users (id, email) SELECT CAST(:prefix || lpad(to_hex(i), 12, '0') AS uuid), "
                          "'u' || i || '@example.com' FROM generate_series(0, :n - 1) i"),
                     {"prefix": str(uuid.UUID(int=0xAB << 120))[:24], "n": USERS})  # fmt: skip
        # i % 100 = 0: open, reminder 1..1440 minutes ago (the 10,000 due); i % 10 = 1: reminder 1 to 31 days
        # ahead; i % 3 = 0 (and not due): completed, half of them with a past reminder; the rest: due months ahead
        conn.execute(
            text(
                "INSERT INTO tasks (user_id, title, status, reminder_at, due_date) "
                "SELECT CAST(:prefix || lpad(to_hex(mod(i, :users)), 12, '0') AS uuid), 'task ' || i, "
                "  CASE WHEN mod(i, 100) <> 0 AND mod(i, 3) = 0 THEN 'completed' ELSE 'pending' END, "
                "  CASE WHEN mod(i, 100) = 0 THEN now() - make_interval(mins => 1 + mod(i / 100, 1440)) "
                "       WHEN mod(i, 10) = 1 THEN now() + make_interval(days => 1, mins => mod(i, 43200)) "
                "       WHEN mod(i, 6) = 3 THEN now() - make_interval(mins => 1 + mod(i, 1440)) END, "
                "  now() + make_interval(days => 60 + mod(i, 300)) "
                "FROM generate_series(0, :n - 1) i"
            ),
            {"prefix": str(uuid.UUID(int=0xAB << 120))[:24], "users": USERS, "n": TASKS},
        )
        conn.execute(text("ANALYZE tasks, users, notification_preferences, reminder_deliveries"))


def main() -> None:
    url, engine = bare.database("taskfn_bench_reminders")
    started = time.perf_counter()
    _seed(engine)
    seeded_in = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE reminder_deliveries, outbox"))
    previous_engine = db.use(engine)
    with engine.connect() as conn:
        plan = db.explain(conn, reminders.due_statement(reminder_schedule.BATCH))
    with SinkServer() as sink:
        previous = deps.override(deps.Deps(sinks=HttpSinks(Settings(sink_reminders=f"{sink.url}/reminders"))))
        try:
            t0 = time.perf_counter()
            result = reminder_schedule.run(budget_seconds=600)
            elapsed = time.perf_counter() - t0
            t1 = time.perf_counter()
            again = reminder_schedule.run(budget_seconds=600)
            idle = time.perf_counter() - t1
        finally:
            deps.override(previous)
        published = len(sink.received)
    db.use(previous_engine)
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one()
    assert result.scheduled == DUE, result
    assert again.scheduled == 0, again
    used = sorted({word for word in plan.replace("(", " ").split() if word.startswith("idx_")})
    seq = "Seq Scan on tasks" in plan
    plan_text = "\n".join("    " + line for line in plan.splitlines())
    body = f"""## schedule-reminders: 10,000 due among 1,000,000 tasks (`python -m tests.bench.reminders`)

{TASKS:,} tasks of {USERS:,} users; {DUE:,} open tasks have a reminder time in the past, 100,000 more one in the
future, ~330,000 are completed (half of those with a past reminder). Seeded in {seeded_in:.0f} s (0 when kept).
One `reminder_schedule.run()`, as the function runs it on a PingSource tick: batches of {reminder_schedule.BATCH}
claimed with `FOR UPDATE SKIP LOCKED`, a delivery row each, the outbox written and each batch published after its
commit to a local HTTP server standing in for the KafkaSink.

| what | figure |
|---|---:|
| claimed and emitted | {result.scheduled:,} in {result.batches} batches |
| time | {elapsed:.2f} s ({result.scheduled / elapsed:,.0f} reminders/s) |
| published to the sink / left pending in the outbox | {published:,} / {pending:,} |
| the next tick (nothing due) | {idle * 1000:.0f} ms |

The claim query's plan: indexes {", ".join(used) or "none"}; sequential scan of tasks: {"**yes**" if seq else "no"}.

{plan_text}
"""
    write_section("reminders", body)
    print(body)


if __name__ == "__main__":
    main()
