"""The VAD segmenter on real synthesized speech with silence and noise between the utterances.

Truth: where each utterance was placed in the composed signal, trimmed of the TTS engine's own
leading and trailing silence (10 ms steps quieter than 40 dB under the loudest step).
"""

from __future__ import annotations

import numpy as np
import pytest

from models.vad import SpeechCancel, SpeechEnd, SpeechPause, SpeechStart, VadConfig, VadSegmenter
from speech import have, synthesize

RATE = 16_000
TOLERANCE_MS = 100
QUESTIONS = [
    ("What is the capital of France?", "espeak:en-us"),
    ("How do solar panels make electricity?", "flite:kal"),
    ("Tell me about the history of jazz.", "festival:kal_diphone"),
    ("Where do penguins live?", "espeak:en-us"),
    ("Which planet has the most moons?", "flite:kal"),
]


def _speech_extent(audio: np.ndarray, rel_db: float = -40.0) -> tuple[int, int]:
    step = RATE // 100
    n = audio.size // step
    energy = np.sqrt((audio[: n * step].reshape(n, step) ** 2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(energy / energy.max()) > rel_db)
    return int(loud[0]) * step, int(loud[-1] + 1) * step


@pytest.fixture(scope="module")
def conversation() -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Five questions from three TTS engines; gaps hold background noise and one loud noise burst."""
    if not all(have(e) for e in ("espeak", "flite", "festival")):
        pytest.skip("needs espeak-ng, flite and festival")
    rng = np.random.default_rng(7)
    parts, truth, pos = [], [], 0
    for i, (text, voice) in enumerate(QUESTIONS):
        gap = np.zeros(int(RATE * (0.9 + 0.35 * i)), dtype=np.float32)
        if i == 2:  # a 120 ms clatter in the middle of a gap must not become an utterance
            mid = gap.size // 2
            gap[mid : mid + RATE * 12 // 100] = rng.normal(0, 0.05, RATE * 12 // 100)
        parts.append(gap)
        pos += gap.size
        audio = synthesize(text, voice)
        audio = audio / np.abs(audio).max() * 0.5
        start, end = _speech_extent(audio)
        truth.append(((pos + start) * 1000 / RATE, (pos + end) * 1000 / RATE))
        parts.append(audio)
        pos += audio.size
    parts.append(np.zeros(RATE, dtype=np.float32))
    signal = np.concatenate(parts)
    signal += rng.normal(0, 0.005, signal.size).astype(np.float32)  # ~ -46 dBFS hiss throughout
    return signal.astype(np.float32), truth


def _run(segmenter: VadSegmenter, signal: np.ndarray, chunk: int) -> list:
    events = []
    for start in range(0, signal.size, chunk):
        events += segmenter.feed(signal[start : start + chunk])
    return events + segmenter.stop()


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
@pytest.mark.parametrize("aggressiveness", [2, 3])
def test_utterances_found_with_boundaries_within_100ms(conversation, frame_ms, aggressiveness):
    signal, truth = conversation
    # 1234 samples: chunks that never line up with VAD frames, as a browser's worklet would send.
    events = _run(VadSegmenter(VadConfig(frame_ms=frame_ms, aggressiveness=aggressiveness)), signal, 1234)
    ends = [e for e in events if isinstance(e, SpeechEnd)]
    assert len(ends) == len(truth)
    for event, (t_start, t_end) in zip(ends, truth):
        assert abs(event.start_ms - t_start) <= TOLERANCE_MS, (event.start_ms, t_start)
        assert abs(event.end_ms - t_end) <= TOLERANCE_MS, (event.end_ms, t_end)
        assert event.reason == "silence" and not event.truncated
    # Every start is closed, by an utterance or by a cancel (the noise burst may open one).
    kinds = [type(e) for e in events]
    assert kinds[0::2] == [SpeechStart] * (len(kinds) // 2)
    assert all(k in (SpeechEnd, SpeechCancel) for k in kinds[1::2])
    for cancel in (e for e in events if isinstance(e, SpeechCancel)):
        assert truth[1][1] < cancel.start_ms < truth[2][0]  # only the clatter, never a question


def test_pre_roll_keeps_the_first_syllable(conversation):
    signal, truth = conversation
    cfg = VadConfig(pre_roll_ms=300, post_roll_ms=90)
    ends = [e for e in _run(VadSegmenter(cfg), signal, 320) if isinstance(e, SpeechEnd)]
    first = ends[0]
    # The audio runs from ~pre_roll before the detected start to post_roll after the end.
    expected_ms = first.duration_ms + cfg.pre_roll_ms + cfg.post_roll_ms
    assert abs(first.audio.size * 1000 / RATE - expected_ms) <= 2 * cfg.frame_ms
    # The true onset lies inside the returned audio, with room to spare.
    audio_start_ms = first.start_ms - cfg.pre_roll_ms
    assert audio_start_ms < truth[0][0] - 150
    assert first.audio.dtype == np.float32


def test_max_length_cuts_and_flags_then_waits_for_silence(conversation):
    signal, truth = conversation
    cfg = VadConfig(max_utterance_s=1.0)
    events = _run(VadSegmenter(cfg), signal, 480)
    ends = [e for e in events if isinstance(e, SpeechEnd)]
    # Every question is longer than 1 s: each is cut once, and its rest is not a second utterance.
    assert len(ends) == len(truth)
    for event in ends:
        assert event.truncated and event.reason == "max_length"
        assert event.duration_ms == pytest.approx(1000, abs=cfg.frame_ms)
        assert event.audio.size <= RATE * (1.0 + cfg.pre_roll_ms / 1000) + cfg.frame_samples


def test_push_to_talk_utterance_is_everything_until_stop(conversation):
    signal, _ = conversation
    seg = VadSegmenter(VadConfig(mode="ptt"))
    piece = signal[: RATE * 2 + 123]
    events = seg.feed(piece)
    assert [type(e) for e in events] == [SpeechStart]
    (end,) = seg.stop()
    assert end.reason == "stop" and not end.truncated
    assert end.audio.size == piece.size  # nothing lost, the partial frame included
    assert end.duration_ms == pytest.approx(piece.size * 1000 / RATE, abs=30)
    # The next press starts a new utterance.
    assert isinstance(seg.feed(signal[:4800])[0], SpeechStart)


def test_push_to_talk_over_the_limit_is_cut_once():
    seg = VadSegmenter(VadConfig(mode="ptt", max_utterance_s=0.5))
    events = seg.feed(np.zeros(RATE * 2, dtype=np.int16))
    assert [type(e) for e in events] == [SpeechStart, SpeechEnd]
    assert events[1].truncated and events[1].reason == "max_length"
    assert seg.stop() == []  # the rest up to the release is dropped


def test_stop_in_vad_mode_flushes_speech_in_progress(conversation):
    signal, truth = conversation
    seg = VadSegmenter()
    cut = int((truth[0][0] + 600) * RATE / 1000)  # the stream ends mid-question
    events = seg.feed(signal[:cut]) + seg.stop()
    assert [type(e) for e in events] == [SpeechStart, SpeechEnd]
    assert events[1].reason == "stop"


def test_silence_and_hiss_alone_give_nothing():
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 0.005, RATE * 5).astype(np.float32)
    assert _run(VadSegmenter(), noise, 640) == []


def test_bad_config_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="frame_ms"):
        VadConfig(frame_ms=25)
    with pytest.raises(ValueError, match="aggressiveness"):
        VadConfig(aggressiveness=5)
    with pytest.raises(ValueError, match="pause_ms"):
        VadConfig(pause_ms=-1)


@pytest.fixture(scope="module")
def paused_question() -> np.ndarray:
    """One question with a 400 ms breath in the middle, under hiss: one utterance, one inner pause."""
    if not have("espeak"):
        pytest.skip("needs espeak-ng")
    rng = np.random.default_rng(3)
    first, second = (synthesize(text, "espeak:en-us") for text in ("When does the library open", "on Sundays?"))
    first, second = (audio[slice(*_speech_extent(audio))] for audio in (first, second))  # the engine's own silences off
    signal = np.concatenate([np.zeros(RATE // 2), first, np.zeros(RATE * 4 // 10), second, np.zeros(RATE)])
    return (signal + rng.normal(0, 0.003, signal.size)).astype(np.float32)


def test_a_pause_inside_an_utterance_gives_the_speech_so_far(paused_question):
    events = _run(VadSegmenter(VadConfig(pause_ms=200, end_silence_ms=450)), paused_question, 320)
    kinds = [type(e) for e in events]
    assert kinds[0] is SpeechStart and kinds[-1] is SpeechEnd and kinds.count(SpeechEnd) == 1, kinds
    pauses = [e for e in events if isinstance(e, SpeechPause)]
    end = events[-1]
    assert len(pauses) == 2, kinds  # the breath, and the silence before the end of turn is declared
    inner, last = pauses
    assert inner.voiced_end_ms < end.voiced_end_ms and inner.audio.size < end.audio.size * 0.8
    # Nothing was said after the last pause: the same voiced end, the same speech (up to the tail trim)
    assert last.voiced_end_ms == end.voiced_end_ms
    assert abs(last.audio.size - end.audio.size) <= RATE * 50 // 1000
    assert last.start_ms == inner.start_ms == end.start_ms


def test_no_pause_events_unless_asked(paused_question):
    events = _run(VadSegmenter(VadConfig(end_silence_ms=450)), paused_question, 320)
    assert [type(e) for e in events] == [SpeechStart, SpeechEnd]
