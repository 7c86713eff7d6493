"""Bearer JWT -> the calling user: HS256 with AUTH_JWT_SECRET, or RS256/ES256 keys from AUTH_JWKS_URL."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from functions.shared.config import Settings
from functions.shared.errors import ConfigError, TaskfnError

LEEWAY_SECONDS = 30


class Unauthorized(TaskfnError):
    """No usable credentials; `reason` goes into the 401's WWW-Authenticate header."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    email: str | None
    name: str | None


_jwks_clients: dict[str, Any] = {}
_lock = threading.Lock()


def _jwks_key(url: str, token: str) -> Any:
    import jwt

    with _lock:
        client = _jwks_clients.setdefault(url, jwt.PyJWKClient(url, cache_keys=True, lifespan=300))
    return client.get_signing_key_from_jwt(token).key


def user_id_for(subject: str, issuer: str | None) -> uuid.UUID:
    """The user id of a `sub`: itself when it is a UUID, else a stable UUID derived from issuer and subject."""
    try:
        return uuid.UUID(subject)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer or ''}|{subject}")


def authenticate(authorization: str | None, settings: Settings) -> Caller:
    """Verify the bearer token (signature, exp, nbf, and aud/iss when configured) and return its caller.

    Raises Unauthorized for a missing or bad token, ConfigError when no key source is configured.
    """
    import jwt

    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    token = token.strip()
    try:
        if settings.auth_jwks_url:
            key, algorithms = _jwks_key(settings.auth_jwks_url, token), ["RS256", "ES256"]
        elif settings.auth_jwt_secret:
            key, algorithms = settings.auth_jwt_secret, ["HS256"]
        else:
            raise ConfigError("AUTH_JWT_SECRET", "or AUTH_JWKS_URL must be set")
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.auth_audience,
            issuer=settings.auth_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub"], "verify_aud": settings.auth_audience is not None},
        )
    except jwt.PyJWTError as e:
        raise Unauthorized(str(e) or type(e).__name__) from e
    email = claims.get("email")
    name = claims.get("name")
    return Caller(
        user_id=user_id_for(str(claims["sub"]), claims.get("iss")),
        email=email if isinstance(email, str) else None,
        name=name if isinstance(name, str) else None,
    )
