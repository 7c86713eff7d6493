"""Knative's delivery defaults, backoff formulas and retryable status codes."""

from __future__ import annotations

import pytest

from infra.local.delivery import Delivery, duration, is_retryable


def test_an_omitted_delivery_spec_gets_knatives_default() -> None:
    assert Delivery.from_spec(None) == Delivery(
        retry=10, backoff_policy="exponential", backoff_delay=0.3, timeout=600.0
    )


def test_a_given_delivery_spec_loses_the_default_retries() -> None:
    only_dls = Delivery.from_spec({"deadLetterSink": {"uri": "http://dls"}})

    assert (only_dls.retry, only_dls.backoff_delay, only_dls.backoff_policy, only_dls.timeout) == (
        0,
        0.2,
        "exponential",
        600.0,
    )


def test_spec_fields_are_read() -> None:
    spec = {"retry": 4, "backoffPolicy": "linear", "backoffDelay": "PT1.5S", "timeout": "PT10S"}

    assert Delivery.from_spec(spec) == Delivery(retry=4, backoff_policy="linear", backoff_delay=1.5, timeout=10.0)


def test_backoff_formulas() -> None:
    linear = Delivery(retry=3, backoff_policy="linear", backoff_delay=0.5, timeout=1)
    exponential = Delivery(retry=3, backoff_policy="exponential", backoff_delay=0.5, timeout=1)

    assert [linear.wait_before(n) for n in (1, 2, 3)] == [0.5, 1.0, 1.5]
    assert [exponential.wait_before(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert sum(Delivery.from_spec(None).wait_before(n) for n in range(1, 11)) == pytest.approx(613.8)


@pytest.mark.parametrize("status", [None, 500, 502, 503, 504, 404, 408, 409, 429])
def test_retried(status: int | None) -> None:
    assert is_retryable(status)


@pytest.mark.parametrize("status", [300, 301, 400, 401, 403, 405, 410, 413, 415, 422])
def test_not_retried(status: int) -> None:
    assert not is_retryable(status)


def test_iso_durations() -> None:
    assert (duration("PT0.3S"), duration("PT10M"), duration("PT1H")) == (0.3, 600.0, 3600.0)
