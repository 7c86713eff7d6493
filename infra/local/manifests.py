"""Read the Knative/Strimzi manifests the local data plane plays, and resolve their destinations to local URLs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_NAMESPACE = "taskfn"
# the cluster-internal address prefix of every KafkaSink (Knative: kafka-sink-ingress.knative-eventing)
CLUSTER_SINK_INGRESS = "http://kafka-sink-ingress.knative-eventing.svc.cluster.local"


@dataclass(frozen=True)
class Manifest:
    api_version: str
    kind: str
    name: str
    namespace: str
    spec: Mapping[str, Any]
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def load(paths: Iterable[Path]) -> list[Manifest]:
    """Every document of every *.yaml file under `paths` (files or folders), in name order."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    found = []
    for file in files:
        for doc in yaml.safe_load_all(file.read_text()):
            if not doc:
                continue
            meta = doc.get("metadata", {})
            found.append(
                Manifest(
                    api_version=doc["apiVersion"],
                    kind=doc["kind"],
                    name=meta["name"],
                    namespace=meta.get("namespace", DEFAULT_NAMESPACE),
                    spec=doc.get("spec", {}),
                    labels=meta.get("labels", {}),
                    annotations=meta.get("annotations", {}),
                )
            )
    return found


def of_kind(manifests: Iterable[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.kind == kind]


class Resolver:
    """Turns a Knative Destination (`ref` or `uri`) into the local URL that plays it."""

    def __init__(self, ingress_url: str, services: Mapping[str, str]) -> None:
        self.ingress_url = ingress_url.rstrip("/")
        self.services = dict(services)  # Knative Service name -> local URL

    def destination(self, dest: Mapping[str, Any], namespace: str) -> str:
        if "uri" in dest and "ref" not in dest:
            return self.rewrite(str(dest["uri"]))
        ref = dest["ref"]
        ns = ref.get("namespace", namespace)
        if ref["kind"] == "KafkaSink":
            url = f"{self.ingress_url}/{ns}/{ref['name']}"
        elif ref["kind"] == "Service":
            try:
                url = self.services[ref["name"]]
            except KeyError:
                raise LookupError(f"no local process plays Knative Service {ref['name']!r}") from None
        else:
            raise LookupError(f"the local data plane cannot deliver to a {ref['kind']}")
        return url + str(dest.get("uri", ""))  # a relative uri is appended to the ref's address

    def rewrite(self, url: str) -> str:
        """Map a cluster-internal KafkaSink address onto the local ingress; other URLs are kept."""
        if url.startswith(CLUSTER_SINK_INGRESS):
            return self.ingress_url + url[len(CLUSTER_SINK_INGRESS) :]
        return url
