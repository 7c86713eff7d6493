"""Queries on users: provisioning on first sight, lookup, timezone."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, RowMapping, select, update
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import users


def ensure_user(
    conn: Connection, user_id: UUID, email: str | None = None, display_name: str | None = None
) -> RowMapping:
    """The user with `user_id`, created on first sight; a known user's email and name fill in when absent."""
    provision(conn, user_id, email, display_name)
    found = get_user(conn, user_id)
    assert found is not None  # inserted or already there, in this transaction
    return found


def provision(conn: Connection, user_id: UUID, email: str | None = None, display_name: str | None = None) -> None:
    """Create the user on first sight, or fill in a known user's missing email and name; one statement."""
    stmt = insert(users).values(id=user_id, email=email, display_name=display_name)
    stmt = stmt.on_conflict_do_update(
        index_elements=[users.c.id],
        set_={
            "email": stmt.excluded.email,
            "display_name": stmt.excluded.display_name,
        },
        where=(users.c.email.is_(None) & stmt.excluded.email.is_not(None))
        | (users.c.display_name.is_(None) & stmt.excluded.display_name.is_not(None)),
    )
    conn.execute(stmt)


def get_user(conn: Connection, user_id: UUID) -> RowMapping | None:
    """The user row, or None."""
    return conn.execute(select(users).where(users.c.id == user_id)).mappings().first()


def set_timezone(conn: Connection, user_id: UUID, timezone: str) -> RowMapping | None:
    """Store the user's IANA timezone (the database rejects unknown names: ck_users_timezone)."""
    stmt = update(users).where(users.c.id == user_id).values(timezone=timezone).returning(*users.c)
    return conn.execute(stmt).mappings().first()
