"""One simulated person for ``seal bench load``: a websocket client that speaks questions at real-time pace.

It speaks like a person at a microphone: a ``start`` message, then 16 kHz PCM16 in 20 ms frames sent at
real-time pace (a clock schedule, not "sleep after send", so pace does not drift), TTS questions with
silence between them laid over a faint hiss, and records when each question's SEAL hits come back
(``load.py`` runs many of these at once and sums them up).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from training.bench.queries import BUILTIN_QUERIES, SAMPLE_RATE, SpokenQuery, speak_queries

if TYPE_CHECKING:
    from training.bench.load import LoadConfig

FRAME_MS = 20
FRAME = SAMPLE_RATE * FRAME_MS // 1000
END_TOLERANCE_MS = 400  # the VAD's refined end lands within ~100 ms of the real end of speech
HISS = 0.003  # std of the noise floor laid over everything, like a real microphone
# -- what the clients say ---------------------------------------------------------------------------


@dataclass
class Clip:
    text: str
    pcm: np.ndarray  # int16, speech with its own edges
    speech_start: int  # samples into pcm
    speech_end: int


def question_pool(config: LoadConfig) -> list[Clip]:
    """Short and medium built-in questions (1-6 s, alternating), spoken by the configured voices."""
    short, medium = BUILTIN_QUERIES[:8], BUILTIN_QUERIES[8:16]  # the 1-3 s and 3-6 s questions, alternating
    texts = [t for pair in zip(short, medium) for t in pair][: config.questions]
    records = [{"id": f"q{i}", "text": t} for i, t in enumerate(texts)]
    spoken = speak_queries(records, config.voices)
    return [_clip(q) for q in spoken]


def _clip(query: SpokenQuery) -> Clip:
    pcm = (np.clip(query.audio, -1, 1) * 32767).astype(np.int16)
    return Clip(query.text, pcm, int(query.speech_start_s * SAMPLE_RATE), int(query.speech_end_s * SAMPLE_RATE))


@dataclass
class Question:
    """One question as the client sent it, and what came back for it."""

    text: str
    start_ms: float  # stream time of speech start/end (samples sent since ``start``)
    end_ms: float
    sent_end_at: float | None = None  # perf_counter when the frame holding the last speech sample went out
    utterances: list[int] = field(default_factory=list)  # server utterance numbers matched to it
    seal_at: float | None = None  # perf_counter of the matching seal ``retrieval``
    server_end_to_hits_ms: float | None = None
    server_total_ms: float | None = None
    from_partial: bool = False  # the final SEAL hits were a live search's

    @property
    def latency_ms(self) -> float | None:
        if self.seal_at is None or self.sent_end_at is None:
            return None
        return (self.seal_at - self.sent_end_at) * 1000


@dataclass
class ClientResult:
    index: int
    questions: list[Question] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    error_messages: list[str] = field(default_factory=list)
    refused: str | None = None
    unmatched_utterances: int = 0
    max_lag_ms: float = 0.0  # how far behind its real-time schedule the client ever was
    partials: int = 0  # retrieval.partial events received


# -- one client --------------------------------------------------------------------------------------


class LoadClient:
    """One load-test websocket client: a person asking questions out loud, for ``duration_s`` of audio."""

    def __init__(self, index: int, config: LoadConfig, pool: list[Clip], duration_s: float, rng: np.random.Generator,
                 live: bool = True) -> None:
        self.index, self.config, self.pool, self.duration_s, self.rng, self.live = index, config, pool, duration_s, rng, live
        self.result = ClientResult(index)
        self.vad_ends: dict[int, tuple[Question, float]] = {}
        self.sent_samples = 0
        self.done = asyncio.Event()

    async def run(self, stagger_s: float) -> ClientResult:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        headers = {"Authorization": f"Bearer {self.config.token}"} if self.config.token else None
        await asyncio.sleep(stagger_s)
        try:
            async with connect(self.config.url, additional_headers=headers, max_size=None, open_timeout=30, ping_interval=None) as ws:
                ready = await self._start(ws)
                if not ready:
                    return self.result
                receiver = asyncio.create_task(self._receive(ws))
                try:
                    await self._speak(ws)
                finally:
                    receiver.cancel()
        except (OSError, InvalidStatus, asyncio.TimeoutError) as exc:
            self._error("connect_failed", f"session {self.index}: cannot connect to {self.config.url}: {exc}")
        except ConnectionClosed as exc:
            self._error("closed", f"session {self.index}: the server closed the connection ({exc})")
        return self.result

    async def _start(self, ws) -> bool:
        start: dict[str, Any] = {"type": "start", "sample_rate": SAMPLE_RATE, "pipelines": self.config.pipelines,
                                 "mode": "vad", "answer": self.config.answer, "live": self.live}
        if self.config.collection:
            start["collection"] = self.config.collection
        await ws.send(json.dumps(start))
        async with asyncio.timeout(self.config.ready_timeout_s):
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "ready":
                    return True
                if event["type"] == "error":
                    self.result.refused = f"{event.get('code')}: {event.get('message')}"
                    self._error(event.get("code", "error"), event.get("message", ""))
                    return False

    def _error(self, code: str, message: str) -> None:
        self.result.errors[code] = self.result.errors.get(code, 0) + 1
        if len(self.result.error_messages) < 5:
            self.result.error_messages.append(f"{code}: {message}")

    async def _receive(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in ws:
                if isinstance(message, str):
                    self._on_event(json.loads(message), time.perf_counter())
        except ConnectionClosed:
            pass

    def _on_event(self, event: dict[str, Any], at: float) -> None:
        kind = event.get("type")
        if kind == "vad.end" and not event.get("discarded"):
            question = self._match(event["start_ms"], event["end_ms"])
            if question is None:
                self.result.unmatched_utterances += 1
            else:
                question.utterances.append(event["utterance"])
                self.vad_ends[event["utterance"]] = (question, event["end_ms"])
        elif kind == "retrieval" and event.get("pipeline") == "seal":
            question, end_ms = self.vad_ends.get(event["utterance"], (None, 0.0))
            # Only the server utterance that ends where the question's speech ends counts: if the VAD
            # split a question, the first part's hits came before the speech was over.
            if question is not None and question.seal_at is None and abs(end_ms - question.end_ms) <= END_TOLERANCE_MS:
                question.seal_at = at
                timings = event.get("timings_ms") or {}
                question.server_end_to_hits_ms = timings.get("end_to_hits")
                question.server_total_ms = timings.get("total")
                question.from_partial = bool(event.get("from_partial"))
        elif kind == "retrieval.partial":
            self.result.partials += 1
        elif kind == "error":
            self._error(event.get("code", "error"), event.get("message", ""))

    def _match(self, start_ms: float, end_ms: float) -> Question | None:
        best, best_gap = None, None
        for question in self.result.questions:
            if start_ms <= question.end_ms + 300 and end_ms >= question.start_ms - 300:
                gap = abs(end_ms - question.end_ms)
                if best_gap is None or gap < best_gap:
                    best, best_gap = question, gap
        return best

    async def _speak(self, ws) -> None:
        """Stream questions and silences at real-time pace on an absolute clock."""
        t0 = time.perf_counter()
        frame_index = 0

        async def send(samples: np.ndarray, mark: tuple[Question, int] | None = None) -> None:
            nonlocal frame_index
            for first in range(0, samples.size, FRAME):
                due = t0 + frame_index * FRAME_MS / 1000
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    self.result.max_lag_ms = max(self.result.max_lag_ms, -delay * 1000)
                await ws.send(samples[first : first + FRAME].tobytes())
                frame_index += 1
                self.sent_samples += min(FRAME, samples.size - first)
                if mark and mark[0].sent_end_at is None and first + FRAME >= mark[1]:
                    mark[0].sent_end_at = time.perf_counter()

        await send(self._silence(self.rng.uniform(0.3, 1.0)))
        while self.sent_samples / SAMPLE_RATE < self.duration_s:
            clip = self.pool[int(self.rng.integers(len(self.pool)))]
            base = self.sent_samples
            question = Question(clip.text, (base + clip.speech_start) * 1000 / SAMPLE_RATE, (base + clip.speech_end) * 1000 / SAMPLE_RATE)
            self.result.questions.append(question)
            await send(self._hiss(clip.pcm), (question, clip.speech_end))
            await send(self._silence(self.rng.uniform(*self.config.gap_s)))
        # Keep the microphone open (silence) until the last answers are in, as a person waiting would.
        deadline = time.perf_counter() + self.config.grace_s
        while time.perf_counter() < deadline and not self._all_answered():
            await send(self._silence(0.2))

    def _all_answered(self) -> bool:
        return all(q.seal_at is not None for q in self.result.questions)

    def _silence(self, seconds: float) -> np.ndarray:
        n = int(seconds * SAMPLE_RATE) // FRAME * FRAME
        return self._hiss(np.zeros(n, dtype=np.int16))

    def _hiss(self, pcm: np.ndarray) -> np.ndarray:
        noise = self.rng.normal(0, HISS * 32767, pcm.size)
        return np.clip(pcm.astype(np.float64) + noise, -32768, 32767).astype("<i2")
