"""PingSource as the local data plane plays it: cron ticks with the manifest's data, and PingSource's retry rule."""

from __future__ import annotations

import json

import pytest

from infra.local.manifests import Manifest, Resolver
from infra.local.ping import PingSchedule
from tests.support.sink_server import SinkServer


def _ping(url: str, **spec: object) -> PingSchedule:
    manifest = Manifest("sources.knative.dev/v1", "PingSource", "nightly", "taskfn", {"sink": {"uri": url}, **spec})
    return PingSchedule(manifest, Resolver("http://ingress", {}), jitter=0.0)


def test_ticks_post_ping_events_with_the_manifests_data(tmp_path: object) -> None:
    with SinkServer(status=200) as target:
        ping = _ping(
            target.url,
            schedule="* * * * * *",  # the optional seconds field: every second
            timezone="Europe/Berlin",
            contentType="application/json",
            data='{"job": "purge"}',
            ceOverrides={"extensions": {"environment": "local"}},
        ).start()
        try:
            got = target.wait_for(2, timeout=5)
        finally:
            ping.stop()

    assert len(got) >= 2
    first = got[0]
    assert first.headers["ce-type"] == "dev.knative.sources.ping"
    assert first.headers["ce-source"] == "/apis/v1/namespaces/taskfn/pingsources/nightly"
    assert first.headers["ce-environment"] == "local"
    assert first.headers["content-type"] == "application/json"
    assert json.loads(first.body) == {"job": "purge"}
    assert len({r.headers["ce-id"] for r in got}) == len(got)


def test_no_content_type_unless_the_manifest_sets_one() -> None:
    with SinkServer(status=200) as target:
        _ping(target.url, dataBase64="aGVsbG8=").send()

    [got] = target.requests
    assert got.body == b"hello"
    assert "content-type" not in got.headers


@pytest.mark.parametrize(("status", "attempts"), [(200, 1), (500, 1), (400, 1), (503, 6), (429, 6), (404, 6)])
def test_retries_only_on_pingsources_retryable_codes(status: int, attempts: int) -> None:
    with SinkServer(status=status) as target:
        last = _ping(target.url).send()

    assert last == status
    assert len(target.requests) == attempts
    assert len({r.headers["ce-id"] for r in target.requests}) == 1
