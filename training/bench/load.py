"""``seal bench load``: concurrent spoken conversations against a running ``seal serve``, over real websockets.

Each session speaks like a person at a microphone: a ``start`` message, then 16 kHz PCM16 in 20 ms
frames sent at real-time pace (a clock schedule, not "sleep after send", so pace does not drift), TTS
questions with 1.5-3 s of faint-hiss silence between them. Sessions start staggered and stop after
``duration_s`` of audio (no new question starts after that), then keep streaming silence until every
result came back or ``grace_s`` passed.

The latency measured per question, client side, is **end of speech -> SEAL hits**: from the moment
the client sent the frame holding the last sample of speech (last 10 ms with speech energy) to the
arrival of the ``retrieval`` event with ``pipeline: seal`` for that utterance. Nothing is subtracted:
it includes the VAD's hangover (the silence it waits for), the server's queueing and processing, and
both network hops on loopback. Server utterances are matched to the client's questions by stream time
(the ``vad.end`` interval that overlaps the question). With live hits on, the final SEAL hits may be a
live search's (``from_partial``), sent the moment the turn ends; ``live`` lists the variants to run
(on, off, or both one after the other at each level).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from training.bench.queries import BUILTIN_QUERIES, SAMPLE_RATE, SpokenQuery, speak_queries
from training.bench.server_stats import ServerSampler, Sample
from training.bench.stats import slope_per_minute, summarize

FRAME_MS = 20
FRAME = SAMPLE_RATE * FRAME_MS // 1000
END_TOLERANCE_MS = 400  # the VAD's refined end lands within ~100 ms of the real end of speech
HISS = 0.003  # std of the noise floor laid over everything, like a real microphone


class LoadError(RuntimeError):
    """The benchmark cannot run (target refused, server not found); the message says what to do."""


@dataclass
class LoadConfig:
    url: str = "ws://127.0.0.1:8000/ws"
    sessions: list[int] = field(default_factory=lambda: [8, 16, 32])
    duration_s: float = 60.0
    soak_s: float | None = None
    pipelines: list[str] = field(default_factory=lambda: ["seal"])
    answer: bool = False
    collection: str | None = None
    token: str | None = None
    voices: list[str] = field(default_factory=lambda: ["espeak:en-us"])
    questions: int = 8  # distinct spoken questions in the pool the sessions draw from
    gap_s: tuple[float, float] = (1.5, 3.0)
    grace_s: float = 20.0
    ready_timeout_s: float = 300.0
    allow_remote: bool = False
    seed: int = 0
    live: list[bool] = field(default_factory=lambda: [True])  # live hits per variant; each level runs every variant


# -- the target ------------------------------------------------------------------------------------


def check_target(url: str, allow_remote: bool) -> tuple[str, int]:
    """(host, port) of a ws:// URL on loopback; anything else needs ``allow_remote``."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss"):
        raise LoadError(f"--url must be a ws:// or wss:// websocket URL, e.g. ws://127.0.0.1:8000/ws (got {url!r})")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    if not allow_remote and not is_loopback(host):
        raise LoadError(
            f"{host} is not this machine: a load test sends many real-time audio streams; point --url at a "
            "server on 127.0.0.1/localhost, or pass --allow-remote if you own that server"
        )
    return host, port


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


# -- what the sessions say -------------------------------------------------------------------------


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
class SessionResult:
    index: int
    questions: list[Question] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    error_messages: list[str] = field(default_factory=list)
    refused: str | None = None
    unmatched_utterances: int = 0
    max_lag_ms: float = 0.0  # how far behind its real-time schedule the client ever was
    partials: int = 0  # retrieval.partial events received


# -- one session -----------------------------------------------------------------------------------


class Session:
    def __init__(self, index: int, config: LoadConfig, pool: list[Clip], duration_s: float, rng: np.random.Generator,
                 live: bool = True) -> None:
        self.index, self.config, self.pool, self.duration_s, self.rng, self.live = index, config, pool, duration_s, rng, live
        self.result = SessionResult(index)
        self.vad_ends: dict[int, tuple[Question, float]] = {}
        self.sent_samples = 0
        self.done = asyncio.Event()

    async def run(self, stagger_s: float) -> SessionResult:
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


# -- a level: N sessions at once -------------------------------------------------------------------


