"""`make dev`: bring the local system up, print where each piece listens, and stop it all on Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from functions.shared import db, embedded_pg, migrations
from functions.shared.config import settings

logger = logging.getLogger("taskfn.dev")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    config = settings()
    embedded = not config.database_url
    url = db.database_url(config)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        engine = db.create(config, url)
        applied = migrations.migrate(engine)
        engine.dispose()
        logger.info("migrations applied: %s", " ".join(applied) or "none (schema current)")
        rows = [("PostgreSQL", url + ("  (embedded, data in .data/pg)" if embedded else ""))]
        width = max(len(name) for name, _ in rows)
        sys.stdout.write("\ntaskfn is up:\n" + "".join(f"  {n:<{width}}  {w}\n" for n, w in rows))
        sys.stdout.write("Ctrl-C stops everything.\n\n")
        sys.stdout.flush()
        stop.wait()
    finally:
        if embedded:
            embedded_pg.stop(config.data_dir)
            logger.info("embedded PostgreSQL stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
