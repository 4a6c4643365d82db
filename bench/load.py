"""The load side of the benchmark: a gunicorn server, wrk runs, and the tools they need."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk.lua"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Load:
    """How wrk loads an endpoint (the issue's setting: 2 threads, 8 connections, 10 s)."""

    duration: int = 10
    threads: int = 2
    connections: int = 8
    timeout: int = 10


def ensure_wrk() -> str:
    """The wrk binary, installed with apt-get when missing (apt-get update only if that fails)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    apt = shutil.which("apt-get") or sys.exit("wrk is missing and there is no apt-get to install it")
    install = [apt, "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:  # noqa: S603 - fixed arguments
        subprocess.run([apt, "update", "-q"], check=True)  # noqa: S603
        subprocess.run(install, check=True)  # noqa: S603
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].strip() if lines else ""


def flush_cache(redis_url: str) -> None:
    """Empty the Redis database the server caches in (sessions survive: cached_db or db)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, log: Path, workers: int = 2) -> Iterator[str]:
    """Serve bench.wsgi with `workers` sync workers on a free loopback port; yield its base URL.

    The server runs in its own process group, so it is stopped (TERM, then KILL) whatever ends
    the block: an error, Ctrl-C or the runner's own TERM.
    """
    port = free_port()
    command = [
        str(VENV_BIN / "gunicorn"), "bench.wsgi:application", "--workers", str(workers),
        "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
        "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/bench/floor", process, log)
        yield base
    finally:
        _stop(process)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def fetch(url: str, *, cookie: str = "", client: int = 0) -> tuple[int, int]:
    """One GET without following redirects: (status, body size). `client` picks the visitor's
    address among wrk.lua's 768 documentation addresses, as the load itself does."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    networks = ("192.0.2.", "198.51.100.", "203.0.113.")
    headers = {"X-Forwarded-For": f"{networks[client % 768 % 3]}{client % 768 // 3}"}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def fetch_each(base: str, paths: Iterable[str], *, cookie: str = "", parallel: int = 4) -> Counter[int]:
    """Request every distinct path once, a few at a time (what a warm cache has seen): statuses."""
    distinct = list(dict.fromkeys(paths))
    with ThreadPoolExecutor(parallel) as pool:
        answers = pool.map(lambda n: fetch(base + distinct[n], cookie=cookie, client=n), range(len(distinct)))
        return Counter(status for status, _size in answers)


def wrk_run(
    wrk: str, base: str, paths_file: Path, load: Load, *, cookie: str = "", duration: int = 0
) -> dict:
    """Load the paths of `paths_file` with wrk; return req/s, latency percentiles (ms) and errors."""
    seconds = duration or load.duration
    command = [
        wrk, "-t", str(load.threads), "-c", str(load.connections), "-d", f"{seconds}s",
        "--timeout", f"{load.timeout}s", "-s", str(LUA),
        # As every browser and HTTP library asks: what the server compresses comes compressed.
        "-H", "Accept-Encoding: gzip, deflate",
        *(["-H", f"Cookie: {cookie}"] if cookie else []), base + "/", "--", str(paths_file),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + load.timeout + 60)  # noqa: S603
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return _figures(raw)


def _figures(raw: dict) -> dict:
    requests, seconds = raw["requests"], raw["duration_us"] / 1e6
    answered = requests > 0
    latency = {k: round(v / 1000, 2) if answered else None for k, v in raw["latency_us"].items()}
    return {
        "rps": round(requests / seconds, 2) if seconds else 0.0,
        "requests": int(requests),
        "p50_ms": latency["p50"], "p90_ms": latency["p90"], "p99_ms": latency["p99"],
        "max_ms": latency["max"], "mean_ms": latency["mean"],
        "non2xx": int(raw["non2xx"]), "timeouts": int(raw["errors"]["timeout"]),
        "socket_errors": int(sum(v for k, v in raw["errors"].items() if k != "status")),
        "cache_hits": int(raw["cache_hits"]), "bytes": int(raw["bytes"]),
    }  # fmt: skip
