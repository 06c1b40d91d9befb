"""A real S3-compatible server on loopback for the object-storage tests: moto in server mode.

Started once per test session as its own process on 127.0.0.1 and a free port, stopped at the end.
Where moto is not installed or the server does not answer, the tests that need it skip and say why.
"""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

ACCESS_KEY = "occstats-test-key"
SECRET_KEY = "occstats-test-secret-do-not-record"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_server(timeout: float = 30.0) -> Iterator[str]:
    """Yield the endpoint URL of a moto S3 server on loopback; RuntimeError with the reason if it cannot start."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise RuntimeError("moto's server mode is not installed (pip install 'moto[server]', in the dev extras)")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    # its log goes to a file, not a pipe: an unread pipe fills with request lines and stalls the server
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    err = log.read().decode(errors="replace")[-300:].strip()
                    raise RuntimeError(f"moto server exited with {proc.returncode}: {err}")
                try:
                    with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"moto server did not answer on {endpoint} within {timeout:g} s") from None
                    time.sleep(0.1)
            yield endpoint
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def aws_env(endpoint: str) -> dict[str, str]:
    """The standard AWS variables pointing at the loopback server."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
    }


def create_bucket(endpoint: str, bucket: str) -> None:
    import pyarrow.fs as pafs

    host = endpoint.split("://", 1)[1]
    fs = pafs.S3FileSystem(
        endpoint_override=host,
        scheme="http",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
        allow_bucket_creation=True,
    )
    fs.create_dir(bucket)
