"""boto3 clients created on first use: importing boto3 costs ~150 ms, paid only by a function that calls AWS, and only
when it first does (cold starts stay lean)."""

from __future__ import annotations

import threading
from typing import Any

from functions.shared.config import Settings


class LazyClient:
    """One boto3 client for `service`, built from the settings (region, endpoint) on first `get()`; thread-safe."""

    def __init__(self, service: str, settings: Settings, client: Any = None, **config: Any) -> None:
        self._service = service
        self._settings = settings
        self._config = config
        self._client = client
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    self._client = boto3.client(
                        self._service,
                        region_name=self._settings.aws_region,
                        endpoint_url=self._settings.aws_endpoint_url,
                        config=Config(**self._config) if self._config else None,
                    )
        return self._client
