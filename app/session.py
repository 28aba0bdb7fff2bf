"""One websocket conversation: audio frames in, VAD, both pipelines, the answer, events out.

The receive loop does the cheap work inline (decode PCM, resample, webrtcvad: microseconds per
frame) and hands each finished utterance to a task. That task runs the requested pipelines at once
on the worker pool and sends each ``retrieval`` event the moment its pipeline is done, so SEAL's hits
never wait for the ASR baseline. Then the answer streams; a new utterance cancels it (barge-in).

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import soxr
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app import events as ev
from app.resources import Resources
from app.security import TokenBucket, redact
from app.vad import SAMPLE_RATE, SpeechCancel, SpeechEnd, SpeechStart, VadConfig, VadSegmenter
from llm.types import AnswerDone as AnswerDoneItem
from llm.types import Turn

log = logging.getLogger("seal.session")

MAX_PENDING = 2  # utterances in processing per session
MAX_FRAME_S = 5.0  # one binary message holds at most this much audio
HISTORY_TURNS = 4
# Container headers that say a frame is an encoded file, not raw PCM.
MAGIC = {b"RIFF": "a WAV file", b"OggS": "Ogg audio", b"fLaC": "FLAC audio", b"ID3": "MP3 audio", b"\x1aE\xdf\xa3": "WebM audio"}


@dataclass
class Options:
    sample_rate: int = SAMPLE_RATE
    pipelines: list[str] = field(default_factory=lambda: ["seal"])
    collection: str = "demo"
    mode: str = "vad"
    k: int = 5
    answer: bool = True
    answer_from: str = "auto"
    vad: dict[str, Any] = field(default_factory=dict)


class Session:
    def __init__(self, ws: WebSocket, res: Resources) -> None:
        self.ws = ws
        self.res = res
        self.settings = res.settings
        self.id = uuid.uuid4().hex[:8]
        self.opts = Options(collection=self.settings.collection, k=self.settings.top_k)
        self.started = False
        self.closed = False
        self.segmenter: VadSegmenter | None = None
        self.resampler: soxr.ResampleStream | None = None
        self.utterance = 0
        self.pending: set[asyncio.Task] = set()
        self.answer_task: asyncio.Task | None = None
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
            for task in [*self.pending, self.answer_task]:
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
        base = Options(collection=self.settings.collection, k=self.settings.top_k) if restart else self.opts
        new = Options(**{**base.__dict__, **{k: v for k, v in given.items() if k != "vad"}})
        new.vad = {**base.vad, **given.get("vad", {})}
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

    def _vad_config(self) -> VadConfig:
        cfg = dict(
            mode=self.opts.mode,
            aggressiveness=self.settings.vad_aggressiveness,
            end_silence_ms=self.settings.vad_end_silence_ms,
            max_utterance_s=self.settings.max_audio_seconds,
        )
        cfg.update(self.opts.vad)
        return VadConfig(**cfg)

    def _seal_trained(self) -> bool:
        return bool(getattr(self.res.seal_model, "trained", False))

    def _seal_behind_asr(self) -> bool:
        return bool(getattr(self.res.seal_model, "behind_asr", False))

    def _answer_from(self) -> str:
        """Whose passages the answer reads: the one asked for if it runs; with "auto", SEAL's once
        SEAL is trained and not behind ASR + text on its own dev evaluation, else the ASR pipeline's."""
        pipelines = self.opts.pipelines
        if self.opts.answer_from in pipelines:
            return self.opts.answer_from
        trusted = self._seal_trained() and not self._seal_behind_asr()
        if "seal" in pipelines and (trusted or "asr" not in pipelines):
            return "seal"
        return "asr" if "asr" in pipelines else pipelines[0]

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
                answer=self.opts.answer and self.res.answerer is not None,
                answer_from=self._answer_from(),
                seal_trained=self._seal_trained(),
                seal_behind_asr=self._seal_behind_asr(),
                answerer=getattr(self.res.answerer, "label", None) if self.res.answerer else self.res.answerer_note,
                answer_source=self._answer_source() if self.res.answerer else None,
                vad={k: getattr(cfg, k) for k in ("aggressiveness", "frame_ms", "start_frames", "end_silence_ms", "pre_roll_ms")},
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
            if isinstance(event, SpeechStart):
                self.utterance += 1
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
        if len(self.pending) >= MAX_PENDING:
            await self.error("busy", "still working on the previous questions; this one was dropped, ask again in a moment", n)
            return
        task = asyncio.create_task(self._process(n, event.audio, ended, {**self.opts.__dict__, "answer_from": self._answer_from()}))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    # -- pipelines and answer ---------------------------------------------------------------------
    async def _process(self, n: int, audio: np.ndarray, ended: float, opts: dict) -> None:
        jobs = [self._retrieve(name, n, audio, ended, opts) for name in opts["pipelines"]]
        results = [r for r in await asyncio.gather(*jobs) if r is not None]
        log.info(
            "session %s utterance %d (%.1f s): %s", self.id, n, audio.size / SAMPLE_RATE,
            ", ".join(f"{r.pipeline} {r.timings_ms.get('end_to_hits', 0):.0f} ms" for r in results) or "no results",
        )
        if not results or not opts["answer"] or self.res.answerer is None or n != self.utterance or self.closed:
            return  # nothing to answer from, answers off, or the user already asked something new
        self.answer_task = asyncio.create_task(self._answer(n, audio, results, opts["answer_from"]))

    async def _retrieve(self, name: str, n: int, audio: np.ndarray, ended: float, opts: dict):
        pipeline = self.res.pipelines[name]
        queued = time.perf_counter()
        try:
            result = await self.res.run_pipeline(name, self._timed_run, pipeline, audio, opts["collection"], opts["k"])
        except Exception as exc:  # noqa: BLE001 - one pipeline failing must not end the session
            log.exception("pipeline %s failed", name)
            await self.error("pipeline_failed", f"the {name} pipeline failed: {exc}", n)
            return None
        result, started = result
        result.timings_ms["wait"] = round((started - queued) * 1000, 1)
        result.timings_ms["end_to_hits"] = round((time.perf_counter() - ended) * 1000, 1)
        await self.send(ev.Retrieval(utterance=n, **result.to_dict()))
        if result.transcript is not None:
            await self.send(ev.Transcript(utterance=n, text=result.transcript))
        return result

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
                    if isinstance(item, AnswerDoneItem):
                        done = item
                        break
                    text += item.text
                    await self.send(ev.AnswerDelta(utterance=n, text=item.text))
        except asyncio.CancelledError:
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], cancelled=True, source=self._answer_source()))
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

    async def _query_space(self, primary, transcript: str | None):
        """A query vector and the sentence embedder of the same space, for the extractive fallback.

        SEAL's own query vector when the pipeline exposes it; else the transcript in the text
        embedder's space (one short encode); else none (the fallback then matches words or leads).
        """
        vector = getattr(primary, "query_vector", None)
        if vector is not None:
            return vector, (self.res.seal_model.embed_text if primary.pipeline == "seal" else self.res.text_embedder.encode)
        if transcript:
            encoded = await self.res.run(self.res.text_embedder.encode, [transcript])
            return encoded[0], self.res.text_embedder.encode
        return None, None

    def _answer_source(self) -> str | None:
        return getattr(self.res.answerer, "source", None)

    async def _cancel_answer(self) -> None:
        task, self.answer_task = self.answer_task, None
        if task and not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task


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
