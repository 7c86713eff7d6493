"""One functions-framework process per Knative Service manifest, with the env that manifest declares.

The manifest's container env gives FUNCTION_TARGET and FUNCTION_SOURCE; sink URLs pointing at the cluster's
KafkaSink ingress are rewritten to the local one; `extra_env` adds what the local system provides (DATABASE_URL,
AWS_ENDPOINT_URL, ...). Knative's own variables (PORT, K_SERVICE, K_REVISION, K_CONFIGURATION) are set as it would.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from functions.shared.config import REPO_ROOT
from infra.local.kafka_broker import free_port
from infra.local.manifests import Manifest, Resolver

logger = logging.getLogger(__name__)


def container_env(service: Manifest) -> dict[str, str]:
    """The plain `env` values of the service's first container (secret and config-map references are skipped)."""
    container = service.spec["template"]["spec"]["containers"][0]
    return {e["name"]: str(e["value"]) for e in container.get("env", []) if "value" in e}


class FunctionProcess:
    def __init__(self, service: Manifest, resolver: Resolver, extra_env: Mapping[str, str], log: IO[str] | None = None):
        self.service = service
        self.port = free_port()
        env = container_env(service)
        self.source = REPO_ROOT / env.get("FUNCTION_SOURCE", f"functions/{service.name.replace('-', '_')}.py")
        self.target = env.get("FUNCTION_TARGET", "handle")
        self.env = {
            **os.environ,
            **{k: resolver.rewrite(v) for k, v in env.items()},
            **extra_env,
            "PORT": str(self.port),
            "K_SERVICE": service.name,
            "K_CONFIGURATION": service.name,
            "K_REVISION": f"{service.name}-local",
        }
        self.log = log
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FunctionProcess:
        command = [sys.executable, "-m", "functions_framework", "--target", self.target, "--source", str(self.source)]
        self.process = subprocess.Popen(
            command + ["--port", str(self.port)],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._pumping = threading.Thread(target=self._pump, daemon=True)
        self._pumping.start()
        return self

    def _pump(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            if self.log is not None:
                self.log.write(f"[{self.service.name}] {line}")
                self.log.flush()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.service.name} exited with {self.process.returncode}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"{self.service.name} did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._pumping.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def source_exists(service: Manifest) -> bool:
    env = container_env(service)
    return Path(REPO_ROOT / env.get("FUNCTION_SOURCE", "")).is_file()
