"""relay-outbox: publish the outbox rows a function could not publish when it wrote them.

Triggered every minute by a PingSource and callable over HTTP (POST or GET). Answers 200 with
`{"published": n, "failed": n, "pruned": n}`; safe to run as many instances at once as Knative likes.
"""

from __future__ import annotations

import flask
import functions_framework

from functions.shared import deps, outbox, runtime
from functions.shared.config import settings

runtime.configure_logging()


@functions_framework.http
def handle(request: flask.Request) -> tuple[dict[str, int], int] | tuple[str, int]:
    """Run one relay: publish due pending events oldest first (per-key order kept), then prune old published rows."""
    return runtime.scheduled(
        request,
        lambda: outbox.relay(deps.get().sinks, retention_days=settings().outbox_retention_days),
        "relay-outbox relayed",
    )
