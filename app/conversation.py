"""The conversation: utterance events in (app/intake.py), the protocol's events out; no socket.

Each finished utterance goes to a task that runs the requested pipelines at once on the worker pools
and sends each ``retrieval`` event the moment its pipeline is done, so SEAL's hits never wait for the
ASR baseline; where both run, the fused ranking follows ASR's hits. Then the answer streams
(app/answering.py); a new utterance cancels it (barge-in).

Live hits: at each short pause inside an utterance SEAL searches the speech so far and the page gets
``retrieval.partial``; at most one such search per session is in flight (a pause during one is
skipped, not queued), and over all sessions at most ``live_max_running``. When the turn ends with
nothing said after the last live search, the final ``retrieval`` reuses it at once.

At most ``MAX_PENDING`` utterances are in processing; more are refused with ``busy``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace

import numpy as np

from app import events as ev
from app.answering import AnswerStream, Send
from app.intake import UtteranceCancel, UtteranceEnd, UtteranceEvent, UtterancePause, UtteranceStart
from app.resources import Resources
from app.security import redact
from retrieval.pipelines import FusedRanking, RetrievalResult
from models.vad import SAMPLE_RATE

log = logging.getLogger("seal.session")

MAX_PENDING = 2  # utterances in processing per session
FUSION = FusedRanking()


@dataclass
class LiveSearch:
    """SEAL on the speech so far, started at a pause; the final hits reuse it if nothing was said after."""

    utterance: int
    voiced_end_ms: float
    audio_ms: float
    task: asyncio.Task | None = None


class Conversation:
    """Runs the pipelines and the answer for one session's utterances under its current options."""

    def __init__(self, res: Resources, send: Send, options: ev.SessionOptions, name: str = "-") -> None:
        self.res = res
        self.settings = res.settings
        self.send = send
        self.opts = options  # replaced (never changed in place) when the client sends config
        self.name = name  # for the log
        self.current = 0  # the latest utterance that started
        self.closed = False
        self.pending: set[asyncio.Task] = set()
        self.answers = AnswerStream(res, send)
        self.live: LiveSearch | None = None  # the current utterance's latest live search
        self._live_task: asyncio.Task | None = None  # the one in flight, whatever its utterance
        self._live_at = 0.0

    async def handle(self, events: list[UtteranceEvent]) -> None:
        for event in events:
            if isinstance(event, UtterancePause):
                self._start_live(event)
            elif isinstance(event, UtteranceStart):
                self.current = event.utterance
                self.live = None
                await self.send(ev.VadStart(utterance=event.utterance, start_ms=event.start_ms))
                await self.answers.cancel()  # barge-in
            elif isinstance(event, UtteranceCancel):
                await self.send(ev.VadEnd(utterance=event.utterance, start_ms=event.start_ms, end_ms=event.end_ms,
                                          duration_ms=event.end_ms - event.start_ms, reason=event.reason, discarded=True))
            elif isinstance(event, UtteranceEnd):
                await self._utterance_done(event)

    async def reset(self) -> None:
        """Forget the conversation: a streaming answer stops, the history goes."""
        await self.answers.reset()

    def close(self) -> None:
        """The client is gone: cancel this conversation's tasks (work already on a pool finishes, unread)."""
        self.closed = True
        for task in [*self.pending, self.answers.task, self._live_task]:
            if task and not task.done():
                task.cancel()

    # -- what the options mean ---------------------------------------------------------------------
    def seal_trained(self) -> bool:
        return bool(getattr(self.res.seal_model, "trained", False))

    def seal_behind_asr(self) -> bool:
        return bool(getattr(self.res.seal_model, "behind_asr", False))

    def answer_from(self) -> str:
        """Whose passages the answer reads: the one asked for if it runs; with "auto", the fused ranking
        where both pipelines run (never SEAL's alone over ASR's: a template dev set can put SEAL ahead
        while people's own questions put it far behind), the ASR pipeline's while no SEAL
        checkpoint is loaded or its recorded dev eval puts the fused ranking behind ASR's, else the
        one that runs."""
        pipelines = self.opts.pipelines
        if self.opts.answer_from in pipelines:
            return self.opts.answer_from
        if "fused" in pipelines:
            return "fused" if self.seal_trained() and not self._fused_behind_asr() else "asr"
        return pipelines[0]

    def _fused_behind_asr(self) -> bool:
        config = getattr(self.res.seal_model, "config", None)
        return bool(config and config.trails_asr("fused"))

    def live_on(self) -> bool:
        return bool(self.opts.live and self.settings.live_hits and self.opts.mode == "vad" and "seal" in self.opts.pipelines)

    async def _error(self, code: str, message: str, utterance: int) -> None:
        await self.send(ev.Error(code=code, message=redact(message, self.settings), utterance=utterance))

    # -- the end of an utterance -------------------------------------------------------------------
    async def _utterance_done(self, event: UtteranceEnd) -> None:
        ended = time.perf_counter()
        n = event.utterance
        await self.send(
            ev.VadEnd(utterance=n, start_ms=event.start_ms, end_ms=event.end_ms, duration_ms=round(event.duration_ms, 1),
                      reason=event.reason, truncated=event.truncated)
        )
        if event.truncated:
            limit = event.max_utterance_s
            await self._error("utterance_too_long", f"the utterance passed the {limit:.0f} s limit and was cut there; the results are for its first {limit:.0f} s", n)
        live, self.live = self._reusable_live(event), None  # from here on, no partials for this utterance
        if len(self.pending) >= MAX_PENDING:
            await self._error("busy", "still working on the previous questions; this one was dropped, ask again in a moment", n)
            return
        opts = self.opts.model_copy(update={"answer_from": self.answer_from()})
        task = asyncio.create_task(self._process(n, event.audio, ended, opts, live))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    # -- live hits ---------------------------------------------------------------------------------
    def _start_live(self, event: UtterancePause) -> None:
        """Search the speech so far, unless live hits are off or a live search is still running
        (this session's, or ``live_max_running`` over all sessions): then the pause is skipped."""
        now = time.perf_counter()
        if not self.live_on() or (self._live_task and not self._live_task.done()):
            return
        if (now - self._live_at) * 1000 < self.settings.live_interval_ms:
            return
        if not self.res.live_slots.acquire(blocking=False):
            return
        self._live_at = now
        live = LiveSearch(event.utterance, event.voiced_end_ms, event.audio_ms)
        live.task = self._live_task = asyncio.create_task(self._run_live(live, event.audio, self.opts))
        self.live = live

    async def _run_live(self, live: LiveSearch, audio: np.ndarray, opts: ev.SessionOptions) -> RetrievalResult | None:
        depth = FUSION.depth(opts.k) if "fused" in opts.pipelines else opts.k
        try:
            result, _ = await self.res.run_pipeline(
                "seal", _release_after, self.res.live_slots, _timed_run, self.res.pipelines["seal"], audio, opts.collection, depth
            )
        except Exception:  # noqa: BLE001 - a failed live search only means the final search runs as usual
            log.exception("live search failed")
            return None
        if self.live is live and not self.closed:  # the turn is still open: show the hits as provisional
            await self.send(ev.RetrievalPartial(utterance=live.utterance, pipeline="seal", hits=[h.to_dict() for h in result.hits[: opts.k]],
                                                audio_ms=live.audio_ms, timings_ms=result.timings_ms))
        return result

    def _reusable_live(self, end: UtteranceEnd) -> asyncio.Task | None:
        """The live search to reuse for this utterance's final SEAL hits: one that heard all of it."""
        live = self.live
        if live is None or live.utterance != end.utterance or end.voiced_end_ms is None:
            return None
        return live.task if live.voiced_end_ms == end.voiced_end_ms else None

    # -- pipelines and answer ----------------------------------------------------------------------
    async def _process(self, n: int, audio: np.ndarray, ended: float, opts: ev.SessionOptions, live: asyncio.Task | None = None) -> None:
        depth = FUSION.depth(opts.k) if "fused" in opts.pipelines else opts.k
        jobs = [self._retrieve(name, n, audio, ended, opts.collection, opts.k, depth, live if name == "seal" else None)
                for name in opts.pipelines if name != "fused"]
        results = [r for r in await asyncio.gather(*jobs) if r is not None]
        if "fused" in opts.pipelines:
            results += [fused for fused in [await self._fuse(n, results, ended, opts.k)] if fused]
        for result in results:
            result.hits = result.hits[: opts.k]  # fusion read deeper lists; the answer reads the top k
        log.info(
            "session %s utterance %d (%.1f s): %s", self.name, n, audio.size / SAMPLE_RATE,
            ", ".join(f"{r.pipeline} {r.timings_ms.get('end_to_hits', 0):.0f} ms" for r in results) or "no results",
        )
        if not results or not opts.answer or n != self.current or self.closed:
            return  # nothing to answer from, answers off, or the user already asked something new
        self.answers.start(n, audio, results, opts.answer_from)

    async def _retrieve(self, name: str, n: int, audio: np.ndarray, ended: float, collection: str, k: int, depth: int,
                        live: asyncio.Task | None = None) -> RetrievalResult | None:
        result = await _reuse(live) if live else None
        reused = result is not None
        if not reused:
            queued = time.perf_counter()
            try:
                result, started = await self.res.run_pipeline(name, _timed_run, self.res.pipelines[name], audio, collection, depth)
            except Exception as exc:  # noqa: BLE001 - one pipeline failing must not end the session
                log.exception("pipeline %s failed", name)
                await self._error("pipeline_failed", f"the {name} pipeline failed: {exc}", n)
                return None
            result.timings_ms["wait"] = round((started - queued) * 1000, 1)
        result.timings_ms["end_to_hits"] = round((time.perf_counter() - ended) * 1000, 1)
        await self._send_result(n, result, k, from_partial=reused)
        if result.transcript is not None:
            await self.send(ev.Transcript(utterance=n, text=result.transcript))
        return result

    async def _fuse(self, n: int, results: list[RetrievalResult], ended: float, k: int) -> RetrievalResult | None:
        """The fused ranking, once SEAL's and ASR's hits are both in (microseconds: on the loop)."""
        by_name = {r.pipeline: r for r in results}
        if "seal" not in by_name or "asr" not in by_name:
            return None  # one of them failed: its error went out, the other's hits stand alone
        fused = FUSION.run(by_name["seal"], by_name["asr"], FUSION.depth(k))
        fused.timings_ms["end_to_hits"] = round((time.perf_counter() - ended) * 1000, 1)
        await self._send_result(n, fused, k)
        return fused

    async def _send_result(self, n: int, result: RetrievalResult, k: int, from_partial: bool = False) -> None:
        await self.send(ev.Retrieval(utterance=n, pipeline=result.pipeline, hits=[h.to_dict() for h in result.hits[:k]],
                                     timings_ms=result.timings_ms, transcript=result.transcript, from_partial=from_partial))


async def _reuse(live: asyncio.Task) -> RetrievalResult | None:
    """A copy of a live search's result (it may still be running: wait for it), None if it failed."""
    try:
        shared = await asyncio.shield(live)
    except Exception:  # noqa: BLE001 - logged by the live search; the final search runs instead
        return None
    if shared is None:
        return None
    return replace(shared, hits=list(shared.hits), timings_ms=dict(shared.timings_ms))


def _timed_run(pipeline, audio: np.ndarray, collection: str, k: int) -> tuple[RetrievalResult, float]:
    started = time.perf_counter()
    return pipeline.run(audio, collection, k), started


def _release_after(slot, fn, *args):
    """Run ``fn`` on a worker, then free the live-search slot it holds (also if it fails)."""
    try:
        return fn(*args)
    finally:
        slot.release()
