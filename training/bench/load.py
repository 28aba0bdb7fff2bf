"""``seal bench load``: concurrent spoken conversations against a running ``seal serve``, over real websockets.

Each session (one ``LoadClient``, load_client.py) speaks like a person at a microphone: a ``start``
message, then 16 kHz PCM16 in 20 ms frames sent at real-time pace (a clock schedule, not "sleep after
send", so pace does not drift), TTS questions with 1.5-3 s of faint-hiss silence between them.
Sessions start staggered and stop after ``duration_s`` of audio (no new question starts after that),
then keep streaming silence until every result came back or ``grace_s`` passed.

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
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from training.bench.load_client import FRAME_MS, Clip, ClientResult, LoadClient, question_pool
from training.bench.machine import load_average, machine_info
from training.bench.server_stats import ServerSampler, Sample
from training.bench.stats import slope_per_minute, summarize



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


# -- a level: N sessions at once -------------------------------------------------------------------


async def run_level(config: LoadConfig, pool: list[Clip], sessions: int, duration_s: float, pid: int | None,
                    sample_every_s: float = 1.0, live: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(config.seed + sessions)  # the same questions and pauses for every variant
    sampler = ServerSampler(pid, sample_every_s).start() if pid else None
    started = time.perf_counter()
    runners = [LoadClient(i, config, pool, duration_s, np.random.default_rng(int(rng.integers(1 << 31))), live) for i in range(sessions)]
    # Stagger the starts over ~2 s so the sessions do not all speak in lock-step.
    results = await asyncio.gather(*(s.run(stagger_s=float(rng.uniform(0, 2.0))) for s in runners))
    wall_s = time.perf_counter() - started
    samples = sampler.stop() if sampler else []
    level = summarize_level(sessions, results, samples, wall_s, sampler.error if sampler else "no server pid: CPU and memory not measured")
    return {**level, "live": live}


def summarize_level(sessions: int, results: list[ClientResult], samples: list[Sample], wall_s: float, sampler_error: str | None) -> dict[str, Any]:
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
    runners = [LoadClient(i, config, pool, config.soak_s or 0, np.random.default_rng(int(rng.integers(1 << 31))), live) for i in range(sessions)]
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
    load_at_start = load_average()
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
