"""Write one benchmark's section of BENCHMARKS.md between its markers, keeping the other sections."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime

from functions.shared.config import REPO_ROOT

PATH = REPO_ROOT / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\nWritten by `make bench` (each section by its own script); "
    "figures from one run on the machine named.\n"
)


def machine() -> str:
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{platform.processor() or platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = f"_{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}_\n\n"
    block = f"{start}\n{stamp}{body.rstrip()}\n{end}"
    text = PATH.read_text() if PATH.exists() else HEADER
    if start in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    PATH.write_text(text)