async def run_level(config: LoadConfig, pool: list[Clip], sessions: int, duration_s: float, pid: int | None,
                    sample_every_s: float = 1.0, live: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(config.seed + sessions)  # the same questions and pauses for every variant
    sampler = ServerSampler(pid, sample_every_s).start() if pid else None
    started = time.perf_counter()
    runners = [Session(i, config, pool, duration_s, np.random.default_rng(int(rng.integers(1 << 31))), live) for i in range(sessions)]
    # Stagger the starts over ~2 s so the sessions do not all speak in lock-step.
    results = await asyncio.gather(*(s.run(stagger_s=float(rng.uniform(0, 2.0))) for s in runners))
    wall_s = time.perf_counter() - started
    samples = sampler.stop() if sampler else []
    level = summarize_level(sessions, results, samples, wall_s, sampler.error if sampler else "no server pid: CPU and memory not measured")
    return {**level, "live": live}


def summarize_level(sessions: int, results: list[SessionResult], samples: list[Sample], wall_s: float, sampler_error: str | None) -> dict[str, Any]:
    questions = [q for r in results for q in r.questions]
    errors: dict[str, int] = {}
    for r in results:
        for code, count in r.errors.items():
            errors[code] = errors.get(code, 0) + count
    handled = [q for q in questions if q.latency_ms is not None]
    return {
        "sessions": sessions,
        "sessions_refused": sum(1 for r in results if r.refused),
        "wall_s": round(wall_s, 1),
        "questions_sent": len(questions),
        "utterances_handled": len(handled),
        "unanswered": len(questions) - len(handled),
        "split_by_vad": sum(1 for q in questions if len(q.utterances) > 1),
        "unmatched_utterances": sum(r.unmatched_utterances for r in results),
        "errors": errors,
        "error_examples": [m for r in results for m in r.error_messages][:8],
        "end_of_speech_to_seal_hits_ms": summarize(q.latency_ms for q in handled),
        "server_end_to_hits_ms": summarize(q.server_end_to_hits_ms for q in handled),
        "server_pipeline_total_ms": summarize(q.server_total_ms for q in handled),
        "client_max_lag_ms": round(max((r.max_lag_ms for r in results), default=0.0), 1),
        "server": _server_summary(samples, sampler_error),
        "live_partials": sum(r.partials for r in results),
        "final_from_partial_share": round(sum(q.from_partial for q in handled) / len(handled), 3) if handled else None,
    }


def _server_summary(samples: list[Sample], error: str | None) -> dict[str, Any]:
    if not samples:
        return {"measured": False, "note": error or "no samples"}
    cpu = [s.cpu_percent for s in samples]
    rss = [s.rss_mb for s in samples]
    return {
        "measured": True,
        "cpu_percent_mean": round(float(np.mean(cpu)), 1),
        "cpu_percent_p95": round(float(np.percentile(cpu, 95)), 1),
        "rss_mb_start": rss[0],
        "rss_mb_end": rss[-1],
        "rss_mb_max": max(rss),
        "samples": len(samples),
    }


# -- soak: flat memory over a long run -------------------------------------------------------------


async def run_soak(config: LoadConfig, pool: list[Clip], pid: int | None) -> dict[str, Any]:
    if not pid:
        raise LoadError("the soak test watches the server's memory: give --server-pid (or run the server on the --url port here)")
    sessions = config.sessions[0]
    rng = np.random.default_rng(config.seed)
    sampler = ServerSampler(pid, interval_s=5.0).start()
    started = time.perf_counter()
    live = config.live[0]
    runners = [Session(i, config, pool, config.soak_s or 0, np.random.default_rng(int(rng.integers(1 << 31))), live) for i in range(sessions)]
    results = await asyncio.gather(*(s.run(stagger_s=float(rng.uniform(0, 2.0))) for s in runners))
    samples = sampler.stop()
    level = summarize_level(sessions, results, samples, time.perf_counter() - started, sampler.error)
    return {**level, "live": live, "rss": rss_trend(samples)}


def rss_trend(samples: list[Sample], warmup_fraction: float = 0.2) -> dict[str, Any]:
    """The RSS slope after a warm-up (caches, allocator arenas fill first); flat = growth under 5 %."""
    if len(samples) < 4:
        return {"flat": None, "note": "too few samples for a trend (run --soak longer)"}
    cut = samples[int(len(samples) * warmup_fraction) :]
    times, rss = [s.t for s in cut], [s.rss_mb for s in cut]
    slope = slope_per_minute(times, rss)
    minutes = (times[-1] - times[0]) / 60
    growth_mb = (slope or 0.0) * minutes
    return {
        "slope_mb_per_min": slope,
        "fitted_growth_mb": round(growth_mb, 2),
        "rss_mb_after_warmup": rss[0],
        "rss_mb_end": rss[-1],
        "flat": abs(growth_mb) < 0.05 * rss[0],
        "warmup_dropped_s": round(cut[0].t, 1),
        "series": [[s.t, s.rss_mb] for s in samples],
    }


def run_load(config: LoadConfig, pid: int | None, progress=None) -> dict[str, Any]:
    """Every level in ``config.sessions`` (or the soak), one after another; the JSON the CLI writes."""
    from training.bench.latency import machine_info

    load_at_start = [round(x, 2) for x in __import__("os").getloadavg()]
    pool = question_pool(config)
    out: dict[str, Any] = {"kind": "seal bench load", "url": config.url, "server_pid": pid,
                           "config": {"duration_s": config.duration_s, "soak_s": config.soak_s, "pipelines": config.pipelines,
                                      "answer": config.answer, "live": config.live, "collection": config.collection, "voices": config.voices,
                                      "frame_ms": FRAME_MS, "gap_s": list(config.gap_s), "questions": [c.text for c in pool]},
                           "levels": []}
    if config.soak_s:
        if progress:
            progress(f"soak: {config.sessions[0]} sessions for {config.soak_s:.0f} s")
        out["soak"] = asyncio.run(run_soak(config, pool, pid))
    else:
        for sessions in config.sessions:
            for live in config.live:
                if progress:
                    progress(f"{sessions} sessions for {config.duration_s:.0f} s, live hits {'on' if live else 'off'}")
                out["levels"].append(asyncio.run(run_level(config, pool, sessions, config.duration_s, pid, live=live)))
    out["machine"] = machine_info() | {"load_average_at_start": load_at_start}
    out["definition"] = (
        "end_of_speech_to_seal_hits_ms: client clock, from sending the 20 ms frame that holds the last "
        "sample of speech to receiving the (final) retrieval event with pipeline seal for that utterance; "
        "nothing subtracted (includes the VAD hangover, queueing, processing, loopback)"
    )
    return out
