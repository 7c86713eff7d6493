"""Knative's PingSource: on each cron tick (optionally with a seconds field and a timezone) POST a
`dev.knative.sources.ping` event with the manifest's data, after a random 0-500 ms delay.

Like PingSource it retries 5 times with exponential backoff from 50 ms, only on connection errors and 404, 413,
425, 429, 502, 503, 504 (not on 500); after that the tick is lost and only logged.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import urllib3
from croniter import croniter

from infra.local.manifests import Manifest, Resolver

logger = logging.getLogger(__name__)

RETRYABLE = frozenset({404, 413, 425, 429, 502, 503, 504})
RETRIES = 5
FIRST_BACKOFF = 0.05


class PingSchedule:
    def __init__(self, source: Manifest, resolver: Resolver, jitter: float = 0.5) -> None:
        spec = source.spec
        self.source = source
        self.schedule = spec.get("schedule", "* * * * *")
        self.timezone = ZoneInfo(spec["timezone"]) if spec.get("timezone") else UTC
        self.sink_url = resolver.destination(spec["sink"], source.namespace)
        self.content_type = spec.get("contentType")
        if "dataBase64" in spec:
            self.data = base64.b64decode(spec["dataBase64"])
        else:
            self.data = str(spec.get("data", "")).encode()
        self.overrides = dict(spec.get("ceOverrides", {}).get("extensions", {}))
        self.jitter = jitter
        self._http = urllib3.PoolManager(retries=False)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"pingsource-{source.name}", daemon=True)

    def start(self) -> PingSchedule:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def ticks(self, after: datetime) -> croniter:
        with_seconds = len(self.schedule.split()) == 6
        return croniter(self.schedule, after.astimezone(self.timezone), second_at_beginning=with_seconds)

    def _run(self) -> None:
        ticks = self.ticks(datetime.now(UTC))
        while not self._stop.is_set():
            due: datetime = ticks.get_next(datetime)
            wait = (due - datetime.now(UTC)).total_seconds() + random.uniform(0, self.jitter)
            if self._stop.wait(max(wait, 0)):
                return
            self.send()

    def event_headers(self) -> dict[str, str]:
        headers = {
            "ce-specversion": "1.0",
            "ce-id": str(uuid.uuid4()),
            "ce-type": "dev.knative.sources.ping",
            "ce-source": f"/apis/v1/namespaces/{self.source.namespace}/pingsources/{self.source.name}",
            "ce-time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        headers.update({f"ce-{k}": v for k, v in self.overrides.items()})
        if self.content_type:
            headers["content-type"] = self.content_type
        return headers

    def send(self) -> int | None:
        """Send one tick; the last status seen (None: no answer)."""
        headers = self.event_headers()
        status: int | None = None
        for attempt in range(RETRIES + 1):
            if attempt and self._stop.wait(FIRST_BACKOFF * 2 ** (attempt - 1)):
                return status
            try:
                status = self._http.request("POST", self.sink_url, headers=headers, body=self.data, timeout=30).status
            except urllib3.exceptions.HTTPError as e:
                logger.info("pingsource %s: %s", self.source.name, e)
                status = None
            if status is not None and status not in RETRYABLE:
                break
        if status is None or not 200 <= status < 300:
            logger.warning("pingsource %s: tick %s lost (last status %s)", self.source.name, headers["ce-id"], status)
        return status
