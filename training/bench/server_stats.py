"""The server's CPU and memory, sampled with psutil while the load runs (the server is another process)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil


def find_server_pid(port: int) -> int | None:
    """The pid listening on ``port`` (our own processes are visible without privileges)."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return conn.pid
    return None


@dataclass
class Sample:
    t: float  # seconds since the sampler started
    cpu_percent: float  # of one core (200 = both cores of a 2-core machine busy)
    rss_mb: float


@dataclass
class ServerSampler:
    """Samples ``pid`` every ``interval_s`` in a background thread until ``stop()``."""

    pid: int
    interval_s: float = 1.0
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="server-sampler")

    def start(self) -> "ServerSampler":
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.samples

    def _loop(self) -> None:
        try:
            proc = psutil.Process(self.pid)
            proc.cpu_percent(None)  # the first call only sets the reference point
            started = time.monotonic()
            while not self._stop.wait(self.interval_s):
                with proc.oneshot():
                    cpu, rss = proc.cpu_percent(None), proc.memory_info().rss
                self.samples.append(Sample(round(time.monotonic() - started, 2), cpu, round(rss / 2**20, 2)))
        except psutil.Error as exc:
            self.error = f"cannot sample server pid {self.pid}: {exc}"
