"""Knative's delivery rules, as the Kafka data plane applies them: the DeliverySpec, retries, backoff, status codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import TypeAdapter

_DURATION = TypeAdapter(timedelta)  # ISO-8601 durations such as PT0.3S


def duration(value: str) -> float:
    """Seconds in an ISO-8601 duration (`PT0.3S`, `PT10M`)."""
    return float(_DURATION.validate_python(value).total_seconds())


@dataclass(frozen=True)
class Delivery:
    retry: int
    backoff_policy: str  # linear | exponential
    backoff_delay: float  # seconds
    timeout: float  # seconds per attempt
    dead_letter_sink: Mapping[str, Any] | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any] | None) -> Delivery:
        """A KafkaSource's `spec.delivery`. Omitted: Knative's default (10 retries, exponential, PT0.3S, PT600S).
        Given: every field it leaves out takes the data plane's own default (retry 0, 200 ms, exponential, 600 s)."""
        if spec is None:
            return cls(retry=10, backoff_policy="exponential", backoff_delay=0.3, timeout=600.0)
        return cls(
            retry=int(spec.get("retry", 0)),
            backoff_policy=spec.get("backoffPolicy", "exponential"),
            backoff_delay=duration(spec["backoffDelay"]) if "backoffDelay" in spec else 0.2,
            timeout=duration(spec["timeout"]) if "timeout" in spec else 600.0,
            dead_letter_sink=spec.get("deadLetterSink"),
        )

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based): delay*n (linear) or delay*2^n (exponential)."""
        if self.backoff_policy == "linear":
            return self.backoff_delay * attempt
        return self.backoff_delay * float(2**attempt)


def is_retryable(status: int | None) -> bool:
    """Retry on no response (connection error, timeout), 5xx, 404, 408, 409 and 429; nothing else."""
    return status is None or status >= 500 or status in (404, 408, 409, 429)


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300
