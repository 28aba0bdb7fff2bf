"""A session's audio intake alone (app/intake.py): PCM16 frames in, numbered utterance events out.

No models, no socket: real webrtcvad on real synthesized speech (espeak-ng), sent as a client would
send it, at the browser's 48 kHz (resampled by soxr) or at 16 kHz, in 20 ms frames under faint hiss.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.intake import (AudioCredit, AudioIntake, BadFrame, Flood, UtteranceCancel, UtteranceEnd, UtterancePause,
                        UtteranceStart)
from models.vad import VadConfig
from speech import have, synthesize, trim

RATE = 16_000
pytestmark = pytest.mark.skipif(not have("espeak"), reason="needs espeak-ng")


def _at(audio: np.ndarray, rate: int) -> np.ndarray:
    import soxr

    return audio if rate == RATE else soxr.resample(audio, RATE, rate).astype(np.float32)


def _mic(parts: list[np.ndarray | float], rate: int = RATE) -> np.ndarray:
    """Speech and silences (seconds) in a row under faint hiss, as a microphone at ``rate`` gives them."""
    audio = np.concatenate([np.zeros(int(RATE * p), np.float32) if isinstance(p, float) else p for p in parts])
    audio = audio + np.random.default_rng(0).normal(0, 0.003, audio.size).astype(np.float32)
    return _at(audio, rate)


def _frames(audio: np.ndarray, rate: int, frame_ms: int = 20) -> list[bytes]:
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    n = rate * frame_ms // 1000
    return [pcm[i : i + n].tobytes() for i in range(0, pcm.size, n)]


def _feed(intake: AudioIntake, audio: np.ndarray, rate: int) -> list:
    return [event for frame in _frames(audio, rate) for event in intake.feed(frame)]


def _intake(rate: int = RATE, **vad) -> AudioIntake:
    return AudioIntake(VadConfig(**vad), rate, burst_s=60.0)


@pytest.fixture(scope="module")
def question() -> np.ndarray:
    return trim(synthesize("When does the library open?"))


@pytest.mark.parametrize("rate", [48_000, 16_000])
def test_two_questions_are_two_numbered_utterances_with_their_audio(question, rate):
    intake = _intake(rate)
    events = _feed(intake, _mic([0.5, question, 1.0, question, 1.0], rate), rate)
    assert [type(e) for e in events] == [UtteranceStart, UtteranceEnd] * 2, events
    assert [e.utterance for e in events] == [1, 1, 2, 2]
    for end in events[1::2]:
        assert end.reason == "silence" and not end.truncated and end.max_utterance_s == 30.0
        assert abs(end.duration_ms - question.size * 1000 / RATE) < 200  # 16 kHz stream time whatever the client's rate
        assert end.audio.dtype == np.float32 and abs(end.audio.size / RATE * 1000 - end.duration_ms - 390) < 100  # + pre/post-roll
    assert abs(events[0].start_ms - 500) < 100


def test_a_breath_gives_the_speech_so_far_then_the_end_hears_the_same(question):
    second = trim(synthesize("on Sunday mornings?"))
    intake = _intake(pause_ms=200)
    events = _feed(intake, _mic([0.5, question, 0.4, second, 1.0]), RATE)
    kinds = [type(e) for e in events]
    assert kinds[0] is UtteranceStart and kinds[-1] is UtteranceEnd and kinds.count(UtteranceEnd) == 1, kinds
    pauses = [e for e in events if isinstance(e, UtterancePause)]
    assert len(pauses) == 2 and all(p.utterance == 1 for p in pauses)
    assert pauses[0].audio_ms < events[-1].duration_ms  # the breath's search hears only the start
    assert pauses[-1].voiced_end_ms == events[-1].voiced_end_ms  # nothing said after the last pause


def test_push_to_talk_ends_on_stop_with_the_resampler_s_tail(question):
    rate = 44_100
    intake = _intake(rate, mode="ptt")
    audio = _mic([0.2, question, 0.2], rate)
    assert [type(e) for e in _feed(intake, audio, rate)] == [UtteranceStart]
    (end,) = intake.stop()
    assert isinstance(end, UtteranceEnd) and end.reason == "stop" and end.utterance == 1
    assert abs(end.audio.size - audio.size * RATE / rate) < RATE * 0.03  # all of it, the resampler flushed
    assert intake.stop() == []


def test_reset_and_a_new_vad_drop_speech_in_progress_and_the_numbers_go_on(question):
    intake = _intake()
    half = _mic([0.5, question[: question.size // 2]])
    assert [type(e) for e in _feed(intake, half, RATE)] == [UtteranceStart]
    assert intake.reset() == [UtteranceCancel(1, 0.0, 0.0, "reset")]
    assert intake.reset() == []  # nothing in progress: nothing to drop
    _feed(intake, half, RATE)
    assert intake.configure(VadConfig(aggressiveness=3), RATE) == [UtteranceCancel(2, 0.0, 0.0, "config")]
    assert intake.config.aggressiveness == 3
    events = _feed(intake, _mic([0.5, question, 1.0]), RATE)
    assert [(type(e), e.utterance) for e in events] == [(UtteranceStart, 3), (UtteranceEnd, 3)]


def test_a_click_is_cancelled_not_an_utterance():
    click = np.random.default_rng(5).normal(0, 0.3, RATE * 15 // 100).astype(np.float32)  # 150 ms of clatter
    events = _feed(_intake(), _mic([0.5, click, 1.0]), RATE)
    assert [type(e) for e in events] == [UtteranceStart, UtteranceCancel], events
    assert events[1].reason == "too_short" and events[1].utterance == 1


@pytest.mark.parametrize("frame, says", [
    (b"", "empty"),
    (b"\x00" * 321, "even byte count"),
    (b"RIFF" + b"\x00" * 100, "a WAV file"),
    (b'{"type": "stop"}', "send control messages as text"),
    (np.full(512, 0.25, "<f4").tobytes(), "32-bit float"),
    (b"\x00" * (6 * RATE * 2), "more than 5 s"),
])
def test_frames_that_are_not_pcm16_are_refused_and_the_stream_goes_on(question, frame, says):
    intake = _intake()
    with pytest.raises(BadFrame, match=says):
        intake.feed(frame)
    assert [type(e) for e in _feed(intake, _mic([0.5, question, 1.0]), RATE)] == [UtteranceStart, UtteranceEnd]


def test_audio_far_ahead_of_real_time_is_a_flood():
    intake = AudioIntake(VadConfig(), RATE, burst_s=1.0)
    second = np.zeros(RATE, "<i2").tobytes()
    intake.feed(second[: len(second) // 2])
    with pytest.raises(Flood, match="more than 1 s ahead of real time"):
        intake.feed(second)


def test_audio_credit_refills_at_real_time_up_to_the_burst():
    credit = AudioCredit(burst_s=0.5)
    assert credit.spend(0.5) and not credit.spend(0.1)
    time.sleep(0.3)
    assert credit.spend(0.1)  # 0.3 s came back (less the 0.1 s overdraft)
    time.sleep(1.0)
    assert credit.spend(0.5) and not credit.spend(0.1)  # idle time does not pile up beyond the burst
    credit.refill()
    assert credit.spend(0.5)
