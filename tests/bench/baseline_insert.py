"""The cold-start floor of this stack: a bare function that imports SQLAlchemy + pg8000 and runs one INSERT."""

import os

import functions_framework
import sqlalchemy

_engine = None


@functions_framework.http
def handle(request):  # type: ignore[no-untyped-def]
    global _engine
    if _engine is None:
        url = os.environ["BENCH_SQLALCHEMY_URL"]
        _engine = sqlalchemy.create_engine(url)
    with _engine.begin() as conn:
        conn.execute(
            sqlalchemy.text("INSERT INTO processed_events (consumer, event_id) VALUES ('bench', gen_random_uuid())")
        )
    return "ok", 201
