"""The real server in a subprocess: gunicorn on a free loopback port, for the crash test and
scripts/bench.py."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = REPO_ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the app factory with ``environment``. It runs in a process group of its
    own, so that kill() takes the master and every worker down at once, as a crash would."""

    def __init__(self, environment: dict, log_path: Path, *, workers: int = 2, threads: int = 2):
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("ab")
        command = [
            str(GUNICORN),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            "voting:create_app()",
        ]
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        """Return once GET path answers 200; raise with the server's log if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                connection = self.connection(timeout=5)
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not come up; its log:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the whole group: no worker finishes its request or rolls anything back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()

    def stop(self) -> None:
        """A graceful shutdown (SIGTERM), falling back to kill()."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(15)
        self.kill()
