"""Search and filtered listing on 1,000,000 tasks across 1,000 users, through query-tasks' handler, with the plan
of each query shape. `python -m tests.bench.search [--requests N]` (seeds its own database once, ~2 minutes)."""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from functions_framework import create_app
from sqlalchemy import Engine, text

from functions.shared import db
from functions.shared.config import REPO_ROOT, settings
from functions.shared.queries import tasks
from infra.local.system import DEV_JWT_SECRET, dev_token
from tests.bench import bare
from tests.bench.report import write_section

USERS, PER_USER = 1000, 1000
VERBS = (
    "buy call fix plan write review book clean pay send read run paint order email visit renew file cook water".split()
)
NOUNS = (
    "groceries dentist bike report invoice garden passport taxes kitchen plants flights insurance car budget slides "
    "roof letter gift contract marathon"
).split()


def _user(i: int) -> uuid.UUID:
    return uuid.UUID(int=0xBE4C << 112 | i)


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM tasks")).scalar_one() >= USERS * PER_USER:
            return
        conn.execute(text("TRUNCATE users CASCADE"))
        user_ids = "CAST(:prefix || lpad(to_hex(i), 12, '0') AS uuid)"
        conn.execute(
            text(f"INSERT INTO users (id) SELECT {user_ids} FROM generate_series(0, :n - 1) i"),
            {"prefix": str(_user(0))[:24], "n": USERS},
        )
        conn.execute(
            text(
                "INSERT INTO tasks (user_id, title, description, status, priority, due_date, reminder_at, created_at) "
                "SELECT CAST(:prefix || lpad(to_hex(mod(i, :users)), 12, '0') AS uuid), "
                "  (CAST(:verbs AS text[]))[1 + mod(i * 7, 20)] || ' the ' "
                "    || (CAST(:nouns AS text[]))[1 + mod(i * 13, 20)] || ' ' || i, "
                "  CASE WHEN mod(i, 3) = 0 THEN 'remember the ' || (CAST(:nouns AS text[]))[1 + mod(i * 3, 20)] END, "
                "  (ARRAY['pending', 'in_progress', 'completed'])[1 + mod(i, 3)], "
                "  (ARRAY['none', 'low', 'medium', 'high'])[1 + mod(i / 7, 4)], "
                "  CASE WHEN mod(i, 4) <> 0 THEN timestamptz '2026-01-01' + make_interval(hours => mod(i, 17520)) END, "
                "  CASE WHEN mod(i, 10) = 0 THEN timestamptz '2025-12-31' + make_interval(hours => mod(i, 17520)) END, "
                "  timestamptz '2025-01-01' + make_interval(secs => i) "
                "FROM generate_series(0, :n - 1) i"
            ),
            {"prefix": str(_user(0))[:24], "users": USERS, "n": USERS * PER_USER, "verbs": VERBS, "nouns": NOUNS},
        )
        conn.execute(
            text("INSERT INTO tags (user_id, name) SELECT id, t FROM users, unnest(ARRAY['work', 'home', 'errands']) t")
        )
        conn.execute(
            text(
                "INSERT INTO task_tags (task_id, tag_id) SELECT tk.id, tg.id FROM tasks tk "
                "JOIN tags tg ON tg.user_id = tk.user_id "
                "  AND tg.name = (ARRAY['work', 'home', 'errands'])[1 + mod(abs(hashtext(tk.id::text)), 3)] "
                "WHERE mod(abs(hashtext(tk.id::text)), 10) < 3"
            )
        )  # fmt: skip


QUERIES = {
    "newest 50": "limit=50",
    "pending/in progress, high or medium, by due date": "status=pending,in_progress&priority=high,medium&sort=due_date",
    "tag 'work', by priority": "tag=work&sort=priority&order=desc",
    "overdue, by due date": "overdue=true&sort=due_date",
    "search one word": "q=passport",
    "search two words, pending only": "q=renew%20passport&status=pending",
    "search prefix-free phrase": "q=%22the%20garden%22",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    url, engine = bare.database("taskfn_bench1m")
    started = time.perf_counter()
    _seed(engine)
    seeded_in = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("ANALYZE tasks, tags, task_tags, users"))
    previous = db.use(engine)
    import os

    os.environ["AUTH_JWT_SECRET"] = DEV_JWT_SECRET
    settings.cache_clear()
    client = create_app(
        target="handle", source=str(REPO_ROOT / "functions" / "query_tasks.py"), signature_type="http"
    ).test_client()
    rng = random.Random(7)
    tokens = [dev_token(DEV_JWT_SECRET, str(_user(i))) for i in range(USERS)]
    rows = []
    for name, query in QUERIES.items():
        latencies = []
        for _ in range(args.requests):
            token = tokens[rng.randrange(USERS)]
            t0 = time.perf_counter()
            response = client.get(f"/tasks?{query}", headers={"Authorization": f"Bearer {token}"})
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.get_json()
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        rows.append(f"| {name} | `{query}` | {statistics.median(latencies):.1f} | {p95:.1f} |")
    plans = []
    with engine.connect() as conn:
        user = _user(42)
        newest = tasks.TaskFilter()
        search = tasks.TaskFilter(query="passport")
        shapes = {
            "newest 50": tasks.list_statement(user, newest, sort="created_at", descending=False, after=None, limit=51),
            "search one word": tasks.list_statement(
                user, search, sort="relevance", descending=True, after=None, limit=51
            ),
        }
        for name, stmt in shapes.items():
            plan = db.explain(conn, stmt)
            used = sorted({word for word in plan.replace("(", " ").split() if word.startswith("idx_")})
            seq = "Seq Scan on tasks" in plan
            plans.append(
                f"- {name}: indexes {', '.join(used) or 'none'}; sequential scan of tasks: {'yes' if seq else 'no'}"
            )
    db.use(previous)
    command = f"python -m tests.bench.search --requests {args.requests}"
    body = f"""## Search and filtered listing on 1,000,000 tasks (`{command}`)

{USERS * PER_USER:,} tasks over {USERS:,} users (a third completed, a quarter without due date, ~30% tagged), seeded
once{f" in {seeded_in:.0f} s" if seeded_in > 5 else ""}. Each request goes through query-tasks' handler (JWT
check, query, page of up to 50 with tags) for a random user; {args.requests} requests per row.

| query | parameters | p50 ms | p95 ms |
|---|---|---:|---:|
{chr(10).join(rows)}

Plans (EXPLAIN for user 42):
{chr(10).join(plans)}

Target: p95 under 20 ms.
"""
    write_section("search", body)
    print(body)


if __name__ == "__main__":
    main()
