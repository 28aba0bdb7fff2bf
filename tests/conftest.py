"""Shared fixtures: an isolated data directory per test session, settings reset between tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Never reach for a hub during tests: every weight must come from the offline packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the whole run, so converted weights are cached once."""
    path = Path(os.environ.get("SEAL_TEST_DATA_DIR") or tmp_path_factory.mktemp("seal-data"))
    return path


@pytest.fixture(autouse=True)
def _seal_env(session_data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    from app.settings import get_settings

    monkeypatch.setenv("SEAL_DATA_DIR", str(session_data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def server(session_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real `seal serve` (uvicorn, models, Qdrant) on a free port for the module's tests; see live_server.py.
    A module that needs another server (e.g. a fake vLLM) defines its own `server`."""
    from live_server import live_server

    return live_server(session_data_dir, tmp_path_factory.mktemp("kb"))


@pytest.fixture()
def http(server):
    import httpx

    with httpx.Client(base_url=server.base, timeout=120) as client:
        yield client
