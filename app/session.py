"""One websocket conversation: audio frames in, VAD, both pipelines, the answer, events out.

The receive loop does the cheap work inline (decode PCM, resample, webrtcvad: microseconds per
frame) and hands each finished utterance to a task. That task runs the requested pipelines at once
on the worker pool and sends each ``retrieval`` event the moment its pipeline is done, so SEAL's hits
never wait for the ASR baseline; where both run, the fused ranking follows ASR's hits. Then the answer
streams; a new utterance cancels it (barge-in).

Live hits: at each short pause inside an utterance (the VAD's ``SpeechPause``) SEAL searches the speech
so far and the page gets ``retrieval.partial``; at most one such search per session is in flight (a
pause during one is skipped, not queued), and over all sessions at most ``live_max_running``. When the
turn ends with nothing said after the last live search, the final ``retrieval`` reuses it at once.

Bounds, so one client cannot hurt the others: at most ``MAX_PENDING`` utterances in processing
(more are refused with ``busy``), audio at most ``ws_burst_s`` ahead of real time, a token bucket (beyond it:
``flood`` and the socket closes), frames at most ``MAX_FRAME_S`` long, control messages at most
``ws_control_per_s`` (a burst of ``ws_control_burst``; beyond it: ``rate_limited`` and the socket closes),
``start`` within ``ws_start_timeout_s``, nothing received for ``ws_idle_timeout_s`` or a conversation
longer than ``ws_max_session_s``: closed with an error that says so. A disconnect cancels the
session's tasks; work already on the pool finishes and its results are dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from contextlib import aclosing, suppress
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import soxr
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app import events as ev
from retrieval.pipelines import FusedRanking, RetrievalResult
from app.resources import Resources
from app.security import TokenBucket, redact
from models.vad import SAMPLE_RATE, SpeechCancel, SpeechEnd, SpeechPause, SpeechStart, VadConfig, VadSegmenter
from llm.types import FinalAnswer
from llm.types import Turn

log = logging.getLogger("seal.session")

MAX_PENDING = 2  # utterances in processing per session
MAX_FRAME_S = 5.0  # one binary message holds at most this much audio
HISTORY_TURNS = 4
# Container headers that say a frame is an encoded file, not raw PCM.
MAGIC = {b"RIFF": "a WAV file", b"OggS": "Ogg audio", b"fLaC": "FLAC audio", b"ID3": "MP3 audio", b"\x1aE\xdf\xa3": "WebM audio"}
FUSION = FusedRanking()


@dataclass
class Options:
    sample_rate: int = SAMPLE_RATE
    pipelines: list[str] = field(default_factory=lambda: ["seal"])
    collection: str = "demo"
    mode: str = "vad"
    k: int = 5
    answer: bool = True
    answer_from: str = "auto"
    live: bool = True
    vad: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveSearch:
    """SEAL on the speech so far, started at a pause; the final hits reuse it if nothing was said after."""

    utterance: int
    voiced_end_ms: float
    audio_ms: float
    task: asyncio.Task | None = None


def with_fusion(pipelines: list[str]) -> list[str]:
    """``fused`` runs seal and asr; seal and asr together also give ``fused`` (it costs microseconds)."""
    wanted = set(pipelines)
    if "fused" in wanted or {"seal", "asr"} <= wanted:
        wanted |= {"seal", "asr", "fused"}
    return [p for p in ("seal", "asr", "fused") if p in wanted]


class Session:
    def __init__(self, ws: WebSocket, res: Resources) -> None:
        self.ws = ws
        self.res = res
        self.settings = res.settings
        self.id = uuid.uuid4().hex[:8]
        self.opts = self._default_options()
        self.started = False
        self.closed = False
        self.segmenter: VadSegmenter | None = None
        self.resampler: soxr.ResampleStream | None = None
        self.utterance = 0
        self.pending: set[asyncio.Task] = set()
        self.answer_task: asyncio.Task | None = None
        self.live: LiveSearch | None = None  # the current utterance's latest live search
        self._live_task: asyncio.Task | None = None  # the one in flight, whatever its utterance
        self._live_at = 0.0
        self.history: list[Any] = []
        self._send_lock = asyncio.Lock()
        # A token bucket of audio seconds: it refills at real time up to ws_burst_s, so a client can
        # send a recording at once but never stay ahead of the clock (idle time does not pile up).
        self._credit_s = self.settings.ws_burst_s
        self._credit_at = time.monotonic()
        self._control = TokenBucket(self.settings.ws_control_per_s, self.settings.ws_control_burst)
        self._opened_at = self._heard_at = time.monotonic()
        self._watchdog: asyncio.TimerHandle | None = None
        self._expiry: asyncio.Task | None = None  # the close a time limit started (kept from garbage collection)

    # -- the loop ---------------------------------------------------------------------------------
    async def run(self) -> None:
        log.info("session %s opened from %s", self.id, self.ws.client)
        self._watch()
        try:
            while not self.closed:
                message = await self.ws.receive()
                self._heard_at = time.monotonic()
                if message["type"] == "websocket.disconnect" or self.closed:  # closed: by a time limit meanwhile
                    break
                if message.get("text") is not None:
                    await self._on_text(message["text"])
                elif message.get("bytes") is not None:
                    await self._on_audio(message["bytes"])
        except WebSocketDisconnect:
            pass
        finally:
            self.closed = True
            if self._watchdog is not None:
                self._watchdog.cancel()
            for task in [*self.pending, self.answer_task, self._live_task]:
                if task and not task.done():
                    task.cancel()
            log.info("session %s closed after %d utterances", self.id, self.utterance)

    def _rearm(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._watch()

    def _watch(self) -> None:
        """Close the session at its first time limit (see the module notes). One timer per session,
        re-armed only when it fires: a message costs a clock read, not a timer of its own."""
        s = self.settings
        wait = s.ws_idle_timeout_s if self.started else s.ws_start_timeout_s
        quiet_until, session_until = self._heard_at + wait, self._opened_at + s.ws_max_session_s
        left = min(quiet_until, session_until) - time.monotonic()
        if self.closed:
            return
        if left > 0:  # there was activity since the timer was set: wait for the new deadline
            self._watchdog = asyncio.get_running_loop().call_later(left, self._watch)
        elif session_until <= quiet_until:
            self._expiry = asyncio.create_task(self.close(
                1000, "session_too_long", f"a conversation lasts at most {s.ws_max_session_s / 60:g} min; reconnect to go on"))
        elif not self.started:
            self._expiry = asyncio.create_task(self.close(
                1008, "start_timeout", f"no start message within {wait:g} s of connecting; send {{\"type\": \"start\"}} first"))
        else:
            self._expiry = asyncio.create_task(self.close(1000, "idle_timeout", f"nothing received for {wait:g} s; reconnect to go on"))

    async def send(self, event: ev.Event) -> None:
        if self.closed and not isinstance(event, ev.Error):
            return
        async with self._send_lock:
            if self.ws.application_state != WebSocketState.CONNECTED or self.ws.client_state != WebSocketState.CONNECTED:
                return
            with suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.send_text(event.to_json())

    async def error(self, code: str, message: str, utterance: int | None = None) -> None:
        await self.send(ev.Error(code=code, message=redact(message, self.settings), utterance=utterance))

    async def close(self, code: int, error_code: str, message: str) -> None:
        await self.error(error_code, message)
        self.closed = True
        with suppress(Exception):
            await self.ws.close(code=code, reason=message[:120])

    # -- control messages -------------------------------------------------------------------------
    async def _on_text(self, text: str) -> None:
        if not self._control.take():
            s = self.settings
            await self.close(1008, "rate_limited", f"more than {s.ws_control_burst} control messages at once or {s.ws_control_per_s:g} a "
                             "second; send start/config only when something changes")
            return
        try:
            message = ev.parse_client_message(text)
        except ev.ProtocolError as exc:
            await self.error(exc.code, exc.message)
            return
        if isinstance(message, ev.Start):
            await self._start(message)
        elif not self.started:
            await self.error("not_started", f"send {{\"type\": \"start\"}} before {message.type!r}")
        elif isinstance(message, ev.Config):
            await self._configure(message, restart=False)
        elif isinstance(message, ev.Stop):
            await self._flush_resampler()
            await self._handle(self.segmenter.stop())
        elif isinstance(message, ev.Reset):
            await self._cancel_answer()
            self.history.clear()
            if self.segmenter.in_speech:
                await self.send(ev.VadEnd(utterance=self.utterance, start_ms=0, end_ms=0, duration_ms=0, reason="reset", discarded=True))
            self.segmenter.reset()
            await self._ready()

    async def _start(self, message: ev.Start) -> None:
        if not await self.res.wait_ready(timeout=600):
            await self.close(1011, "not_ready", f"the server could not load its models: {self.res.error}")
            return
        await self._configure(message, restart=True)

    async def _configure(self, message: ev.SessionOptions, restart: bool) -> None:
        """Apply ``start`` (from the defaults) or ``config`` (on top of the current options)."""
        given = message.model_dump(exclude_none=True, exclude={"type"})
        base = self._default_options() if restart else self.opts
        new = Options(**{**base.__dict__, **{k: v for k, v in given.items() if k != "vad"}})
        new.vad = {**base.vad, **given.get("vad", {})}
        new.pipelines = with_fusion(new.pipelines)
        if (restart or "collection" in given) and not await self._collection_ok(new.collection):
            return
        vad_changed = restart or any(k in given for k in ("mode", "vad", "sample_rate"))
        self.opts = new
        if vad_changed:
            if self.segmenter and self.segmenter.in_speech:
                await self.send(ev.VadEnd(utterance=self.utterance, start_ms=0, end_ms=0, duration_ms=0, reason="config", discarded=True))
            self.segmenter = VadSegmenter(self._vad_config())
            self.resampler = None if new.sample_rate == SAMPLE_RATE else soxr.ResampleStream(new.sample_rate, SAMPLE_RATE, 1, dtype="float32")
        if restart:
            was_started, self.started = self.started, True
            self._credit_s, self._credit_at = self.settings.ws_burst_s, time.monotonic()
            if not was_started:  # the start timer may run past the (shorter) idle limit: re-arm on the idle one
                self._rearm()
        await self._ready()

    async def _collection_ok(self, collection: str) -> bool:
        """Whether the collection exists; an error event (and the session goes on) when not, or when the store fails."""
        try:
            if await self.res.run(self.res.store.exists, collection):
                return True
            known = ", ".join(await self.res.run(self.res.check_store)) or "none yet"
        except Exception as exc:  # noqa: BLE001 - a store outage must not end the conversation
            log.warning("store check for %r failed: %s", collection, exc)
            await self.error("store_unavailable", f"the knowledge store did not answer ({type(exc).__name__}: {exc}); try again in a moment")
            return False
        await self.error("unknown_collection", f"no knowledge base {collection!r} (known: {known}); ingest documents first")
        return False

    def _default_options(self) -> Options:
        return Options(collection=self.settings.collection, k=self.settings.top_k, live=self.settings.live_hits)

    def _vad_config(self) -> VadConfig:
        cfg = dict(
            mode=self.opts.mode,
            aggressiveness=self.settings.vad_aggressiveness,
            end_silence_ms=self.settings.vad_end_silence_ms,
            max_utterance_s=self.settings.max_audio_seconds,
            # pauses are always found when the server allows live hits; the session option decides their use
            pause_ms=self.settings.live_pause_ms if self.settings.live_hits else 0,
        )
        cfg.update(self.opts.vad)
        return VadConfig(**cfg)

    def _seal_trained(self) -> bool:
        return bool(getattr(self.res.seal_model, "trained", False))

    def _seal_behind_asr(self) -> bool:
        return bool(getattr(self.res.seal_model, "behind_asr", False))

    def _answer_from(self) -> str:
        """Whose passages the answer reads: the one asked for if it runs; with "auto", the fused ranking
        where both pipelines run (never SEAL's alone over ASR's: a template dev set can put SEAL ahead
        while people's own questions put it far behind), the ASR pipeline's while no SEAL
        checkpoint is loaded or its recorded dev eval puts the fused ranking behind ASR's, else the
        one that runs."""
        pipelines = self.opts.pipelines
        if self.opts.answer_from in pipelines:
            return self.opts.answer_from
        if "fused" in pipelines:
            return "fused" if self._seal_trained() and not self._fused_behind_asr() else "asr"
        return pipelines[0]

    def _fused_behind_asr(self) -> bool:
        scores = getattr(self.res.seal_model, "dev_eval", None) or {}
        fused, asr = scores.get("fused", {}).get("top1"), scores.get("asr", {}).get("top1")
        return fused is not None and asr is not None and fused < asr

    def _live_on(self) -> bool:
        return self.opts.live and self.settings.live_hits and self.opts.mode == "vad" and "seal" in self.opts.pipelines

    async def _ready(self) -> None:
        cfg = self.segmenter.config
        await self.send(
            ev.Ready(
                session=self.id,
                sample_rate=self.opts.sample_rate,
                pipelines=self.opts.pipelines,
                collection=self.opts.collection,
                mode=self.opts.mode,
                k=self.opts.k,
                answer=self.opts.answer,
                answer_from=self._answer_from(),
                live=self._live_on(),
                seal_trained=self._seal_trained(),
                seal_behind_asr=self._seal_behind_asr(),
                answerer=self.res.answerer.label,
                answer_source=self.res.answerer.source,
                vad={k: getattr(cfg, k) for k in ("aggressiveness", "frame_ms", "start_frames", "end_silence_ms", "pre_roll_ms", "pause_ms")},
                limits={"max_utterance_s": cfg.max_utterance_s, "burst_s": self.settings.ws_burst_s, "max_frame_s": MAX_FRAME_S},
            )
        )

    # -- audio ------------------------------------------------------------------------------------
    async def _on_audio(self, data: bytes) -> None:
        if not self.started:
            await self.error("not_started", "audio arrived before {\"type\": \"start\"}; send start first (the frame was dropped)")
            return
        problem = _not_pcm(data, self.opts.sample_rate)
        if problem:
            await self.error("bad_frame", problem + " (the frame was dropped)")
            return
        now = time.monotonic()
        burst = self.settings.ws_burst_s
        self._credit_s = min(burst, self._credit_s + now - self._credit_at) - len(data) / 2 / self.opts.sample_rate
        self._credit_at = now
        if self._credit_s < 0:
            await self.close(
                1008, "flood", f"audio is arriving more than {burst:.0f} s ahead of real time; stream at the microphone's pace"
            )
            return
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        if self.resampler is not None:
            samples = self.resampler.resample_chunk(samples)
        await self._handle(self.segmenter.feed(samples))

    async def _flush_resampler(self) -> None:
        if self.resampler is not None:
            tail = self.resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
            self.resampler = soxr.ResampleStream(self.opts.sample_rate, SAMPLE_RATE, 1, dtype="float32")
            await self._handle(self.segmenter.feed(tail))

    async def _handle(self, vad_events: list) -> None:
        for event in vad_events:
            if isinstance(event, SpeechPause):
                self._start_live(event)
            elif isinstance(event, SpeechStart):
                self.utterance += 1
                self.live = None
                await self.send(ev.VadStart(utterance=self.utterance, start_ms=event.start_ms))
                await self._cancel_answer()  # barge-in
            elif isinstance(event, SpeechCancel):
                await self.send(
                    ev.VadEnd(utterance=self.utterance, start_ms=event.start_ms, end_ms=event.end_ms,
                              duration_ms=event.end_ms - event.start_ms, reason="too_short", discarded=True)
                )
            elif isinstance(event, SpeechEnd):
                await self._utterance_done(event)

    async def _utterance_done(self, event: SpeechEnd) -> None:
        ended = time.perf_counter()
        n = self.utterance
        await self.send(
            ev.VadEnd(utterance=n, start_ms=event.start_ms, end_ms=event.end_ms, duration_ms=round(event.duration_ms, 1),
                      reason=event.reason, truncated=event.truncated)
        )
        if event.truncated:
            limit = self.segmenter.config.max_utterance_s
            await self.error("utterance_too_long", f"the utterance passed the {limit:.0f} s limit and was cut there; the results are for its first {limit:.0f} s", n)
        live, self.live = self._reusable_live(event), None  # from here on, no partials for this utterance
        if len(self.pending) >= MAX_PENDING:
            await self.error("busy", "still working on the previous questions; this one was dropped, ask again in a moment", n)
            return
        opts = {**self.opts.__dict__, "answer_from": self._answer_from()}
        task = asyncio.create_task(self._process(n, event.audio, ended, opts, live))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    # -- live hits --------------------------------------------------------------------------------
    def _start_live(self, event: SpeechPause) -> None:
        """Search the speech so far, unless live hits are off or a live search is still running
        (this session's, or ``live_max_running`` over all sessions): then the pause is skipped."""
        now = time.perf_counter()
        if not self._live_on() or (self._live_task and not self._live_task.done()):
            return
        if (now - self._live_at) * 1000 < self.settings.live_interval_ms:
            return
        if not self.res.live_slots.acquire(blocking=False):
            return
        self._live_at = now
        live = LiveSearch(self.utterance, event.voiced_end_ms, round(event.audio.size * 1000 / SAMPLE_RATE, 1))
        live.task = self._live_task = asyncio.create_task(self._run_live(live, event.audio, dict(self.opts.__dict__)))
        self.live = live

    async def _run_live(self, live: LiveSearch, audio: np.ndarray, opts: dict) -> RetrievalResult | None:
        depth = FUSION.depth(opts["k"]) if "fused" in opts["pipelines"] else opts["k"]
        try:
            result, _ = await self.res.run_pipeline(
                "seal", _release_after, self.res.live_slots, self._timed_run, self.res.pipelines["seal"], audio, opts["collection"], depth
            )
        except Exception:  # noqa: BLE001 - a failed live search only means the final search runs as usual
            log.exception("live search failed")
            return None
        if self.live is live and not self.closed:  # the turn is still open: show the hits as provisional
            await self.send(ev.RetrievalPartial(utterance=live.utterance, pipeline="seal", hits=[h.to_dict() for h in result.hits[: opts["k"]]],
                                                audio_ms=live.audio_ms, timings_ms=result.timings_ms))
        return result

    def _reusable_live(self, end: SpeechEnd) -> asyncio.Task | None:
        """The live search to reuse for this utterance's final SEAL hits: one that heard all of it."""
        live = self.live
        if live is None or live.utterance != self.utterance or end.voiced_end_ms is None:
            return None
        return live.task if live.voiced_end_ms == end.voiced_end_ms else None

    # -- pipelines and answer ---------------------------------------------------------------------
    async def _process(self, n: int, audio: np.ndarray, ended: float, opts: dict, live: asyncio.Task | None = None) -> None:
        depth = FUSION.depth(opts["k"]) if "fused" in opts["pipelines"] else opts["k"]
        jobs = [self._retrieve(name, n, audio, ended, opts, depth, live if name == "seal" else None)
                for name in opts["pipelines"] if name != "fused"]
        results = [r for r in await asyncio.gather(*jobs) if r is not None]
        if "fused" in opts["pipelines"]:
            results += [fused for fused in [await self._fuse(n, results, ended, opts)] if fused]
        for result in results:
            result.hits = result.hits[: opts["k"]]  # fusion read deeper lists; the answer reads the top k
        log.info(
            "session %s utterance %d (%.1f s): %s", self.id, n, audio.size / SAMPLE_RATE,
            ", ".join(f"{r.pipeline} {r.timings_ms.get('end_to_hits', 0):.0f} ms" for r in results) or "no results",
        )
        if not results or not opts["answer"] or n != self.utterance or self.closed:
            return  # nothing to answer from, answers off, or the user already asked something new
        self.answer_task = asyncio.create_task(self._answer(n, audio, results, opts["answer_from"]))

    async def _retrieve(self, name: str, n: int, audio: np.ndarray, ended: float, opts: dict, depth: int,
                        live: asyncio.Task | None = None) -> RetrievalResult | None:
        result = await self._reuse(live) if live else None
        reused = result is not None
        if not reused:
            pipeline = self.res.pipelines[name]
            queued = time.perf_counter()
            try:
                result, started = await self.res.run_pipeline(name, self._timed_run, pipeline, audio, opts["collection"], depth)
            except Exception as exc:  # noqa: BLE001 - one pipeline failing must not end the session
                log.exception("pipeline %s failed", name)
                await self.error("pipeline_failed", f"the {name} pipeline failed: {exc}", n)
                return None
            result.timings_ms["wait"] = round((started - queued) * 1000, 1)
        result.timings_ms["end_to_hits"] = round((time.perf_counter() - ended) * 1000, 1)
        await self._send_result(n, result, opts["k"], from_partial=reused)
        if result.transcript is not None:
            await self.send(ev.Transcript(utterance=n, text=result.transcript))
        return result

    @staticmethod
    async def _reuse(live: asyncio.Task) -> RetrievalResult | None:
        """A copy of a live search's result (it may still be running: wait for it), None if it failed."""
        try:
            shared = await asyncio.shield(live)
        except Exception:  # noqa: BLE001 - logged by the live search; the final search runs instead
            return None
        if shared is None:
            return None
        return replace(shared, hits=list(shared.hits), timings_ms=dict(shared.timings_ms))

    async def _fuse(self, n: int, results: list[RetrievalResult], ended: float, opts: dict) -> RetrievalResult | None:
        """The fused ranking, once SEAL's and ASR's hits are both in (microseconds: on the loop)."""
        by_name = {r.pipeline: r for r in results}
        if "seal" not in by_name or "asr" not in by_name:
            return None  # one of them failed: its error went out, the other's hits stand alone
        fused = FUSION.run(by_name["seal"], by_name["asr"], FUSION.depth(opts["k"]))
        fused.timings_ms["end_to_hits"] = round((time.perf_counter() - ended) * 1000, 1)
        await self._send_result(n, fused, opts["k"])
        return fused

    async def _send_result(self, n: int, result: RetrievalResult, k: int, from_partial: bool = False) -> None:
        await self.send(ev.Retrieval(utterance=n, pipeline=result.pipeline, hits=[h.to_dict() for h in result.hits[:k]],
                                     timings_ms=result.timings_ms, transcript=result.transcript, from_partial=from_partial))

    @staticmethod
    def _timed_run(pipeline, audio, collection, k):
        started = time.perf_counter()
        return pipeline.run(audio, collection, k), started

    async def _answer(self, n: int, audio: np.ndarray, results: list, answer_from: str) -> None:
        primary = next((r for r in results if r.pipeline == answer_from), results[0])
        transcript = next((r.transcript for r in results if r.transcript), None)
        query_vector, embed_texts = await self._query_space(primary, transcript)
        text, done = "", None
        try:
            stream = self.res.answerer.stream(audio, transcript, primary.hits, list(self.history), query_vector, embed_texts)
            async with aclosing(stream) as items:
                async for item in items:
                    if isinstance(item, FinalAnswer):
                        done = item
                        break
                    text += item.text
                    await self.send(ev.AnswerDelta(utterance=n, text=item.text))
        except asyncio.CancelledError:
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], cancelled=True, source=self.res.answerer.source))
            raise
        except Exception as exc:  # noqa: BLE001 - the retrieval results already reached the user
            log.exception("answer failed")
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], error=redact(f"the answer failed: {exc}", self.settings)))
            return
        if done is None:
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], error="the answerer ended without a final message"))
            return
        if done.error:
            done.error = redact(done.error, self.settings)  # failures name the answer server's address
        await self.send(ev.AnswerDone(utterance=n, **done.to_dict()))
        self.history = [*self.history, Turn(question=transcript, answer=done.text)][-HISTORY_TURNS:]

    async def _query_space(self, primary: RetrievalResult, transcript: str | None) -> tuple[np.ndarray | None, Any]:
        """A query vector and the sentence embedder of the same space, for the extractive fallback.

        The vector the answer's pipeline searched with: SEAL's with SEAL's text side, ASR's (its
        transcript's) with the text embedder; for the fused ranking, which searched nothing, the
        transcript in the text embedder's space (one short encode); else none (the fallback then
        matches words or leads).
        """
        embedders = {"seal": self.res.seal_model.embed_text, "asr": self.res.text_embedder.encode,
                     "text": self.res.text_embedder.encode}
        if primary.query_vector is not None and primary.pipeline in embedders:
            return primary.query_vector, embedders[primary.pipeline]
        if transcript:
            encoded = await self.res.run(self.res.text_embedder.encode, [transcript])
            return encoded[0], self.res.text_embedder.encode
        return None, None

    async def _cancel_answer(self) -> None:
        task, self.answer_task = self.answer_task, None
        if task and not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task


