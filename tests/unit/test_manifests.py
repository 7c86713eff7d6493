"""The committed infra/knative manifests hold together: what the local data plane plays is what would be applied."""

from __future__ import annotations

import ast

from functions.shared.config import REPO_ROOT
from infra.local.manifests import CLUSTER_SINK_INGRESS, load, of_kind
from infra.local.services import container_env

MANIFESTS = load([REPO_ROOT / "infra" / "knative"])
RESERVED_ENV = {"PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"}


def _names(kind: str) -> set[str]:
    return {m.name for m in of_kind(MANIFESTS, kind)}


def test_every_kafka_sink_writes_to_a_declared_topic() -> None:
    topics = {t.spec.get("topicName", t.name) for t in of_kind(MANIFESTS, "KafkaTopic")}

    assert {s.spec["topic"] for s in of_kind(MANIFESTS, "KafkaSink")} <= topics


def test_every_service_runs_a_module_with_one_public_handle() -> None:
    for service in of_kind(MANIFESTS, "Service"):
        env = container_env(service)
        source = REPO_ROOT / env["FUNCTION_SOURCE"]
        assert env["FUNCTION_TARGET"] == "handle"
        assert source.is_file(), source
        defined = {n.name for n in ast.parse(source.read_text()).body if isinstance(n, ast.FunctionDef)}
        assert {d for d in defined if not d.startswith("_")} == {"handle"}, source
        assert not RESERVED_ENV & set(env), service.name
        assert "annotations" not in service.spec or not any(
            a.startswith("autoscaling.knative.dev/") for a in service.annotations
        )


def test_sink_urls_in_service_env_point_at_declared_kafka_sinks() -> None:
    sinks = _names("KafkaSink")
    for service in of_kind(MANIFESTS, "Service"):
        for name, value in container_env(service).items():
            if name.startswith("SINK_"):
                assert value.startswith(f"{CLUSTER_SINK_INGRESS}/{service.namespace}/")
                assert value.rsplit("/", 1)[1] in sinks, (service.name, name)


def test_every_source_delivers_to_a_declared_service_or_sink() -> None:
    targets = {"Service": _names("Service"), "KafkaSink": _names("KafkaSink")}
    for source in of_kind(MANIFESTS, "KafkaSource") + of_kind(MANIFESTS, "PingSource"):
        ref = source.spec["sink"]["ref"]
        assert ref["name"] in targets[ref["kind"]], source.name


def test_kafka_sources_keep_retries_and_dead_letter_their_failures() -> None:
    for source in of_kind(MANIFESTS, "KafkaSource"):
        delivery = source.spec["delivery"]
        assert delivery["retry"] >= 1, "a delivery spec without retry gets none at all"
        assert delivery["deadLetterSink"]["ref"] == {
            "apiVersion": "eventing.knative.dev/v1alpha1",
            "kind": "KafkaSink",
            "name": "dead-letters",
        }
