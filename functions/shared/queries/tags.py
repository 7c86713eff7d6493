"""Queries on tags and the task/tag junction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import tags, task_tags


def create_tag(conn: Connection, user_id: UUID, name: str, color: str | None = None) -> RowMapping:
    """Create a tag; a name the user already has (in any letter case) violates idx_tags_name_ci."""
    stmt = tags.insert().values(user_id=user_id, name=name, color=color).returning(*tags.c)
    return conn.execute(stmt).mappings().one()


def ensure_tags(conn: Connection, user_id: UUID, names: Iterable[str]) -> list[RowMapping]:
    """The user's tags with these names (matched case-insensitively), creating the missing ones; in input order."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    stmt = insert(tags).values([{"user_id": user_id, "name": n} for n in wanted])
    stmt = stmt.on_conflict_do_nothing(index_elements=[tags.c.user_id, func.lower(tags.c.name)])
    conn.execute(stmt)
    rows = conn.execute(
        select(tags).where(tags.c.user_id == user_id, func.lower(tags.c.name).in_([n.lower() for n in wanted]))
    ).mappings()
    by_lower = {r["name"].lower(): r for r in rows}
    return list({by_lower[n.lower()]["id"]: by_lower[n.lower()] for n in wanted}.values())


def list_tags(conn: Connection, user_id: UUID) -> list[RowMapping]:
    """The user's tags by name, each with `task_count`."""
    count = func.count(task_tags.c.task_id).label("task_count")
    stmt = (
        select(*tags.c, count)
        .select_from(tags.outerjoin(task_tags, task_tags.c.tag_id == tags.c.id))
        .where(tags.c.user_id == user_id)
        .group_by(tags.c.id)
        .order_by(func.lower(tags.c.name))
    )
    return list(conn.execute(stmt).mappings())


def update_tag(conn: Connection, user_id: UUID, tag_id: UUID, changes: Mapping[str, Any]) -> RowMapping | None:
    """Rename or recolor the user's tag; None when there is no such tag."""
    unknown = set(changes) - {"name", "color"}
    if unknown:
        raise ValueError(f"not writable tag columns: {sorted(unknown)}")
    stmt = update(tags).where(tags.c.id == tag_id, tags.c.user_id == user_id).values(**changes).returning(*tags.c)
    return conn.execute(stmt).mappings().first()


def delete_tag(conn: Connection, user_id: UUID, tag_id: UUID) -> RowMapping | None:
    """Delete the user's tag, detaching it from every task; returns the deleted row, or None."""
    stmt = delete(tags).where(tags.c.id == tag_id, tags.c.user_id == user_id).returning(*tags.c)
    return conn.execute(stmt).mappings().first()


def set_task_tags(conn: Connection, task_id: UUID, tag_ids: Iterable[UUID]) -> None:
    """Make `tag_ids` exactly the task's tags."""
    ids = list(dict.fromkeys(tag_ids))
    conn.execute(delete(task_tags).where(task_tags.c.task_id == task_id, task_tags.c.tag_id.not_in(ids)))
    if ids:
        stmt = insert(task_tags).values([{"task_id": task_id, "tag_id": t} for t in ids]).on_conflict_do_nothing()
        conn.execute(stmt)


def tag_names(conn: Connection, task_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Each task's tag names, alphabetical; tasks without tags map to []."""
    ids = list(task_ids)
    result: dict[UUID, list[str]] = defaultdict(list)
    if ids:
        stmt = (
            select(task_tags.c.task_id, tags.c.name)
            .join(tags, tags.c.id == task_tags.c.tag_id)
            .where(task_tags.c.task_id.in_(ids))
            .order_by(func.lower(tags.c.name))
        )
        for task_id, name in conn.execute(stmt):
            result[task_id].append(name)
    return {i: result[i] for i in ids}
