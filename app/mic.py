"""``seal mic``: a terminal client for a running server: microphone (or a WAV file) in, events out.

It speaks the same websocket protocol as the browser page: a ``start`` message, 20 ms frames of
16-bit PCM, ``stop`` at the end; the events are printed as they arrive (or as JSON lines).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from models.audio import float_to_pcm16

FRAME_MS = 20


@dataclass
class MicOptions:
    url: str = "ws://127.0.0.1:8000/ws"
    pipelines: list[str] = field(default_factory=lambda: ["seal", "asr"])
    collection: str | None = None
    mode: str = "vad"
    answer: bool = True
    live: bool = True  # live hits (retrieval.partial) while the person talks, if the server has them on
    token: str | None = None
    speed: float = 1.0  # file streaming pace: 1 = real time
    wait_s: float = 60.0  # after the audio, how long to wait for the last results


class Tracker:
    """Knows when every utterance has all its results (each pipeline's hits, then the answer)."""

    def __init__(self, pipelines: list[str], answer: bool) -> None:
        self.pipelines = set(pipelines)
        self.answer = answer
        self.open: dict[int, set[str]] = {}
        self.lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        self.closed: str | None = None

    def see(self, event: dict[str, Any]) -> None:
        with self.lock:
            n, kind = event.get("utterance"), event["type"]
            if kind == "ready":
                self.answer = self.answer and bool(event.get("answer"))
                self.pipelines = set(event["pipelines"])
            elif kind == "vad.start":
                self.open[n] = set()
            elif kind == "vad.end" and (event.get("discarded") or n not in self.open):
                self.open.pop(n, None)
            elif kind in ("retrieval", "transcript") and n in self.open:
                # ASR's hits are followed by its transcript: ASR is done once that is in too
                if kind == "transcript":
                    self.open[n].add("asr")
                elif event["pipeline"] != "asr":
                    self.open[n].add(event["pipeline"])
                if self.open[n] >= self.pipelines and not self.answer:
                    del self.open[n]
            elif kind == "answer.done" or (kind == "error" and event["code"] in ("busy", "pipeline_failed")):
                self.open.pop(n, None)
            if self.open:
                self.idle.clear()
            else:
                self.idle.set()


def run(options: MicOptions, source: Path | None, on_event: Callable[[dict], None], duration_s: float | None = None) -> int:
    """Stream ``source`` (a file) or the microphone; returns an exit code (0 all answered)."""
    headers = {"Authorization": f"Bearer {options.token}"} if options.token else None
    with connect(options.url, additional_headers=headers, open_timeout=10, max_size=2**22) as ws:
        audio, rate = _load(source) if source else (None, _mic_rate())
        start = {"type": "start", "sample_rate": rate, "pipelines": options.pipelines, "mode": options.mode, "answer": options.answer,
                 "live": options.live}
        if options.collection:
            start["collection"] = options.collection
        ws.send(json.dumps(start))
        ready = json.loads(ws.recv(timeout=600))
        on_event(ready)
        if ready["type"] != "ready":
            return 2
        tracker = Tracker(options.pipelines, options.answer)
        tracker.see(ready)
        receiver = threading.Thread(target=_receive, args=(ws, tracker, on_event), daemon=True)
        receiver.start()
        try:
            if audio is not None:
                _send_file(ws, audio, rate, options.speed)
            else:
                _send_mic(ws, rate, duration_s)
            ws.send(json.dumps({"type": "stop"}))
        except ConnectionClosed:
            pass
        except KeyboardInterrupt:
            ws.send(json.dumps({"type": "stop"}))
        time.sleep(0.2)  # let the stop's vad.end arrive before judging idleness
        finished = tracker.idle.wait(options.wait_s)
        if tracker.closed:
            return 1
        return 0 if finished else 3


def _receive(ws, tracker: Tracker, on_event: Callable[[dict], None]) -> None:
    try:
        for message in ws:
            event = json.loads(message)
            on_event(event)  # printed before the tracker may declare the run finished
            tracker.see(event)
    except ConnectionClosed as exc:
        tracker.closed = str(exc)
    tracker.closed = tracker.closed or "closed"
    tracker.idle.set()


def _load(path: Path) -> tuple[np.ndarray, int]:
    from models.audio import SAMPLE_RATE, load_audio

    audio = load_audio(path, max_seconds=None)
    # A second of quiet after the file, so hands-free mode hears the speech end.
    return np.concatenate([audio, np.zeros(SAMPLE_RATE, dtype=np.float32)]), SAMPLE_RATE


def _send_file(ws, audio: np.ndarray, rate: int, speed: float) -> None:
    n = rate * FRAME_MS // 1000
    started = time.perf_counter()
    for i, offset in enumerate(range(0, audio.size, n)):
        ws.send(float_to_pcm16(audio[offset : offset + n]))
        if speed > 0:  # keep to the pace: the server refuses audio far ahead of real time
            delay = started + (i + 1) * FRAME_MS / 1000 / speed - time.perf_counter()
            if delay > 0:
                time.sleep(delay)


def _mic_rate() -> int:
    import sounddevice as sd

    try:
        return int(sd.query_devices(kind="input")["default_samplerate"])
    except Exception as exc:  # noqa: BLE001 - PortAudio errors come in many types
        raise RuntimeError(f"no microphone found ({exc}); use --file question.wav instead") from None


def _send_mic(ws, rate: int, duration_s: float | None) -> None:
    import sounddevice as sd

    frames: queue.Queue[bytes] = queue.Queue(maxsize=500)

    def callback(indata, _frames, _time, _status) -> None:
        try:
            frames.put_nowait(bytes(indata))
        except queue.Full:  # the network stalled: drop audio rather than grow without bound
            pass

    blocksize = rate * FRAME_MS // 1000
    deadline = time.monotonic() + duration_s if duration_s else None
    with sd.RawInputStream(samplerate=rate, channels=1, dtype="int16", blocksize=blocksize, callback=callback):
        while deadline is None or time.monotonic() < deadline:
            try:
                ws.send(frames.get(timeout=0.5))
            except queue.Empty:
                continue
