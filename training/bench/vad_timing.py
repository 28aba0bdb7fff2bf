"""How long the VAD takes to say "the utterance is over", measured the way the server meets it.

The spoken query is placed in a stream (lead-in silence, the clip, trailing silence, all with a faint
room-noise floor) and fed to the server's own ``VadSegmenter`` in 20 ms frames, as the browser sends
them. Two parts make the end-of-speech decision:

- ``hangover_ms``: stream time from the real end of speech (last 10 ms with speech energy, see
  ``speech_bounds``) to the end of the frame after which the segmenter emitted ``SpeechEnd``. A live
  user waits this long in real time, by design (``end_silence_ms``);
- ``processing_ms``: wall-clock cost of the ``feed`` call that emitted it (the other frames are
  processed while the user is still talking or silent, so they add nothing to the wait).

With ``pause_ms`` in the config, the pauses inside the (last) utterance come back too, with their
stream time: where the server would start a live search (``live.py`` replays them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from models.vad import SpeechEnd, SpeechPause, SpeechStart, VadConfig, VadSegmenter
from training.bench.queries import SAMPLE_RATE, SpokenQuery

FRAME_MS = 20
LEAD_S = 0.6  # longer than the segmenter's warm-up
NOISE_DBFS = -60.0


@dataclass
class PauseAt:
    """A pause inside the utterance: when the VAD saw it (stream seconds) and the speech so far."""

    stream_s: float
    audio: np.ndarray = field(repr=False)
    voiced_end_ms: float


@dataclass
class VadTiming:
    hangover_ms: float | None  # None: the VAD never ended an utterance
    processing_ms: float | None
    segments: int  # utterances the VAD cut from this clip (1 is right)
    audio: np.ndarray | None = field(default=None, repr=False)  # what the server's pipelines would get
    pauses: list[PauseAt] = field(default_factory=list)  # inside the last utterance, in order
    voiced_end_ms: float | None = None  # the last SpeechEnd's (a pause with the same one heard it all)
    decided_s: float | None = None  # stream time the end of turn was declared (before its processing)

    @property
    def total_ms(self) -> float | None:
        if self.hangover_ms is None or self.processing_ms is None:
            return None
        return self.hangover_ms + self.processing_ms


def stream_for(query: SpokenQuery, trailing_s: float, seed: int = 0) -> tuple[np.ndarray, float]:
    """(stream float32, stream time in seconds of the real end of speech)."""
    rng = np.random.default_rng(seed)
    lead = int(LEAD_S * SAMPLE_RATE)
    stream = np.concatenate(
        [np.zeros(lead, np.float32), query.audio.astype(np.float32), np.zeros(int(trailing_s * SAMPLE_RATE), np.float32)]
    )
    stream += rng.standard_normal(stream.size).astype(np.float32) * 10 ** (NOISE_DBFS / 20)
    return stream, LEAD_S + query.speech_end_s


def time_vad(query: SpokenQuery, config: VadConfig | None = None) -> VadTiming:
    config = config or VadConfig()
    segmenter = VadSegmenter(config)
    stream, speech_end_s = stream_for(query, trailing_s=config.end_silence_ms / 1000 + 1.0)
    step = SAMPLE_RATE * FRAME_MS // 1000
    ends: list[tuple[SpeechEnd, float, float]] = []  # (event, stream time of decision, feed cost ms)
    pauses: list[PauseAt] = []
    for first in range(0, stream.size - step + 1, step):
        started = time.perf_counter()
        events = segmenter.feed(stream[first : first + step])
        cost = (time.perf_counter() - started) * 1000
        for event in events:
            if isinstance(event, SpeechStart):
                pauses = []  # only the last utterance's pauses matter
            elif isinstance(event, SpeechPause):
                pauses.append(PauseAt((first + step) / SAMPLE_RATE, event.audio, event.voiced_end_ms))
            elif isinstance(event, SpeechEnd):
                ends.append((event, (first + step) / SAMPLE_RATE, cost))
    if not ends:
        return VadTiming(None, None, 0, None)
    last, decided_s, cost = ends[-1]
    # When the VAD split the clip (a long pause inside the sentence), the decision that matters is the
    # last one; the pipelines get the whole spoken part, as if the split had not happened.
    audio = last.audio if len(ends) == 1 else _spoken_part(query)
    return VadTiming(round((decided_s - speech_end_s) * 1000, 3), round(cost, 3), len(ends), audio, pauses,
                     last.voiced_end_ms, decided_s)


def _spoken_part(query: SpokenQuery) -> np.ndarray:
    pad = int(0.1 * SAMPLE_RATE)
    start = max(0, int(query.speech_start_s * SAMPLE_RATE) - pad)
    return query.audio[start : int(query.speech_end_s * SAMPLE_RATE) + pad]
