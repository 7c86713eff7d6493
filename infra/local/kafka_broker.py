"""A real Apache Kafka broker (KRaft, one node as broker + controller) from pinned Maven Central jars.

`fetch` resolves infra/local/kafka/pom.xml into <home>/lib once (Maven verifies checksums); later starts are offline.
`python -m infra.local.kafka_broker run` starts one in the foreground.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]  # re-exported from cimpl

from infra.local.manifests import Manifest

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent / "kafka"
POM = HERE / "pom.xml"
LOG_CONFIG = HERE / "log4j2.yaml"


_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def free_port() -> int:
    """A port nothing listens on now, never one this process handed out before: the OS may offer a just-released
    port again, and two servers told the same port would have one fail while the other answers in its place."""
    with _handed_out_lock:
        while True:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
            if port not in _handed_out:
                _handed_out.add(port)
                return port


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class KafkaBroker:
    """One broker process whose state lives in `home` (jars in home/lib, data in home/data)."""

    def __init__(
        self,
        home: Path,
        port: int = 9092,
        controller_port: int | None = None,
        heap_mb: int = 512,
        lib: Path | None = None,
    ) -> None:
        self.home = home
        self._lib = lib or home / "lib"  # the jars may be shared by several homes (tests)
        self.port = port
        self.controller_port = controller_port or free_port()
        self.heap_mb = heap_mb
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def lib(self) -> Path:
        return self._lib

    def fetch(self) -> None:
        """Resolve the pinned jars into home/lib unless the pom is unchanged since the last fetch."""
        stamp = self.lib / ".pom-sha256"
        digest = hashlib.sha256(POM.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest:
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is needed once to fetch the Kafka broker jars from Maven Central")
        shutil.rmtree(self.lib, ignore_errors=True)
        logger.info("fetching the Kafka broker jars from Maven Central (first start only)")
        subprocess.run(
            [mvn, "-q", "-B", "--strict-checksums", "-f", str(POM), "dependency:copy-dependencies",
             f"-DoutputDirectory={self.lib}", "-DincludeScope=runtime"],
            check=True,
        )  # fmt: skip
        stamp.write_text(digest)

    def _config(self) -> Path:
        data = self.home / "data"
        config = self.home / "server.properties"
        config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                    f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={data}",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "",
                ]
            )
        )
        if not (data / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config), check=True)
        return config

    def _java(self, main: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self._command(main, *args), check=check, capture_output=True)

    def _command(self, main: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xms{self.heap_mb // 2}m",
            f"-Xmx{self.heap_mb}m",
            "-XX:+UseSerialGC",
            f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            f"-Dkafka.log.file={self.home / 'broker.log'}",
            "-cp",
            f"{self.lib}/*",
            main,
            *args,
        ]

    def start(self, timeout: float = 90.0) -> str:
        """Fetch if needed, format on first start, launch, and wait until the broker answers; returns bootstrap."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.fetch()
        config = self._config()
        with (self.home / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen(self._command("kafka.Kafka", str(config)), stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Kafka broker exited with {self.process.returncode}; see {self.home}/broker.log"
                )
            if _port_open(self.port):
                try:  # the port opens a moment before the broker serves metadata
                    AdminClient({"bootstrap.servers": self.bootstrap_servers}).list_topics(timeout=5)
                    return self.bootstrap_servers
                except KafkaException:
                    pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the Kafka broker did not answer on {self.bootstrap_servers} within {timeout} s")

    def stop(self, timeout: float = 20.0) -> None:
        """Shut the broker down cleanly (SIGTERM), killing it if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ensure_topics(bootstrap_servers: str, topics: list[Manifest], timeout: float = 30.0) -> list[str]:
    """Create the KafkaTopic manifests' topics (partitions, retention and other config) that do not exist yet."""
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = []
    for topic in topics:
        name = topic.spec.get("topicName", topic.name)
        if name in existing:
            continue
        config = {str(k): str(v) for k, v in topic.spec.get("config", {}).items()}
        wanted.append(
            NewTopic(name, num_partitions=int(topic.spec.get("partitions", 1)), replication_factor=1, config=config)
        )
    if not wanted:
        return []
    for future in admin.create_topics(wanted, operation_timeout=timeout).values():
        try:
            future.result(timeout)
        except KafkaException as e:
            if "TOPIC_ALREADY_EXISTS" not in str(e.args[0].name()):
                raise
    return [t.topic for t in wanted]


def main() -> None:
    import argparse
    import signal

    from functions.shared.config import settings

    parser = argparse.ArgumentParser(prog="python -m infra.local.kafka_broker", description=__doc__)
    parser.add_argument("action", choices=["fetch", "run"])
    parser.add_argument("--port", type=int, default=9092)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    broker = KafkaBroker(Path(settings().data_dir) / "kafka", port=args.port)
    if args.action == "fetch":
        broker.fetch()
        return
    broker.start()
    logger.info("Kafka broker on %s (Ctrl-C stops it)", broker.bootstrap_servers)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
