"""What machine a measurement ran on: one description for every benchmark and `seal eval` report."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any


def machine_info() -> dict[str, Any]:
    """CPU model, cores, torch threads, GPU, Python, platform, 1/5/15-min load average, time (UTC)."""
    import torch

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": load_average(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages: on a shared CPU they say how much the numbers can be trusted."""
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"
