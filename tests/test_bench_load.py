"""`seal bench load`: two real-time sessions against a real `seal serve` (a subprocess on a free loopback
port) are all answered, with the server's CPU and memory measured; non-loopback targets are refused;
the soak verdict tells flat memory from a leak. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app
from training.bench.load import LoadError, check_target, rss_trend
from training.bench.server_stats import Sample

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
PASSAGES = [
    {"id": "bins", "title": "Bin collection", "text": "Grey rubbish bins are emptied every Tuesday morning."},
    {"id": "library", "title": "Library hours", "text": "The public library opens at nine and closes at eight."},
    {"id": "parking", "title": "Parking permits", "text": "A residents' parking permit costs forty pounds a year."},
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(session_data_dir, tmp_path_factory):
    """`seal serve` in its own process (its own embedded store; the converted weights are shared)."""
    home = tmp_path_factory.mktemp("bench-server")
    (session_data_dir / "cache").mkdir(parents=True, exist_ok=True)
    (home / "data").mkdir()
    (home / "data" / "cache").symlink_to(session_data_dir / "cache", target_is_directory=True)
    kb = home / "kb.jsonl"
    kb.write_text("\n".join(json.dumps(p) for p in PASSAGES) + "\n")
    port = _free_port()
    env = {**os.environ, "SEAL_DATA_DIR": str(home / "data"), "SEAL_DEMO_KB": str(kb), "SEAL_COLLECTION": "bench_load",
           "SEAL_MAX_SESSIONS": "4", "HF_HUB_OFFLINE": "1"}
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            assert proc.poll() is None, f"seal serve exited: {(home / 'server.log').read_text()[-2000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(1)
        else:
            pytest.fail("seal serve was not ready within 300 s")
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_two_real_time_sessions_are_all_answered(served, tmp_path):
    port, pid = served
    out = tmp_path / "load"
    result = runner.invoke(app, ["bench", "load", "--url", f"ws://127.0.0.1:{port}/ws", "--sessions", "2",
                                 "--duration", "8", "--grace", "30", "--live", "on,off", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "load.json").read_text())
    assert data["server_pid"] == pid  # found by its port
    assert [level["live"] for level in data["levels"]] == [True, False]  # both variants, one after the other
    for level in data["levels"]:
        assert level["sessions"] == 2 and level["sessions_refused"] == 0
        assert level["questions_sent"] >= 2
        assert level["utterances_handled"] == level["questions_sent"], level
        assert level["errors"] == {}, level["error_examples"]
        assert level["end_of_speech_to_seal_hits_ms"]["p50"] > 0
        assert level["server"]["measured"] and level["server"]["rss_mb_end"] > 0
    live, off = data["levels"]
    assert live["live_partials"] >= 1 and 0 <= live["final_from_partial_share"] <= 1  # every question ends in a pause
    assert off["live_partials"] == 0 and off["final_from_partial_share"] == 0
    markdown = (out / "load.md").read_text()
    assert "| 2 | on | 0 |" in markdown and "| 2 | off | 0 |" in markdown
    assert (out / "load.png").read_bytes()[:4] == b"\x89PNG"


def test_targets_off_this_machine_are_refused():
    with pytest.raises(LoadError, match="not this machine"):
        check_target("ws://192.0.2.10:8000/ws", allow_remote=False)
    assert check_target("ws://192.0.2.10:8000/ws", allow_remote=True) == ("192.0.2.10", 8000)
    assert check_target("ws://localhost:8000/ws", allow_remote=False) == ("localhost", 8000)
    refused = runner.invoke(app, ["bench", "load", "--url", "ws://192.0.2.10:8000/ws"])
    assert refused.exit_code == 1 and "--allow-remote" in refused.output
    nothing = runner.invoke(app, ["bench", "load", "--url", f"ws://127.0.0.1:{_free_port()}/ws"])
    assert nothing.exit_code == 1 and "start the server first" in nothing.output


def test_soak_verdict_tells_flat_memory_from_a_leak():
    flat = [Sample(t, 50.0, 900.0 + (t % 10) * 0.1) for t in range(0, 600, 5)]
    leak = [Sample(t, 50.0, 900.0 + t * 0.5) for t in range(0, 600, 5)]
    assert rss_trend(flat)["flat"] is True
    trend = rss_trend(leak)
    assert trend["flat"] is False and trend["slope_mb_per_min"] == pytest.approx(30.0, rel=0.01)
