"""The real server for tests: uvicorn on a free loopback port, in a thread, shared by the test files.

One server per test run (models load once, about 10-30 s on a busy CPU): ``live_server()`` starts it
on first use and stops it at exit. It gets a small fixture knowledge base, ingested through the
server's own ``POST /api/ingest``, and short spoken questions synthesized with espeak.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import uvicorn

COLLECTION = "ws_fixture"
PASSAGES = [
    {"id": "bins", "title": "Bin collection", "text": "Grey rubbish bins are emptied every Tuesday morning. Put the bin at the kerb by seven."},
    {"id": "library", "title": "Library hours", "text": "The public library opens at nine in the morning and closes at eight in the evening, Monday to Saturday."},
    {"id": "swimming", "title": "Swimming pool", "text": "The swimming pool has lane swimming for adults from six to eight in the morning on weekdays."},
    {"id": "parking", "title": "Parking permits", "text": "Residents can apply for a parking permit online; a permit costs forty pounds a year."},
    {"id": "volcano", "title": "Volcanoes", "text": "A volcano is an opening in the crust of a planet through which lava, ash and gases escape."},
    {"id": "bees", "title": "Honey bees", "text": "Honey bees make honey from the nectar of flowers and store it in wax combs in the hive."},
]
QUESTION = ("When does the library open?", "library")


@dataclass
class LiveServer:
    base: str
    ws: str
    server: uvicorn.Server
    thread: threading.Thread
    settings: object

    @property
    def resources(self):
        """The running app's shared models, store and gates (for tests that strain or inspect them)."""
        return self.server.config.app.state.resources

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


_server: LiveServer | None = None
_lock = threading.Lock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def live_server(data_dir: Path, tmp_dir: Path) -> LiveServer:
    """The shared server (started once). ``data_dir`` is the run's data dir, whose weight cache it
    shares; ``tmp_dir`` holds its own store and the fixture KB file."""
    global _server
    with _lock:
        if _server is None:
            _server = _start(data_dir, tmp_dir)
            atexit.register(_stop)
        return _server


def _start(data_dir: Path, tmp_dir: Path) -> LiveServer:
    from app.server import create_app
    from app.settings import Settings

    # Its own data dir, so its embedded Qdrant (held open all run) never locks out the tests that open
    # the shared one; the cache (converted weights) is the shared one, so nothing converts twice.
    own = tmp_dir / "live-data"
    own.mkdir(parents=True, exist_ok=True)
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    if not (own / "cache").exists():
        (own / "cache").symlink_to(data_dir / "cache", target_is_directory=True)
    settings = Settings(
        data_dir=own,
        collection=COLLECTION,
        demo_kb=None,
        max_sessions=4,
        ws_burst_s=10.0,
        max_audio_seconds=8.0,
        max_upload_mb=1.0,
    )
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="live-server")
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            r = httpx.get(base + "/readyz", timeout=5)
            if r.status_code == 200:
                break
            if r.json().get("error"):
                raise RuntimeError(f"server failed to load: {r.json()['error']}")
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    else:
        raise TimeoutError("the server did not become ready in 300 s")
    kb = tmp_dir / "fixture_kb.jsonl"
    kb.write_text("\n".join(json.dumps(p) for p in PASSAGES) + "\n")
    r = httpx.post(base + "/api/ingest", files=[("files", (kb.name, kb.read_bytes(), "application/jsonl"))],
                   data={"collection": COLLECTION}, timeout=300)
    r.raise_for_status()
    return LiveServer(base, f"ws://127.0.0.1:{port}/ws", server, thread, settings)


def _stop() -> None:
    if _server is not None:
        _server.server.should_exit = True
        _server.thread.join(timeout=10)


_speech_cache: dict[tuple[str, str], np.ndarray] = {}


def spoken(text: str, voice: str = "espeak:en-us") -> np.ndarray:
    from speech import synthesize

    if (text, voice) not in _speech_cache:
        _speech_cache[(text, voice)] = synthesize(text, voice)
    return _speech_cache[(text, voice)]


def spoken_with_pause(first: str, second: str, pause_s: float = 0.4) -> np.ndarray:
    """One question said in two breaths (real synthesized speech, the engine's own silences trimmed)."""
    from speech import trim

    return np.concatenate([trim(spoken(first)), np.zeros(int(16_000 * pause_s), np.float32), trim(spoken(second))])


PAUSED_QUESTION = ("When does the library open", "on Sunday mornings?")


def pcm_frames(audio: np.ndarray, frame_ms: int = 40, rate: int = 16_000) -> list[bytes]:
    """Float audio -> PCM16 frames as a browser worklet would send them."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    n = rate * frame_ms // 1000
    return [pcm[i : i + n].tobytes() for i in range(0, pcm.size, n)]


def with_silence(audio: np.ndarray, before_s: float = 0.5, after_s: float = 1.0, rate: int = 16_000) -> np.ndarray:
    """Pad with silence and lay faint hiss over everything, as a real microphone would (TTS output has
    digital-zero pauses, which would teach webrtcvad a noise floor no microphone has)."""
    rng = np.random.default_rng(0)
    signal = np.concatenate([np.zeros(int(rate * before_s)), audio, np.zeros(int(rate * after_s))])
    return (signal + rng.normal(0, 0.003, signal.size)).astype(np.float32)


async def events_until(ws, stop, timeout: float = 90.0) -> list[dict]:
    """Receive JSON events until ``stop(event)`` is true (that event included)."""
    import asyncio

    got: list[dict] = []
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            got.append(event)
            if stop(event):
                return got


async def stream(ws, audio: np.ndarray, frame_ms: int = 40, pace: float = 0.25, rate: int = 16_000) -> None:
    """Send audio as PCM16 frames at ``pace`` x real time (0: as fast as possible)."""
    import asyncio

    for frame in pcm_frames(audio, frame_ms, rate):
        await ws.send(frame)
        if pace:
            await asyncio.sleep(frame_ms / 1000 * pace)


class SlowAnswerer:
    """The real answerer at an LLM's pace (one piece per ``seconds``): long enough to barge in on."""

    def __init__(self, real, seconds: float = 1.0) -> None:
        self.real, self.seconds = real, seconds
        self.source, self.label = real.source, real.label

    async def stream(self, *args, **kwargs):
        async for item in self.real.stream(*args, **kwargs):
            yield item
            await asyncio.sleep(self.seconds)
