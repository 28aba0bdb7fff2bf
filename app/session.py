"""One websocket conversation: a thin composition of the socket, the audio intake and the conversation.

``Session`` owns the transport: the receive loop, control messages (``start``, ``config``, ``stop``,
``reset``), the options they set, the ``ready`` event, time limits and sending. Binary frames go to
the ``AudioIntake`` (app/intake.py: frame checks, the audio credit, resampling to 16 kHz, the VAD),
whose utterance events go to the ``Conversation`` (app/conversation.py: the pipelines, live hits, the
fused ranking, the answer and its history in app/answering.py), which sends the protocol's events
back through ``Session.send``.

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
import logging
import time
import uuid
from contextlib import suppress

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app import events as ev
from app.conversation import Conversation
from app.intake import MAX_FRAME_S, AudioIntake, BadFrame, Flood
from app.resources import Resources
from app.security import TokenBucket, redact
from app.settings import Settings
from models.vad import SAMPLE_RATE, VadConfig

log = logging.getLogger("seal.session")
VAD_FIELDS = ("aggressiveness", "frame_ms", "start_frames", "end_silence_ms", "pre_roll_ms", "pause_ms")  # what ready shows


class Session:
    def __init__(self, ws: WebSocket, res: Resources) -> None:
        self.ws = ws
        self.res = res
        self.settings = res.settings
        self.id = uuid.uuid4().hex[:8]
        self.started = False
        self.closed = False
        self.intake: AudioIntake | None = None  # made by the first start
        self.conversation = Conversation(res, self.send, default_options(self.settings), self.id)
        self._send_lock = asyncio.Lock()
        self._control = TokenBucket(self.settings.ws_control_per_s, self.settings.ws_control_burst)
        self._opened_at = self._heard_at = time.monotonic()
        self._watchdog: asyncio.TimerHandle | None = None
        self._expiry: asyncio.Task | None = None  # the close a time limit started (kept from garbage collection)

    @property
    def opts(self) -> ev.SessionOptions:
        return self.conversation.opts

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
            self.conversation.close()
            log.info("session %s closed after %d utterances", self.id, self.conversation.current)

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
        self.closed = self.conversation.closed = True
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
            await self.conversation.handle(self.intake.stop())
        elif isinstance(message, ev.Reset):
            await self.conversation.reset()
            await self.conversation.handle(self.intake.reset())
            await self._ready()

    async def _start(self, message: ev.Start) -> None:
        if not await self.res.wait_ready(timeout=600):
            await self.close(1011, "not_ready", f"the server could not load its models: {self.res.error}")
            return
        await self._configure(message, restart=True)

    async def _configure(self, message: ev.SessionOptions, restart: bool) -> None:
        """Apply ``start`` (from the defaults) or ``config`` (on top of the current options)."""
        given = message.model_dump(exclude_none=True, exclude={"type"})
        new = updated_options(default_options(self.settings) if restart else self.opts, given)
        if (restart or "collection" in given) and not await self._collection_ok(new.collection):
            return
        self.conversation.opts = new
        if self.intake is None:
            self.intake = AudioIntake(vad_config(self.settings, new), new.sample_rate, self.settings.ws_burst_s)
        elif restart or any(k in given for k in ("mode", "vad", "sample_rate")):
            await self.conversation.handle(self.intake.configure(vad_config(self.settings, new), new.sample_rate))
        if restart:
            was_started, self.started = self.started, True
            self.intake.credit.refill()
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

    async def _ready(self) -> None:
        cfg, opts, talk = self.intake.config, self.opts, self.conversation
        await self.send(
            ev.Ready(
                session=self.id,
                sample_rate=opts.sample_rate,
                pipelines=opts.pipelines,
                collection=opts.collection,
                mode=opts.mode,
                k=opts.k,
                answer=opts.answer,
                answer_from=talk.answer_from(),
                live=talk.live_on(),
                seal_trained=talk.seal_trained(),
                seal_behind_asr=talk.seal_behind_asr(),
                answerer=self.res.answerer.label,
                answer_source=self.res.answerer.source,
                vad={k: getattr(cfg, k) for k in VAD_FIELDS},
                limits={"max_utterance_s": cfg.max_utterance_s, "burst_s": self.settings.ws_burst_s, "max_frame_s": MAX_FRAME_S},
            )
        )

    # -- audio ------------------------------------------------------------------------------------
    async def _on_audio(self, data: bytes) -> None:
        if not self.started:
            await self.error("not_started", "audio arrived before {\"type\": \"start\"}; send start first (the frame was dropped)")
            return
        try:
            events = self.intake.feed(data)
        except BadFrame as exc:
            await self.error("bad_frame", f"{exc} (the frame was dropped)")
            return
        except Flood as exc:
            await self.close(1008, "flood", str(exc))
            return
        await self.conversation.handle(events)


# -- options ----------------------------------------------------------------------------------------
def default_options(settings: Settings) -> ev.SessionOptions:
    """What a session starts from before its ``start`` message's fields (all of them set)."""
    # model_construct: the server's own settings need not pass the limits put on clients (e.g. k <= 50)
    return ev.SessionOptions.model_construct(
        sample_rate=SAMPLE_RATE, pipelines=["seal"], collection=settings.collection, mode="vad", k=settings.top_k,
        answer=True, answer_from="auto", live=settings.live_hits, vad=ev.VadOptions(),
    )


def updated_options(base: ev.SessionOptions, given: dict) -> ev.SessionOptions:
    """``base`` with the fields a client gave replaced (``vad`` field by field); pipelines with fusion."""
    vad = base.vad.model_copy(update=given.get("vad", {}))
    new = base.model_copy(update={**given, "vad": vad})
    new.pipelines = with_fusion(new.pipelines)
    return new


def with_fusion(pipelines: list[str]) -> list[str]:
    """``fused`` runs seal and asr; seal and asr together also give ``fused`` (it costs microseconds)."""
    wanted = set(pipelines)
    if "fused" in wanted or {"seal", "asr"} <= wanted:
        wanted |= {"seal", "asr", "fused"}
    return [p for p in ("seal", "asr", "fused") if p in wanted]


def vad_config(settings: Settings, opts: ev.SessionOptions) -> VadConfig:
    """The VAD a session's options ask for, on the server's settings."""
    cfg = dict(
        mode=opts.mode,
        aggressiveness=settings.vad_aggressiveness,
        end_silence_ms=settings.vad_end_silence_ms,
        max_utterance_s=settings.max_audio_seconds,
        # pauses are always found when the server allows live hits; the session option decides their use
        pause_ms=settings.live_pause_ms if settings.live_hits else 0,
    )
    return VadConfig(**{**cfg, **opts.vad.model_dump(exclude_none=True)})
