"""Tags, preferences, the audit trail and notifications over REST: happy paths, rules, and isolation between users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from functions.shared.queries import audit
from tests.support.api import User

pytestmark = pytest.mark.usefixtures("event_sink", "api_auth")


def test_tags_lifecycle_with_counts_and_case_insensitive_names() -> None:
    user = User()
    user.call("POST", "/tasks", json={"title": "a", "tags": ["Work"]})
    user.call("POST", "/tasks", json={"title": "b", "tags": ["work", "Home"]})

    listed = user.call("GET", "/tags").get_json()["items"]
    created = user.call("POST", "/tags", json={"name": "Garden", "color": "#33aa55"})
    clash = user.call("POST", "/tags", json={"name": "WORK"})
    work_id = next(t["id"] for t in listed if t["name"] == "Work")
    renamed = user.call("PATCH", f"/tags/{work_id}", json={"name": "Job", "color": "#FF5733"})

    assert [(t["name"], t["task_count"]) for t in listed] == [("Home", 1), ("Work", 2)]
    assert created.status_code == 201 and created.get_json()["task_count"] == 0
    assert clash.status_code == 409
    assert renamed.status_code == 200 and (renamed.get_json()["name"], renamed.get_json()["color"]) == (
        "Job",
        "#FF5733",
    )
    assert user.call("DELETE", f"/tags/{work_id}").status_code == 204
    assert [t["tags"] for t in user.call("GET", "/tasks?sort=title").get_json()["items"]] == [[], ["Home"]]


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 51}, {"name": "a", "color": "red"}, {"nam": "a"}])
def test_bad_tags_are_422(body: dict[str, str]) -> None:
    assert User().call("POST", "/tags", json=body).status_code == 422


def test_tags_are_private() -> None:
    owner, stranger = User(), User()
    tag_id = owner.call("POST", "/tags", json={"name": "Secret"}).get_json()["id"]

    assert stranger.call("GET", "/tags").get_json()["items"] == []
    assert stranger.call("PATCH", f"/tags/{tag_id}", json={"name": "Mine"}).status_code == 404
    assert stranger.call("DELETE", f"/tags/{tag_id}").status_code == 404
    assert owner.call("GET", "/tags").get_json()["items"][0]["name"] == "Secret"


def test_preferences_default_then_replace() -> None:
    user = User()

    defaults = user.call("GET", "/preferences").get_json()
    chosen = {"email_enabled": False, "reminder_lead_time": 15, "timezone": "Europe/Berlin"}
    put = user.call("PUT", "/preferences", json={**chosen, "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"})
    again = user.call("PUT", "/preferences", json={"timezone": "Asia/Tokyo"})

    assert defaults == {
        "in_app_enabled": True,
        "email_enabled": True,
        "reminder_lead_time": 60,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "timezone": "UTC",
    }
    assert put.status_code == 200
    assert put.get_json() == {**defaults, **chosen, "quiet_hours_start": "22:00:00", "quiet_hours_end": "07:00:00"}
    assert again.get_json() == {**defaults, "timezone": "Asia/Tokyo"}
    assert User().call("GET", "/preferences").get_json() == defaults


@pytest.mark.parametrize(
    "body",
    [
        {"reminder_lead_time": -1},
        {"quiet_hours_start": "22:00"},
        {"timezone": "Mars/Olympus"},
        {"email_enabled": "sometimes"},
        {"colour": "blue"},
    ],
)
def test_bad_preferences_are_422_and_change_nothing(body: dict[str, object]) -> None:
    user = User()

    assert user.call("PUT", "/preferences", json=body).status_code == 422
    assert user.call("GET", "/preferences").get_json()["reminder_lead_time"] == 60


def test_audit_trail_is_the_users_own_newest_first_in_pages(engine: Engine) -> None:
    user, stranger = User(), User()
    task_id = uuid.uuid4()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for i, action in enumerate(["created", "updated", "updated", "completed"]):
            audit.insert_entry(conn, user_id=user.id, entity_type="task", entity_id=task_id, action=action,
                               old_data=None, new_data={"step": i}, timestamp=start + timedelta(hours=i),
                               correlation_id=None)  # fmt: skip
        audit.insert_entry(conn, user_id=user.id, entity_type="task", entity_id=uuid.uuid4(), action="created",
                           old_data=None, new_data={}, timestamp=start, correlation_id=None)  # fmt: skip
        audit.insert_entry(conn, user_id=stranger.id, entity_type="task", entity_id=task_id, action="deleted",
                           old_data={}, new_data=None, timestamp=start, correlation_id=None)  # fmt: skip

    first = user.call("GET", f"/audit?task_id={task_id}&limit=3").get_json()
    second = user.call("GET", f"/audit?task_id={task_id}&limit=3&cursor={first['next_cursor']}").get_json()
    window = user.call("GET", "/audit?since=2026-11-01T01:00:00Z&until=2026-11-01T03:00:00Z").get_json()

    assert [e["new_data"]["step"] for e in first["items"]] == [3, 2, 1]
    assert [e["action"] for e in second["items"]] == ["created"] and second["next_cursor"] is None
    assert [e["new_data"]["step"] for e in window["items"]] == [2, 1]
    assert len(user.call("GET", "/audit").get_json()["items"]) == 5
    assert [e["action"] for e in stranger.call("GET", "/audit").get_json()["items"]] == ["deleted"]
    assert user.call("GET", "/audit?limit=500").status_code == 422


def test_notifications_unread_first_and_mark_read(engine: Engine) -> None:
    user, stranger = User(), User()
    user.call("PUT", "/preferences", json={})  # provisions the user
    with engine.begin() as conn:
        ids = [
            conn.execute(
                text("INSERT INTO notifications (user_id, kind, title, body, created_at) "
                     "VALUES (:u, 'reminder', :t, 'body', now() - make_interval(mins => :m)) RETURNING id"),
                {"u": user.id, "t": title, "m": minutes},
            ).scalar_one()
            for title, minutes in [("old", 30), ("newer", 10), ("newest", 1)]
        ]  # fmt: skip

    read = user.call("POST", f"/notifications/{ids[1]}/read")
    listed = user.call("GET", "/notifications").get_json()["items"]
    unread = user.call("GET", "/notifications?unread=true").get_json()["items"]

    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    assert [n["title"] for n in listed] == ["newest", "old", "newer"]
    assert [n["title"] for n in unread] == ["newest", "old"]
    assert stranger.call("POST", f"/notifications/{ids[0]}/read").status_code == 404
    assert stranger.call("GET", "/notifications").get_json()["items"] == []
