"""`make dev`: bring the whole local system up, print where each piece listens, stop it all on Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys

from functions.shared import embedded_pg
from functions.shared.config import settings
from infra.local.system import DEV_JWT_SECRET, LocalSystem

logger = logging.getLogger("taskfn.dev")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("pgserver", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = settings()
    system = LocalSystem(config, jwt_secret=config.auth_jwt_secret or DEV_JWT_SECRET)
    for sig in (signal.SIGINT, signal.SIGTERM):  # explicit: a background job may have inherited SIGINT ignored
        signal.signal(sig, _interrupt)
    try:
        system.start()
        width = max(len(name) for name, _ in system.rows)
        table = "".join(f"  {name:<{width}}  {where}\n" for name, where in system.rows)
        sys.stdout.write(f"\ntaskfn is up:\n{table}Ctrl-C stops everything.\n\n")
        sys.stdout.flush()
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean shutdown short
            signal.signal(sig, signal.SIG_IGN)
        logger.info("stopping")
        system.stop()
        if not config.database_url:
            embedded_pg.stop(config.data_dir)
        logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
