"""The websocket protocol as pydantic models: what the client may send, what the server sends back.

Client -> server (JSON text messages; audio goes as binary frames of 16-bit little-endian mono PCM):
- ``start``  {sample_rate, pipelines: ["seal", "asr"], collection, mode: "vad"|"ptt", k, vad: {...}}
- ``stop``   end of push-to-talk (or of the stream: flushes speech in progress)
- ``reset``  forget the conversation: history, any utterance in progress, a streaming answer
- ``config`` change any ``start`` field mid-session (only the fields given)

Server -> client (JSON): ``ready``, ``vad.start``, ``retrieval.partial`` (live hits while the person
is still talking), ``vad.end``, ``retrieval``, ``transcript``, ``answer.delta``, ``answer.done``, ``error``. Every event about an utterance carries its number
(``utterance``), so a client can tell a late result of the previous question from the current one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

Pipeline = Literal["seal", "asr", "fused"]  # fused: one ranking from seal's and asr's hits (it runs both)
MAX_SAMPLE_RATE = 192_000
# A collection name the clients may use: one folder name in either embedded engine (no path tricks).
COLLECTION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class ProtocolError(Exception):
    """A message the session cannot use; ``code`` is stable, ``message`` says what to send instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- client messages ------------------------------------------------------------------------------


class VadOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aggressiveness: int | None = Field(None, ge=0, le=3)
    frame_ms: Literal[10, 20, 30] | None = None
    start_frames: int | None = Field(None, ge=1, le=20)
    end_silence_ms: int | None = Field(None, ge=60, le=5000)
    pre_roll_ms: int | None = Field(None, ge=0, le=2000)


class SessionOptions(BaseModel):
    """The fields ``start`` sets and ``config`` changes (None: not given).

    Also a session's options in force: the same model with every field set (app/session.py's
    ``default_options`` and ``updated_options``), so the option list exists once."""

    model_config = ConfigDict(extra="forbid")

    sample_rate: int | None = Field(None, ge=8000, le=MAX_SAMPLE_RATE)
    pipelines: list[Pipeline] | None = Field(None, min_length=1)
    collection: str | None = Field(None, pattern=COLLECTION_PATTERN, description="letters, digits, '.', '_', '-'")
    mode: Literal["vad", "ptt"] | None = None
    k: int | None = Field(None, ge=1, le=50)
    answer: bool | None = None  # false: retrieval only
    # whose passages the answer reads; "auto": the fused ranking where both run, else the one that runs
    answer_from: Pipeline | Literal["auto"] | None = None
    live: bool | None = None  # live hits (retrieval.partial) at pauses while the person talks; the server's live_hits must be on
    vad: VadOptions | None = None

    @field_validator("pipelines")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value else value


class Start(SessionOptions):
    type: Literal["start"]


class Config(SessionOptions):
    type: Literal["config"]


class Stop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["stop"]


class Reset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["reset"]


ClientMessage = Annotated[Start | Config | Stop | Reset, Field(discriminator="type")]
_client_adapter: TypeAdapter[Start | Config | Stop | Reset] = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("start", "config", "stop", "reset")


def parse_client_message(text: str) -> Start | Config | Stop | Reset:
    """One JSON text message -> a typed message, or ``ProtocolError`` naming what is wrong."""
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProtocolError("bad_json", f"not valid JSON ({exc}); send e.g. {{\"type\": \"start\"}}") from None
    if not isinstance(data, dict) or "type" not in data:
        raise ProtocolError("bad_message", f"a message is a JSON object with a \"type\" ({', '.join(CLIENT_TYPES)})")
    if data["type"] not in CLIENT_TYPES:
        raise ProtocolError("unknown_message", f"unknown message type {data['type']!r}; known: {', '.join(CLIENT_TYPES)}")
    try:
        return _client_adapter.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or err['loc'][0]}: {err['msg']}" for err in exc.errors()
        )
        raise ProtocolError(f"bad_{data['type']}", f"{data['type']}: {problems}") from None


# -- server events --------------------------------------------------------------------------------


class Event(BaseModel):
    type: str

    def to_json(self) -> str:
        return self.model_dump_json()


class Ready(Event):
    type: Literal["ready"] = "ready"
    session: str
    sample_rate: int
    pipelines: list[str]
    collection: str
    mode: str
    k: int
    answer: bool  # false when answers are off or no answerer is installed
    answer_from: str
    live: bool = False  # retrieval.partial events will come (hands-free mode, seal running, live hits on)
    seal_trained: bool = True  # false: no SEAL checkpoint loaded, SEAL's hits are not meaningful
    seal_behind_asr: bool = False  # the checkpoint's own dev eval: SEAL Top-1 below ASR + text's
    answerer: str | None = None  # what answers, e.g. the vLLM model, or the extractive fallback
    answer_source: str | None = None  # "llm" | "fallback"
    vad: dict[str, Any]
    limits: dict[str, float]


class VadStart(Event):
    type: Literal["vad.start"] = "vad.start"
    utterance: int
    start_ms: float


class VadEnd(Event):
    type: Literal["vad.end"] = "vad.end"
    utterance: int
    start_ms: float
    end_ms: float
    duration_ms: float
    reason: str  # silence | max_length | stop | too_short
    truncated: bool = False
    discarded: bool = False  # too short to be speech: no results follow


class Retrieval(Event):
    type: Literal["retrieval"] = "retrieval"
    utterance: int
    pipeline: str
    hits: list[dict[str, Any]]
    timings_ms: dict[str, float]
    transcript: str | None = None
    from_partial: bool = False  # the last live search covered the whole utterance: its hits, sent at once


class RetrievalPartial(Event):
    """Live hits: SEAL on the speech so far, at a pause while the person may still go on (provisional)."""

    type: Literal["retrieval.partial"] = "retrieval.partial"
    utterance: int
    pipeline: str
    hits: list[dict[str, Any]]
    audio_ms: float  # how much audio (from the utterance's start, pre-roll included) the search covered
    timings_ms: dict[str, float]


class Transcript(Event):
    type: Literal["transcript"] = "transcript"
    utterance: int
    text: str


class AnswerDelta(Event):
    type: Literal["answer.delta"] = "answer.delta"
    utterance: int
    text: str


class AnswerDone(Event):
    type: Literal["answer.done"] = "answer.done"
    utterance: int
    text: str
    citations: list[str]
    ttft_ms: float | None = None
    source: str | None = None  # "llm" | "fallback"
    error: str | None = None
    cancelled: bool = False  # barge-in: a new utterance started while this answer streamed


class Error(Event):
    type: Literal["error"] = "error"
    code: str
    message: str
    utterance: int | None = None
