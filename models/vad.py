"""Cutting a live microphone stream into utterances with webrtcvad.

A small processor in the style of pipecat's frame processors: feed it PCM of any chunk size, get back
typed events. ``SpeechStart`` says an utterance began (at the first voiced frame of the run that
triggered it); ``SpeechEnd`` carries the utterance audio (with pre-roll, so the first syllable that
webrtcvad needs a few frames to believe in is kept) and its boundaries in stream time.

Two modes:
- ``vad`` (hands-free): speech starts after ``start_frames`` voiced frames in a row and ends after
  ``end_silence_ms`` without a voiced frame (the hangover);
- ``ptt`` (push-to-talk): everything between the first frame and ``stop()`` is one utterance.

An utterance that reaches ``max_utterance_s`` is cut there and flagged ``truncated``; in VAD mode the
rest of that speech is skipped until the next silence, so one long monologue gives one result, not a
stream of fragments.

With ``pause_ms`` set (VAD mode), a shorter silence inside an utterance gives a ``SpeechPause``: the
audio so far, cut as ``SpeechEnd`` would cut it if the turn ended there. The session searches it for
live hits while the person may still go on (``retrieval.partial``); ``voiced_end_ms`` on both events
tells whether any speech came after a pause.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import webrtcvad

from models.audio import SAMPLE_RATE

FRAME_MS_CHOICES = (10, 20, 30)
Mode = Literal["vad", "ptt"]


@dataclass
class VadConfig:
    """How the stream is cut; every field can be changed per session (the websocket ``config``)."""

    mode: Mode = "vad"
    frame_ms: int = 30
    aggressiveness: int = 2  # webrtcvad 0 (lenient) .. 3 (strict about what counts as speech)
    start_frames: int = 3  # voiced frames in a row before we believe speech started
    end_silence_ms: int = 450  # hangover: silence that ends an utterance
    pre_roll_ms: int = 300  # audio kept from before the detected start
    post_roll_ms: int = 90  # audio kept after the last voiced frame
    max_utterance_s: float = 30.0
    min_utterance_ms: int = 200  # shorter voiced bursts (clicks, coughs) are dropped
    warmup_ms: int = 120  # webrtcvad calls anything speech until its noise model settles
    pause_ms: int = 0  # silence inside an utterance that gives a SpeechPause (0: none); below end_silence_ms

    def __post_init__(self) -> None:
        if self.frame_ms not in FRAME_MS_CHOICES:
            raise ValueError(f"frame_ms must be one of {FRAME_MS_CHOICES}, not {self.frame_ms}")
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError(f"aggressiveness must be 0..3, not {self.aggressiveness}")
        if self.start_frames < 1:
            raise ValueError("start_frames must be at least 1")
        if self.mode not in ("vad", "ptt"):
            raise ValueError(f"mode must be 'vad' or 'ptt', not {self.mode!r}")
        if self.max_utterance_s <= 0:
            raise ValueError("max_utterance_s must be positive")
        if self.pause_ms < 0:
            raise ValueError(f"pause_ms must be 0 (no pause events) or positive, not {self.pause_ms}")

    @property
    def frame_samples(self) -> int:
        return SAMPLE_RATE * self.frame_ms // 1000


@dataclass
class SpeechStart:
    start_ms: float


@dataclass
class SpeechEnd:
    audio: np.ndarray = field(repr=False)  # float32 16 kHz, pre-roll .. post-roll
    start_ms: float  # first voiced frame (stream time)
    end_ms: float  # end of the last voiced frame, or the cut / stop point
    reason: Literal["silence", "max_length", "stop"]
    truncated: bool = False
    voiced_end_ms: float | None = None  # the last voiced frame's end (None: cut mid-speech, audio kept whole)

    @property
    def duration_ms(self) -> float:
        return self.end_ms - self.start_ms


@dataclass
class SpeechPause:
    """A short silence inside an utterance (``pause_ms``): the speech so far, cut like a ``SpeechEnd``.

    If the next event is a ``SpeechEnd`` with the same ``voiced_end_ms``, nothing was said after
    the pause and both carry the same speech."""

    audio: np.ndarray = field(repr=False)
    start_ms: float
    end_ms: float  # refined end of speech so far
    voiced_end_ms: float


@dataclass
class SpeechCancel:
    """A start that turned out too short to be an utterance (a click, a cough): nothing to process."""

    start_ms: float
    end_ms: float


VadEvent = SpeechStart | SpeechEnd | SpeechCancel | SpeechPause


class VadSegmenter:
    """Feed 16 kHz mono audio (int16 or float32 numpy, any length); get ``SpeechStart``/``SpeechEnd``."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        self.reset()

    def reset(self) -> None:
        """Forget everything: partial frame, history, any utterance in progress."""
        cfg = self.config
        self._pending = np.zeros(0, dtype=np.int16)  # samples not yet making a whole frame
        self._frames_seen = 0
        self._history: deque[np.ndarray] = deque(maxlen=max(1, cfg.pre_roll_ms // cfg.frame_ms) + cfg.start_frames)
        self._voiced_run = 0
        self._in_speech = False
        self._skipping = False  # after a max-length cut, until the next silence
        self._speech: list[np.ndarray] = []
        self._start_ms = 0.0
        self._last_voiced_end_ms = 0.0
        self._silence_frames = 0
        self._pre_roll_frames = 0

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def position_ms(self) -> float:
        return self._frames_seen * self.config.frame_ms

    def feed(self, audio: np.ndarray) -> list[VadEvent]:
        """Process a chunk; returns the events it completed (often none)."""
        samples = _to_int16(audio)
        if self._pending.size:
            samples = np.concatenate([self._pending, samples])
        n = self.config.frame_samples
        whole = samples.size // n * n
        self._pending = samples[whole:].copy()
        events: list[VadEvent] = []
        for start in range(0, whole, n):
            events.extend(self._frame(samples[start : start + n]))
        return events

    def stop(self) -> list[VadEvent]:
        """The client stopped sending (push-to-talk release, end of stream): close any utterance."""
        if self._pending.size and self._in_speech:
            self._speech.append(self._pending)
        self._pending = np.zeros(0, dtype=np.int16)
        events: list[VadEvent] = []
        if self._in_speech:
            end_ms = self.position_ms if self.config.mode == "ptt" else max(self._last_voiced_end_ms, self._start_ms)
            events.append(self._finish(end_ms, "stop", truncated=False, keep_all=self.config.mode == "ptt"))
        self._skipping = False
        self._voiced_run = 0
        return events

    # -- per frame -------------------------------------------------------------------------------------
    def _frame(self, frame: np.ndarray) -> list[VadEvent]:
        cfg = self.config
        frame_start = self.position_ms
        self._frames_seen += 1
        frame_end = self.position_ms
        if cfg.mode == "ptt":
            return self._ptt_frame(frame, frame_start)
        voiced = self._vad.is_speech(frame.tobytes(), SAMPLE_RATE) and frame_start >= cfg.warmup_ms
        if self._skipping:
            self._silence_frames = 0 if voiced else self._silence_frames + 1
            if self._silence_frames * cfg.frame_ms >= cfg.end_silence_ms:
                self._skipping = False
            return []
        if not self._in_speech:
            return self._idle_frame(frame, voiced, frame_start)
        self._speech.append(frame)
        if voiced:
            self._last_voiced_end_ms = frame_end
            self._silence_frames = 0
        else:
            self._silence_frames += 1
        if frame_end - self._start_ms >= cfg.max_utterance_s * 1000:
            self._skipping = voiced or self._silence_frames * cfg.frame_ms < cfg.end_silence_ms
            self._silence_frames = 0
            return [self._finish(frame_end, "max_length", truncated=True, keep_all=True)]
        if self._silence_frames * cfg.frame_ms >= cfg.end_silence_ms:
            end = self._finish(self._last_voiced_end_ms, "silence", truncated=False, keep_all=False)
            if end.duration_ms < cfg.min_utterance_ms:
                return [SpeechCancel(end.start_ms, end.end_ms)]
            return [end]
        if cfg.pause_ms and self._silence_frames == -(-cfg.pause_ms // cfg.frame_ms):  # once per pause
            return self._pause()
        return []

    def _pause(self) -> list[VadEvent]:
        audio, end_ms = self._cut(self._last_voiced_end_ms)
        if end_ms - self._start_ms < self.config.min_utterance_ms:
            return []  # a click so far: nothing worth searching
        return [SpeechPause(audio.astype(np.float32) / 32768.0, self._start_ms, end_ms, self._last_voiced_end_ms)]

    def _idle_frame(self, frame: np.ndarray, voiced: bool, frame_start: float) -> list[VadEvent]:
        cfg = self.config
        self._history.append(frame)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        if self._voiced_run < cfg.start_frames:
            return []
        # The run that convinced us is speech already; it starts start_frames - 1 frames back.
        self._in_speech = True
        self._start_ms = frame_start - (cfg.start_frames - 1) * cfg.frame_ms
        self._last_voiced_end_ms = frame_start + cfg.frame_ms
        self._silence_frames = 0
        self._speech = list(self._history)  # pre-roll + the triggering run
        self._pre_roll_frames = len(self._history) - cfg.start_frames
        self._history.clear()
        return [SpeechStart(self._start_ms)]

    def _ptt_frame(self, frame: np.ndarray, frame_start: float) -> list[VadEvent]:
        events: list[VadEvent] = []
        if self._skipping:
            return events
        if not self._in_speech:
            self._in_speech = True
            self._start_ms = frame_start
            self._speech = []
            self._pre_roll_frames = 0
            events.append(SpeechStart(frame_start))
        self._speech.append(frame)
        if self.position_ms - self._start_ms >= self.config.max_utterance_s * 1000:
            self._skipping = True  # until the client's stop
            events.append(self._finish(self.position_ms, "max_length", truncated=True, keep_all=True))
        return events

    # -- closing an utterance --------------------------------------------------------------------------
    def _finish(self, end_ms: float, reason: str, truncated: bool, keep_all: bool) -> SpeechEnd:
        voiced_end = None if keep_all else end_ms
        if keep_all:
            audio = np.concatenate(self._speech) if self._speech else np.zeros(0, dtype=np.int16)
        else:
            audio, end_ms = self._cut(end_ms)
        event = SpeechEnd(audio.astype(np.float32) / 32768.0, self._start_ms, end_ms, reason, truncated, voiced_end)  # type: ignore[arg-type]
        self._drop()
        return event

    def _cut(self, end_ms: float) -> tuple[np.ndarray, float]:
        """The utterance's audio up to ``end_ms`` pulled back over the quiet tail, plus post-roll."""
        cfg = self.config
        audio = np.concatenate(self._speech) if self._speech else np.zeros(0, dtype=np.int16)
        pre = self._pre_roll_frames * cfg.frame_samples
        end_idx = pre + int((end_ms - self._start_ms) * SAMPLE_RATE / 1000)
        end_idx = _refine_end(audio, pre, end_idx)
        # Keep post_roll_ms after the end of speech, drop the rest of the hangover.
        return audio[: end_idx + int(cfg.post_roll_ms * SAMPLE_RATE / 1000)], self._start_ms + (end_idx - pre) * 1000 / SAMPLE_RATE

    def _drop(self) -> None:
        self._in_speech = False
        self._speech = []
        self._voiced_run = 0
        self._silence_frames = 0


def _to_int16(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.dtype == np.int16:
        return audio.reshape(-1)
    if audio.dtype.kind == "f":
        return (np.clip(audio.reshape(-1), -1.0, 1.0) * 32767.0).astype(np.int16)
    raise TypeError(f"VAD wants int16 or float audio, not {audio.dtype}")


_SUB = SAMPLE_RATE // 100  # 10 ms
_MAX_REFINE_MS = 300


def _refine_end(audio: np.ndarray, speech_idx: int, end_idx: int) -> int:
    """Move the end back over the quiet tail webrtcvad still calls voiced.

    webrtcvad smooths its decisions, so its last voiced frame runs 50-100 ms past the end of the
    words. The hangover after ``end_idx`` is known non-speech: it gives the noise floor, and 10 ms
    steps whose energy is near that floor (or 35 dB under the loudest step) are not speech.
    """
    def rms(chunk: np.ndarray) -> np.ndarray:
        n = chunk.size // _SUB
        if n == 0:
            return np.zeros(0)
        x = chunk[: n * _SUB].astype(np.float64).reshape(n, _SUB)
        return np.sqrt((x**2).mean(axis=1)) + 1e-3

    speech, tail = rms(audio[speech_idx:end_idx]), rms(audio[end_idx:])
    if speech.size == 0 or tail.size == 0:
        return end_idx
    floor = max(float(np.median(tail)) * 2.0, float(speech.max()) * 10 ** (-35 / 20))
    steps = 0
    while steps < min(speech.size - 1, _MAX_REFINE_MS // 10) and speech[speech.size - 1 - steps] < floor:
        steps += 1
    return end_idx - steps * _SUB
