"""The whole local system: PostgreSQL, migrations, Kafka, topics, a local AWS endpoint, one process per function,
Knative's data plane from infra/knative, and the public gateway. `make dev` runs it (infra/local/dev.py)."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from functions.shared import db, migrations
from functions.shared.config import REPO_ROOT, Settings
from infra.local.dataplane import DataPlane
from infra.local.gateway import Gateway
from infra.local.kafka_broker import KafkaBroker, free_port
from infra.local.manifests import Manifest, load, of_kind
from infra.local.services import FunctionProcess, source_exists

logger = logging.getLogger(__name__)

MANIFESTS = REPO_ROOT / "infra" / "knative"
# functions run locally with HS256 and this secret (set AUTH_JWT_SECRET to use your own); never used in production
DEV_JWT_SECRET = "taskfn-local-development-secret-not-for-production"
DEV_USER = "00000000-0000-4000-8000-00000000d3f0"
# reminders are e-mailed from this address, verified as an SES identity at the local AWS endpoint
DEV_SES_SENDER = "reminders@taskfn.local"


def dev_token(secret: str, user: str = DEV_USER) -> str:
    """A bearer token for a local development user, valid for a day."""
    import time

    import jwt

    claims = {"sub": user, "email": "dev@taskfn.local", "exp": int(time.time()) + 86400}
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass
class LocalSystem:
    settings: Settings
    manifest_dirs: list[Path] = field(default_factory=lambda: [MANIFESTS])
    gateway_port: int = 8080
    ingress_port: int = 8089
    kafka_port: int = 9092
    aws_port: int = 5055
    jwt_secret: str = DEV_JWT_SECRET
    rows: list[tuple[str, str]] = field(default_factory=list)
    _stops: list[object] = field(default_factory=list)

    def start(self) -> None:
        manifests = load(self.manifest_dirs)
        database_url = db.database_url(self.settings)
        self._row("PostgreSQL", database_url)
        engine = db.create(self.settings, database_url)
        applied = migrations.migrate(engine)
        engine.dispose()
        logger.info("migrations applied: %s", " ".join(applied) or "none (schema current)")

        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = KafkaBroker(Path(self.settings.data_dir) / "kafka", port=self.kafka_port)
            bootstrap = broker.start()
            self._stops.append(broker.stop)
        self._row("Kafka", bootstrap)

        aws = self._start_aws()
        plane = DataPlane(manifests, bootstrap, services={}, ingress_port=self.ingress_port)
        self._row("KafkaSink ingress", plane.ingress.url)
        services = [s for s in of_kind(manifests, "Service") if source_exists(s)]
        env = {"DATABASE_URL": database_url, "AWS_ENDPOINT_URL": aws, "AWS_REGION": self.settings.aws_region}
        env["SES_SENDER"] = self.settings.ses_sender or DEV_SES_SENDER
        env.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
        env.update({"AUTH_JWT_SECRET": self.jwt_secret, "AUTH_JWKS_URL": "", "AUTH_AUDIENCE": "", "AUTH_ISSUER": ""})
        processes = [FunctionProcess(s, plane.resolver, env, log=sys.stderr).start() for s in services]
        self._stops.extend(p.stop for p in processes)
        for process in processes:
            process.wait_ready()
            plane.resolver.services[process.service.name] = process.url
            self._row(f"function {process.service.name}", process.url)
        plane.start()
        self._stops.append(plane.stop)
        self._describe_sources(manifests)
        gateway = Gateway(services, {p.service.name: p.url for p in processes}, port=self.gateway_port).start()
        self._stops.append(gateway.stop)
        self._row("Gateway (public REST)", gateway.url)
        self._row("Dev token (24 h)", dev_token(self.jwt_secret))

    def _start_aws(self) -> str:
        import boto3
        from moto.server import ThreadedMotoServer

        port = self.aws_port or free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        self._stops.append(server.stop)
        url = f"http://127.0.0.1:{port}"
        ses = boto3.client(
            "sesv2", region_name=self.settings.aws_region, endpoint_url=url,
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip
        ses.create_email_identity(EmailIdentity=self.settings.ses_sender or DEV_SES_SENDER)
        self._row("AWS endpoint (SES, S3)", url)
        return url

    def _describe_sources(self, manifests: list[Manifest]) -> None:
        for source in of_kind(manifests, "KafkaSource"):
            self._row(f"KafkaSource {source.name}", f"{','.join(source.spec['topics'])} -> {_target(source)}")
        for ping in of_kind(manifests, "PingSource"):
            self._row(f"PingSource {ping.name}", f"'{ping.spec.get('schedule')}' -> {_target(ping)}")

    def _row(self, name: str, where: str) -> None:
        self.rows.append((name, where))

    def stop(self) -> None:
        for stop in reversed(self._stops):
            try:
                stop()  # type: ignore[operator]
            except Exception:
                logger.exception("stopping %s failed", stop)
        self._stops.clear()


def _target(source: Manifest) -> str:
    sink = source.spec["sink"]
    return str(sink.get("uri") or f"{sink['ref']['kind']} {sink['ref']['name']}")
