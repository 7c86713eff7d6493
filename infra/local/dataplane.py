"""Knative Eventing's Kafka data plane, played from manifests: KafkaSink ingress, KafkaSource dispatchers, PingSources.

`python -m infra.local.dataplane DIR... --bootstrap HOST:PORT` runs it alone (dispatchers resolve `Service` sinks
only through `--service NAME=URL`); `infra.local.system` runs it inside the whole local system.
"""

from __future__ import annotations

import argparse
import logging
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path

from infra.local.dispatcher import Dispatcher
from infra.local.kafka_broker import ensure_topics
from infra.local.manifests import Manifest, Resolver, load, of_kind
from infra.local.ping import PingSchedule
from infra.local.sink_ingress import SinkIngress

logger = logging.getLogger(__name__)


class DataPlane:
    def __init__(
        self, manifests: Sequence[Manifest], bootstrap_servers: str, services: Mapping[str, str], ingress_port: int = 0
    ) -> None:
        self.manifests = list(manifests)
        self.bootstrap_servers = bootstrap_servers
        self.ingress = SinkIngress(of_kind(manifests, "KafkaSink"), bootstrap_servers, port=ingress_port)
        self.resolver = Resolver(self.ingress.url, services)
        self.dispatchers: list[Dispatcher] = []
        self.pings: list[PingSchedule] = []

    def start(self, wait_for_assignment: float = 30.0) -> DataPlane:
        """Create the topics, then start the ingress, every KafkaSource and every PingSource."""
        ensure_topics(self.bootstrap_servers, of_kind(self.manifests, "KafkaTopic"))
        self.ingress.start()
        self.dispatchers = [
            Dispatcher(m, self.bootstrap_servers, self.resolver).start() for m in of_kind(self.manifests, "KafkaSource")
        ]
        self.pings = [PingSchedule(m, self.resolver).start() for m in of_kind(self.manifests, "PingSource")]
        for dispatcher in self.dispatchers:
            if not dispatcher.ready.wait(wait_for_assignment):
                raise TimeoutError(f"KafkaSource {dispatcher.source.name} got no partitions")
        return self

    def stop(self) -> None:
        for ping in self.pings:
            ping.stop()
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        self.ingress.stop()

    def sink_url(self, name: str, namespace: str = "taskfn") -> str:
        return f"{self.ingress.url}/{namespace}/{name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.dataplane", description=__doc__)
    parser.add_argument("manifests", nargs="+", type=Path)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--ingress-port", type=int, default=0)
    parser.add_argument("--service", action="append", default=[], help="NAME=URL of a Knative Service")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    services = dict(s.split("=", 1) for s in args.service)
    plane = DataPlane(load(args.manifests), args.bootstrap, services, ingress_port=args.ingress_port).start()
    logger.info("data plane up; KafkaSink ingress at %s", plane.ingress.url)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        plane.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
