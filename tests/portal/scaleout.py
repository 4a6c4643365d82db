"""Helpers for tests that go beyond one process: a local S3 server, real web processes, a browser.

Everything listens on 127.0.0.1 only, on ports the system picks, and is stopped by the test that
started it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}  # noqa: S105


# --- S3 ------------------------------------------------------------------------------------------
@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server in a thread of this process; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    access_log = logging.getLogger("werkzeug")  # one line per S3 request: noise in test output
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        access_log.setLevel(level)


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def new_bucket(endpoint: str) -> str:
    name = f"portal-uploads-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The variables a process needs to keep its uploads in `bucket` (as documented in README)."""
    return {
        "DJANGO_STORAGE_S3_BUCKET": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
        **CREDENTIALS,
    }


# --- web processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_environment(**overrides: str) -> dict[str, str]:
    """This environment without the project's own settings, plus `overrides`."""
    own = ("DJANGO_", "DATABASE_", "REDIS_URL", "REDIS_TIMEOUT_SECONDS", "AWS_", "CELERY_", "PYTEST_")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(own)}, **overrides}


@contextmanager
def gunicorn(env: dict[str, str], *, ready_timeout: float = 30.0) -> Iterator[str]:
    """A gunicorn web process (one sync worker) on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, base, ready_timeout)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; this process only
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _wait_until_serving(process: subprocess.Popen[str], base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {process.stderr.read()[-3000:]}")
        try:
            Browser().get(f"{base}/robots.txt")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on {base} within {timeout} s")


# --- a small browser: cookies, forms, redirects --------------------------------------------------
class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # hand the 3xx back to the caller


class Response:
    def __init__(self, status: int, headers: Any, body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url


class Browser:
    """Cookies are kept per host, not per port, as browsers do: a session cookie set by one web
    process on 127.0.0.1 is sent to the other one too."""

    def __init__(self, *, follow_redirects: bool = True) -> None:
        self.cookies = CookieJar()
        handlers: list[Any] = [HTTPCookieProcessor(self.cookies)]
        if not follow_redirects:
            handlers.append(_NoRedirect())
        self._opener = build_opener(*handlers)

    def without_redirects(self) -> Browser:
        """The same cookies, but 3xx answers are returned as they are."""
        other = Browser(follow_redirects=False)
        other.cookies = self.cookies
        other._opener = build_opener(HTTPCookieProcessor(self.cookies), _NoRedirect())
        return other

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)

    def get(self, url: str) -> Response:
        return self._send(Request(url))  # noqa: S310 - http://127.0.0.1 only

    def post(
        self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None
    ) -> Response:
        body, content_type = _multipart(fields, files or {})
        request = Request(url, data=body, headers={"Content-Type": content_type, "Referer": url})  # noqa: S310
        return self._send(request)

    def _send(self, request: Request) -> Response:
        try:
            with self._opener.open(request, timeout=30) as answer:
                return Response(answer.status, answer.headers, answer.read(), answer.url)
        except HTTPError as error:
            return Response(error.code, error.headers, error.read(), error.url)


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
