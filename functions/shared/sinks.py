"""Publishing CloudEvents to Knative KafkaSinks over HTTP (binary mode); 2xx (KafkaSink: 202) means published."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from functions.shared.config import Settings
from functions.shared.errors import ConfigError, PublishError

if TYPE_CHECKING:
    import urllib3


class Sinks(Protocol):
    def send(self, topic: str, headers: Mapping[str, str], body: bytes) -> None:
        """POST one encoded CloudEvent to the topic's sink; raise PublishError unless it was accepted."""


class HttpSinks:
    """The real sinks: SINK_<TOPIC> URLs, one keep-alive connection pool per process, a bounded timeout."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def _http(self) -> urllib3.PoolManager:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    import urllib3  # on first publish, not at cold start

                    self._pool = urllib3.PoolManager(maxsize=max(self._settings.threads, 1), retries=False)
        return self._pool

    def send(self, topic: str, headers: Mapping[str, str], body: bytes) -> None:
        import urllib3

        try:
            url = self._settings.sink_for(topic)
        except ConfigError as e:
            raise PublishError(topic, str(e)) from e
        timeout = self._settings.outbox_publish_timeout
        try:
            response = self._http().request(
                "POST",
                url,
                headers=dict(headers),
                body=body,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as e:
            raise PublishError(topic, f"{type(e).__name__}: {e}") from e
        if not 200 <= response.status < 300:
            detail = response.data[:200].decode(errors="replace")
            raise PublishError(topic, f"sink answered {response.status}: {detail}")