def _release_after(slot, fn, *args):
    """Run ``fn`` on a worker, then free the live-search slot it holds (also if it fails)."""
    try:
        return fn(*args)
    finally:
        slot.release()


def _not_pcm(data: bytes, rate: int) -> str | None:
    """Why ``data`` is not a frame of 16-bit mono PCM, or None if it may well be one."""
    if not data:
        return "empty binary frame"
    if len(data) % 2:
        return f"binary frame of {len(data)} bytes: 16-bit PCM needs an even byte count"
    if len(data) > MAX_FRAME_S * rate * 2:
        return f"binary frame of {len(data)} bytes holds more than {MAX_FRAME_S:.0f} s of audio; send frames of 10-100 ms"
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            return f"the frame is {what}, not raw PCM; decode it and send 16-bit mono samples (or POST it to /api/search)"
    if data[:1] == b"{" and data.rstrip()[-1:] == b"}":
        with suppress(ValueError):
            json.loads(data)
            return "a JSON message arrived as a binary frame; send control messages as text"
    if len(data) >= 256 and len(data) % 4 == 0:
        # Float32 samples in [-1, 1] read as int16 pairs: nearly every value has the exponent bits of
        # a small float, which real 16-bit audio never shows.
        floats = np.frombuffer(data, dtype="<f4")
        magnitude = np.abs(floats[np.isfinite(floats)])
        if magnitude.size == floats.size and np.mean((magnitude > 1e-7) & (magnitude <= 1.0)) > 0.95:
            return "the frame looks like 32-bit float samples; convert to 16-bit integers (x * 32767)"
    return None
