"""Audio intake: a session's binary frames in, numbered utterance events out (no models, no socket).

Small processors in pipecat's style, each usable alone:
- ``frame_problem``: why a binary frame is not 16-bit mono PCM (None when it may well be);
- ``AudioCredit``: a token bucket of audio seconds, so a client stays at most ``burst_s`` ahead of
  real time;
- ``AudioIntake``: both of the above, soxr resampling to 16 kHz, and the VAD (models/vad.py's
  ``VadSegmenter``), whose events it numbers per utterance: ``UtteranceStart``, ``UtterancePause``
  (the speech so far, for live hits), ``UtteranceEnd`` (the utterance's audio) and
  ``UtteranceCancel`` (too short, or dropped by ``reset`` or a new VAD config: nothing to process).

The numbers run on over ``configure`` and ``reset``, so every event of a session names its utterance
uniquely. Decoding, resampling and webrtcvad cost microseconds a frame: callers run this inline.
"""

from __future__ import annotations

import json
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import soxr

from models.audio import pcm16_to_float
from models.vad import SAMPLE_RATE, SpeechCancel, SpeechEnd, SpeechPause, SpeechStart, VadConfig, VadEvent, VadSegmenter

MAX_FRAME_S = 5.0  # one binary message holds at most this much audio
# Container headers that say a frame is an encoded file, not raw PCM.
MAGIC = {b"RIFF": "a WAV file", b"OggS": "Ogg audio", b"fLaC": "FLAC audio", b"ID3": "MP3 audio", b"\x1aE\xdf\xa3": "WebM audio"}


class BadFrame(ValueError):
    """A binary frame that is not 16-bit mono PCM; the message says what it looks like instead."""


class Flood(Exception):
    """Audio arriving more than ``burst_s`` ahead of real time."""


@dataclass
class UtteranceStart:
    utterance: int
    start_ms: float  # stream time of the first voiced frame


@dataclass
class UtterancePause:
    """A short silence inside an utterance: the speech so far, cut as its end would cut it."""

    utterance: int
    audio: np.ndarray = field(repr=False)  # float32 16 kHz
    voiced_end_ms: float  # an UtteranceEnd with the same value heard nothing more

    @property
    def audio_ms(self) -> float:
        return round(self.audio.size * 1000 / SAMPLE_RATE, 1)


@dataclass
class UtteranceEnd:
    utterance: int
    audio: np.ndarray = field(repr=False)  # float32 16 kHz, pre-roll .. post-roll
    start_ms: float
    end_ms: float
    reason: Literal["silence", "max_length", "stop"]
    truncated: bool  # cut at max_utterance_s
    voiced_end_ms: float | None
    max_utterance_s: float  # the limit in force (where a truncated utterance was cut)

    @property
    def duration_ms(self) -> float:
        return self.end_ms - self.start_ms


@dataclass
class UtteranceCancel:
    """An utterance that gives no results: too short to be speech, or dropped mid-speech."""

    utterance: int
    start_ms: float
    end_ms: float
    reason: Literal["too_short", "reset", "config"]


UtteranceEvent = UtteranceStart | UtterancePause | UtteranceEnd | UtteranceCancel


class AudioCredit:
    """Audio seconds a client may still send: refills at real time up to ``burst_s``, so a client can
    send a recording at once but never stay ahead of the clock (idle time does not pile up)."""

    def __init__(self, burst_s: float) -> None:
        self.burst_s = burst_s
        self.refill()

    def refill(self) -> None:
        self._credit_s, self._at = self.burst_s, time.monotonic()

    def spend(self, seconds: float) -> bool:
        """Take ``seconds`` of audio; False when that puts the client beyond its burst."""
        now = time.monotonic()
        self._credit_s = min(self.burst_s, self._credit_s + now - self._at) - seconds
        self._at = now
        return self._credit_s >= 0


class AudioIntake:
    """PCM16 frames at ``sample_rate`` -> utterance events, within the audio credit."""

    def __init__(self, config: VadConfig, sample_rate: int, burst_s: float) -> None:
        self.credit = AudioCredit(burst_s)
        self.utterance = 0  # the latest utterance's number
        self.segmenter: VadSegmenter | None = None
        self.configure(config, sample_rate)

    @property
    def config(self) -> VadConfig:
        return self.segmenter.config

    def configure(self, config: VadConfig, sample_rate: int) -> list[UtteranceEvent]:
        """A new VAD and resampler; an utterance in progress is dropped (``UtteranceCancel`` "config")."""
        dropped = self._drop("config")
        self.sample_rate = sample_rate
        self.segmenter = VadSegmenter(config)
        self.resampler = self._new_resampler()
        return dropped

    def feed(self, data: bytes) -> list[UtteranceEvent]:
        """One binary frame; ``BadFrame`` (the frame is dropped) or ``Flood`` when it cannot be taken."""
        problem = frame_problem(data, self.sample_rate)
        if problem:
            raise BadFrame(problem)
        if not self.credit.spend(len(data) / 2 / self.sample_rate):
            raise Flood(f"audio is arriving more than {self.credit.burst_s:.0f} s ahead of real time; stream at the microphone's pace")
        samples = pcm16_to_float(data)  # frame_problem has checked the byte count
        if self.resampler is not None:
            samples = self.resampler.resample_chunk(samples)
        return self._number(self.segmenter.feed(samples))

    def stop(self) -> list[UtteranceEvent]:
        """The end of push-to-talk or of the stream: the resampler's tail, then any utterance closes."""
        events: list[VadEvent] = []
        if self.resampler is not None:
            tail = self.resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
            self.resampler = self._new_resampler()
            events += self.segmenter.feed(tail)
        return self._number(events + self.segmenter.stop())

    def reset(self) -> list[UtteranceEvent]:
        """Forget the VAD's state; an utterance in progress is dropped (``UtteranceCancel`` "reset")."""
        dropped = self._drop("reset")
        self.segmenter.reset()
        return dropped

    def _new_resampler(self) -> soxr.ResampleStream | None:
        return None if self.sample_rate == SAMPLE_RATE else soxr.ResampleStream(self.sample_rate, SAMPLE_RATE, 1, dtype="float32")

    def _drop(self, reason: Literal["reset", "config"]) -> list[UtteranceEvent]:
        if self.segmenter is None or not self.segmenter.in_speech:
            return []
        return [UtteranceCancel(self.utterance, 0.0, 0.0, reason)]

    def _number(self, vad_events: list[VadEvent]) -> list[UtteranceEvent]:
        out: list[UtteranceEvent] = []
        for event in vad_events:
            if isinstance(event, SpeechStart):
                self.utterance += 1
                out.append(UtteranceStart(self.utterance, event.start_ms))
            elif isinstance(event, SpeechPause):
                out.append(UtterancePause(self.utterance, event.audio, event.voiced_end_ms))
            elif isinstance(event, SpeechCancel):
                out.append(UtteranceCancel(self.utterance, event.start_ms, event.end_ms, "too_short"))
            elif isinstance(event, SpeechEnd):
                out.append(UtteranceEnd(self.utterance, event.audio, event.start_ms, event.end_ms, event.reason,
                                        event.truncated, event.voiced_end_ms, self.config.max_utterance_s))
        return out


def frame_problem(data: bytes, rate: int) -> str | None:
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
