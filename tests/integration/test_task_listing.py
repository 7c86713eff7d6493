"""GET /tasks against a seeded set: filters, sorts (nulls last), search, and keyset pages under concurrent inserts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from functions.shared import deps
from functions.shared.config import Settings
from functions.shared.sinks import HttpSinks
from tests.support.api import User


@pytest.fixture(autouse=True)
def setup(engine: Engine, api_auth: None) -> Iterator[None]:
    previous = deps.override(deps.Deps(sinks=HttpSinks(Settings())))  # no sinks: events stay in the outbox
    yield
    deps.override(previous)


SEED: list[dict[str, Any]] = [
    {"title": "Alpha report", "priority": "low", "due_date": "2027-01-03T10:00:00Z", "tags": ["work"]},
    {"title": "bravo groceries", "priority": "high", "tags": ["home", "errands"]},
    {"title": "Charlie taxes", "priority": "medium", "due_date": "2020-01-01T10:00:00Z", "tags": ["home"]},
    {"title": "Delta running plan", "description": "Run three times a week", "priority": "none",
     "due_date": "2027-01-01T10:00:00Z", "reminder_at": "2026-12-31T10:00:00Z"},
    {"title": "Echo review", "priority": "high", "due_date": "2027-01-02T10:00:00Z", "tags": ["work", "errands"],
     "status": "completed"},
    {"title": "Foxtrot run club", "priority": "medium",
     "recurrence": {"frequency": "weekly", "start_date": "2027-01-04", "day_of_week": [0]}},
]  # fmt: skip


@pytest.fixture
def seeded() -> tuple[User, dict[str, str]]:
    user = User()
    run = uuid.uuid4().hex[:8]  # ids sort in SEED order, so ties (equal priority, null due dates) break predictably
    ids = {}
    for i, body in enumerate(SEED):
        task = {**body, "id": f"{run}-0000-4000-8000-{i:012d}"}
        ids[body["title"].split()[0].lower()] = user.call("POST", "/tasks", json=task).get_json()["id"]
    User().call("POST", "/tasks", json={"title": "Someone else's run", "priority": "high"})
    return user, ids


def _titles(user: User, query: str) -> list[str]:
    response = user.call("GET", f"/tasks?{query}")
    assert response.status_code == 200, response.get_json()
    return [t["title"].split()[0].lower() for t in response.get_json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=title", ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]),
        ("sort=title&order=desc", ["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]),
        ("sort=due_date", ["charlie", "delta", "echo", "alpha", "bravo", "foxtrot"]),
        ("sort=due_date&order=desc", ["alpha", "echo", "delta", "charlie", "bravo", "foxtrot"]),
        ("sort=priority&order=desc&status=pending,in_progress", ["bravo", "charlie", "foxtrot", "alpha", "delta"]),
        ("priority=high&priority=none&sort=title", ["bravo", "delta", "echo"]),
        ("tag=work&sort=title", ["alpha", "echo"]),
        ("tag=HOME,errands&sort=title", ["bravo", "charlie", "echo"]),
        ("tag=home&tag=errands&tags_mode=all&sort=title", ["bravo"]),
        ("overdue=true", ["charlie"]),
        ("has_reminder=true", ["delta"]),
        ("recurring=true", ["foxtrot"]),
        ("recurring=false&has_reminder=false&sort=title", ["alpha", "bravo", "charlie", "echo"]),
        ("due_after=2027-01-01T12:00:00Z&due_before=2027-01-03T12:00:00Z&sort=due_date", ["echo", "alpha"]),
        ("status=completed", ["echo"]),
    ],
)
def test_filters_and_sorts(seeded: tuple[User, dict[str, str]], query: str, expected: list[str]) -> None:
    user, _ = seeded

    assert _titles(user, query) == expected


def test_priority_ties_break_by_id(seeded: tuple[User, dict[str, str]]) -> None:
    user, ids = seeded

    order = _titles(user, "sort=priority&order=desc")

    assert order[:2] == sorted(["bravo", "echo"], key=lambda t: ids[t])
    assert order[-1] == "delta"


def test_search_is_stemmed_ranked_and_highlighted(seeded: tuple[User, dict[str, str]]) -> None:
    user, _ = seeded

    response = user.call("GET", "/tasks?q=running").get_json()["items"]

    assert [t["title"] for t in response] == ["Delta running plan", "Foxtrot run club"]
    assert response[0]["rank"] > response[1]["rank"]
    assert "<mark>running</mark>" in response[0]["snippet"] and "<mark>Run</mark>" in response[0]["snippet"]
    assert _titles(user, 'q="run club" -plan') == ["foxtrot"]
    assert _titles(user, "q=running&sort=title&order=desc") == ["foxtrot", "delta"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "status=done",
        "sort=colour",
        "sort=relevance",
        "due_before=tomorrow",
        "cursor=abc",
        "x=1",
    ],
)
def test_bad_queries_are_422(seeded: tuple[User, dict[str, str]], query: str) -> None:
    user, _ = seeded

    response = user.call("GET", f"/tasks?{query}")

    assert response.status_code == 422
    assert response.get_json()["details"][0]["loc"][0] == "query"


@pytest.mark.parametrize("sort", ["created_at", "due_date", "title", "priority"])
def test_pages_stay_stable_while_tasks_are_added(seeded: tuple[User, dict[str, str]], sort: str) -> None:
    user, ids = seeded
    seen: list[str] = []
    cursor = None
    while True:
        query = f"sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = user.call("GET", f"/tasks?{query}").get_json()
        seen.extend(t["id"] for t in page["items"])
        user.call("POST", "/tasks", json={"title": f"Added {uuid.uuid4()}", "priority": "high"})  # lands anywhere
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen))
    assert set(ids.values()) <= set(seen)


def test_a_cursor_belongs_to_its_query(seeded: tuple[User, dict[str, str]]) -> None:
    user, _ = seeded
    cursor = user.call("GET", "/tasks?sort=title&limit=2").get_json()["next_cursor"]

    assert user.call("GET", f"/tasks?sort=title&limit=2&cursor={cursor}").status_code == 200
    assert user.call("GET", f"/tasks?sort=due_date&limit=2&cursor={cursor}").status_code == 422
