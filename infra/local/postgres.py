"""The embedded PostgreSQL from the command line: `python -m infra.local.postgres up|url|stop`."""

from __future__ import annotations

import argparse
import logging
import sys

from functions.shared import embedded_pg
from functions.shared.config import settings

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.postgres", description=__doc__)
    parser.add_argument("action", choices=["up", "url", "stop"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = settings().data_dir
    if args.action == "stop":
        embedded_pg.stop(data_dir)
        logger.info("embedded PostgreSQL stopped")
    else:
        sys.stdout.write(embedded_pg.start(data_dir) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
