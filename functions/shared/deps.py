"""The side-effect seams a function uses (event sinks, object storage, e-mail), built lazily; tests override
them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from functions.shared.config import settings
from functions.shared.mailer import Mailer, SesMailer
from functions.shared.sinks import HttpSinks, Sinks
from functions.shared.storage import S3Storage, Storage


@dataclass(frozen=True)
class Deps:
    sinks: Sinks
    storage: Storage = field(default_factory=lambda: S3Storage(settings()))  # the clients themselves are lazy
    mailer: Mailer = field(default_factory=lambda: SesMailer(settings()))


_deps: Deps | None = None
_lock = threading.Lock()


def get() -> Deps:
    """The process's dependencies, created on first use."""
    global _deps
    if _deps is None:
        with _lock:
            if _deps is None:
                _deps = Deps(sinks=HttpSinks(settings()))
    return _deps


def override(deps: Deps | None) -> Deps | None:
    """Install `deps` (None: rebuild the real ones on next use); returns what was installed before."""
    global _deps
    with _lock:
        previous, _deps = _deps, deps
    return previous
