"""Servers the tests start for real (gunicorn, an SMTP peer): a free port to bind them to, and a
wait until one answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A free port on 127.0.0.1 (closed again before the server binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_answering(url: str, process: subprocess.Popen, seconds: float = 30) -> tuple[int, bytes]:
    """GET url until the server answers — any HTTP status is an answer (a 503 of /healthz
    without Redis too) — and return its status and body. Raises when the process has ended or
    the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own server
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)
