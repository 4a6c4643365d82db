"""What a result was measured on: cores, memory, load, versions and the code's commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import database
from .load import ROOT, wrk_version


def _first(path: str, prefix: str) -> str:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), "")


def _git(*args: str) -> str:
    command = ["git", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
    return result.stdout.strip()


def machine_info(database_url: str, wrk: str) -> dict[str, Any]:
    """nproc, CPU, memory and load (the machine may be shared), versions, and the git state."""
    dirty = [line for line in _git("status", "--porcelain").splitlines() if line.strip()]
    return {
        "nproc": os.cpu_count(),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "memory": _first("/proc/meminfo", "MemTotal"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "postgresql": database.server_version(database_url),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "wrk": wrk_version(wrk),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_uncommitted_files": len(dirty),
    }
