"""Objects in S3 (the audit archive), behind a small protocol; the boto3 client is created on first use."""

from __future__ import annotations

from typing import Any, Protocol

from functions.shared.aws import LazyClient
from functions.shared.config import Settings


class Storage(Protocol):
    def get(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None: ...


class S3Storage:
    def __init__(self, settings: Settings) -> None:
        self._client = LazyClient("s3", settings)

    def _s3(self) -> Any:
        return self._client.get()

    def get(self, bucket: str, key: str) -> bytes | None:
        s3 = self._s3()
        try:
            body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self._s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, ContentEncoding="gzip")
