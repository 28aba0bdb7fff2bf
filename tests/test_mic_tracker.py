"""`seal mic` waits until every utterance has all it asked for before it exits: with ASR that includes
the transcript, which the server sends right after ASR's hits (exiting between the two lost the
`heard:` line)."""

from __future__ import annotations

from app.mic import Tracker


def test_an_asr_utterance_is_open_until_its_transcript_arrives():
    tracker = Tracker(["seal", "asr"], answer=False)
    tracker.see({"type": "ready", "pipelines": ["seal", "asr"], "answer": False})
    tracker.see({"type": "vad.start", "utterance": 1})
    tracker.see({"type": "retrieval", "utterance": 1, "pipeline": "seal"})
    tracker.see({"type": "retrieval", "utterance": 1, "pipeline": "asr"})
    assert not tracker.idle.is_set()
    tracker.see({"type": "transcript", "utterance": 1, "text": "when does the library open"})
    assert tracker.idle.is_set()


def test_a_seal_only_utterance_is_done_with_its_hits_or_its_answer():
    tracker = Tracker(["seal"], answer=False)
    tracker.see({"type": "vad.start", "utterance": 1})
    tracker.see({"type": "retrieval", "utterance": 1, "pipeline": "seal"})
    assert tracker.idle.is_set()
    answering = Tracker(["seal"], answer=True)
    answering.see({"type": "vad.start", "utterance": 2})
    answering.see({"type": "retrieval", "utterance": 2, "pipeline": "seal"})
    assert not answering.idle.is_set()
    answering.see({"type": "answer.done", "utterance": 2})
    assert answering.idle.is_set()
