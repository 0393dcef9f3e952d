"""Real `yibao` processes for the service tests: commands, and a server on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[3]


def yibao(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a yibao command to the end."""
    return subprocess.run(
        [sys.executable, "-m", "yibao", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`yibao serve` in its own process; its output is collected line by line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "yibao", "serve", "--port", str(self.port), *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._seen:
                self.lines.append(line)
                self._seen.notify_all()

    def wait_for_line(self, text: str, timeout: float = 30) -> None:
        """Block until the server printed a line containing `text`."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                assert left > 0 and self.process.poll() is None, "".join(self.lines)
                self._seen.wait(left)

    def wait_ready(self, timeout: float = 30) -> None:
        """Block until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, "".join(self.lines)
            try:
                if httpx.get(f"{self.url}/v1/policies", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, like a crash."""
        self.process.send_signal(signal.SIGKILL)
        self._close()

    def stop(self) -> None:
        """A normal shutdown (SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
        self._close()

    def _close(self) -> None:
        self.process.wait(timeout=20)
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
