"""A session's conversation alone (app/conversation.py): utterance events in, protocol events out, no socket.

The real server's shared resources (models, the fixture knowledge base, the worker pools; see
live_server.py) run the pipelines; the utterances are espeak speech handed over as the intake would
hand them, and the events are read back as their JSON, as the client would get them.
"""

from __future__ import annotations

import asyncio
import json

import numpy as np

from app import events as ev
from app.conversation import Conversation
from app.intake import UtteranceEnd, UtterancePause, UtteranceStart
from app.session import default_options, updated_options
from live_server import PAUSED_QUESTION, QUESTION, SlowAnswerer, spoken, spoken_with_pause

RATE = 16_000


class Sink:
    """What the conversation sent, as the client would read it."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    async def __call__(self, event: ev.Event) -> None:
        self.events.append(json.loads(event.to_json()))

    def kinds(self) -> list[tuple[str, int | None]]:
        return [(e["type"], e.get("utterance")) for e in self.events]


def _conversation(server, **options) -> tuple[Conversation, Sink]:
    res = server.resources
    sink = Sink()
    given = {"collection": "ws_fixture", "k": 3, **options}
    return Conversation(res, sink, updated_options(default_options(res.settings), given), "test"), sink


def _said(n: int, audio: np.ndarray, voiced_end_ms: float | None = None, truncated: bool = False) -> list:
    duration_ms = audio.size * 1000 / RATE
    end = UtteranceEnd(n, audio, 500.0, 500.0 + duration_ms, "max_length" if truncated else "silence", truncated,
                       voiced_end_ms, 8.0)
    return [UtteranceStart(n, 500.0), end]


async def _settle(conversation: Conversation) -> None:
    """Wait for the utterances in processing, then for the answer they started."""
    while conversation.pending:
        await asyncio.gather(*conversation.pending)
    if conversation.answers.task:
        await conversation.answers.task


async def test_an_utterance_gives_each_pipeline_s_hits_then_the_answer(server):
    conversation, sink = _conversation(server, pipelines=["seal", "asr"])
    assert conversation.opts.pipelines == ["seal", "asr", "fused"]
    await conversation.handle(_said(1, spoken(QUESTION[0])))
    await _settle(conversation)
    kinds = sink.kinds()
    assert kinds[:2] == [("vad.start", 1), ("vad.end", 1)], kinds
    results = {e["pipeline"]: e for e in sink.events if e["type"] == "retrieval"}
    assert set(results) == {"seal", "asr", "fused"} and all(len(r["hits"]) == 3 for r in results.values())
    assert results["asr"]["hits"][0]["doc_id"] == QUESTION[1] and "library" in results["asr"]["transcript"].lower()
    assert kinds.index(("retrieval", 1)) < kinds.index(("transcript", 1))
    done = sink.events[-1]
    assert done["type"] == "answer.done" and done["utterance"] == 1 and not done["cancelled"] and done["text"]
    assert "".join(e["text"] for e in sink.events if e["type"] == "answer.delta") == done["text"]
    assert len(conversation.answers.history) == 1  # the next answer reads this turn
    await conversation.reset()
    assert conversation.answers.history == []


async def test_a_pause_s_live_hits_are_reused_when_nothing_was_said_after(server):
    conversation, sink = _conversation(server, pipelines=["seal"], answer=False)
    audio = spoken_with_pause(*PAUSED_QUESTION)
    start, end = _said(1, audio, voiced_end_ms=2000.0)
    await conversation.handle([start, UtterancePause(1, audio, 2000.0)])
    await conversation.live.task  # the person is still talking: the live search runs meanwhile
    await conversation.handle([end])
    await _settle(conversation)
    kinds = [e["type"] for e in sink.events]
    assert kinds == ["vad.start", "retrieval.partial", "vad.end", "retrieval"], kinds
    partial, final = sink.events[1], sink.events[-1]
    assert partial["audio_ms"] == round(audio.size * 1000 / RATE, 1)
    assert final["from_partial"] and [h["id"] for h in final["hits"]] == [h["id"] for h in partial["hits"]]


async def test_a_new_utterance_cancels_the_streaming_answer(server, monkeypatch):
    res = server.resources
    monkeypatch.setattr(res, "answerer", SlowAnswerer(res.answerer))  # the real fallback at an LLM's pace
    conversation, sink = _conversation(server, pipelines=["asr"])
    await conversation.handle(_said(1, spoken(QUESTION[0])))
    async with asyncio.timeout(120):
        while not any(e["type"] == "answer.delta" for e in sink.events):
            await asyncio.sleep(0.05)
    await conversation.handle(_said(2, spoken("How do honey bees make honey?"))[:1])  # barge-in
    dones = [e for e in sink.events if e["type"] == "answer.done"]
    assert len(dones) == 1 and dones[0]["utterance"] == 1 and dones[0]["cancelled"]
    assert sink.kinds().index(("answer.done", 1)) > sink.kinds().index(("vad.start", 2))
    conversation.close()


async def test_beyond_two_utterances_in_processing_the_next_is_busy_and_only_the_latest_is_answered(server):
    conversation, sink = _conversation(server, pipelines=["asr"])
    audio = spoken(QUESTION[0])
    await conversation.handle(_said(1, audio) + _said(2, audio, truncated=True) + _said(3, audio))
    await _settle(conversation)
    errors = [(e["code"], e["utterance"]) for e in sink.events if e["type"] == "error"]
    assert errors == [("utterance_too_long", 2), ("busy", 3)]
    too_long = next(e for e in sink.events if e["type"] == "error")
    assert "8 s limit" in too_long["message"]
    assert sorted(e["utterance"] for e in sink.events if e["type"] == "retrieval") == [1, 2]
    assert not any(e["type"].startswith("answer") for e in sink.events)  # utterance 3 is the latest: 1 and 2 are not answered
