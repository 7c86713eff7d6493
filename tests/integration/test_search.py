"""Full-text search: the trigger keeps search_vector, stemming matches word forms, and the GIN index serves it."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, RowMapping, text

from functions.shared import db
from functions.shared.queries import tasks, users


def _search(conn: Connection, user_id: uuid.UUID, query: str) -> list[RowMapping]:
    """The query GET /tasks?q= runs: best match first."""
    found = tasks.TaskFilter(query=query)
    return tasks.list_tasks(conn, user_id, found, sort="relevance", descending=True, after=None, limit=50)


def test_trigger_fills_and_refreshes_search_vector(conn: Connection) -> None:
    user = users.ensure_user(conn, uuid.uuid4())
    task = tasks.insert_task(conn, user["id"], {"title": "Run the marathon", "description": "Buy shoes"})

    assert [t["id"] for t in _search(conn, user["id"], "shoes")] == [task["id"]]
    tasks.update_task(conn, user["id"], task["id"], {"description": "Book a physio"})
    assert _search(conn, user["id"], "shoes") == []
    assert [t["id"] for t in _search(conn, user["id"], "physio")] == [task["id"]]


def test_stemmed_word_forms_match_and_rank_orders_results(conn: Connection) -> None:
    user = users.ensure_user(conn, uuid.uuid4())
    once = tasks.insert_task(conn, user["id"], {"title": "Go for a run"})
    twice = tasks.insert_task(conn, user["id"], {"title": "Run, run", "description": "runs every morning"})
    tasks.insert_task(conn, user["id"], {"title": "Buy milk"})

    found = _search(conn, user["id"], "running")

    assert [t["id"] for t in found] == [twice["id"], once["id"]]
    assert [t["id"] for t in _search(conn, user["id"], '"run" -milk -morning')] == [once["id"]]


def test_search_is_scoped_to_the_user(conn: Connection) -> None:
    owner, other = users.ensure_user(conn, uuid.uuid4()), users.ensure_user(conn, uuid.uuid4())
    tasks.insert_task(conn, owner["id"], {"title": "Secret plans"})

    assert _search(conn, other["id"], "secret") == []


def test_search_uses_the_gin_index(conn: Connection) -> None:
    # 60,000 tasks over 10 users: enough rows that the planner's choice is the one production sees
    user_ids = [users.ensure_user(conn, uuid.uuid4())["id"] for _ in range(10)]
    conn.execute(
        text(
            "INSERT INTO tasks (user_id, title, description) "
            "SELECT (CAST(:ids AS uuid[]))[1 + mod(i, 10)], "
            "(ARRAY['do laundry', 'wash dishes', 'buy groceries', 'file taxes', 'call mum'])[1 + mod(i, 5)] "
            "|| ' ' || mod(i, 1000), "
            "'routine errand' "
            "FROM generate_series(1, 60000) AS i"
        ),
        {"ids": user_ids},
    )
    tasks.insert_task(conn, user_ids[0], {"title": "Running shoes"})
    conn.execute(text("ANALYZE tasks"))

    running = tasks.TaskFilter(query="running")
    stmt = tasks.list_statement(user_ids[0], running, sort="relevance", descending=True, after=None, limit=51)
    plan = db.explain(conn, stmt)

    assert "idx_tasks_search" in plan, plan
    assert "Seq Scan" not in plan, plan
