"""A spoken conversation over a real websocket with the real server, models and store.

The SEAL model here is whatever ``SealModel.from_pretrained()`` gives: the shipped checkpoint when
one exists, else an untrained model whose hits are not meaningful. So the expected passage is asserted
among the ASR pipeline's hits always, and among SEAL's only when the shipped checkpoint's recorded dev
eval puts it ahead of ASR; SEAL's event is checked for its shape and latency breakdown either way.
Expectations about the dev eval are read from the checkpoint's config.json here, not through the
server's own functions, so a wrong rule in the server cannot agree with itself.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import numpy as np
import pytest
import soxr
import websockets

from live_server import PAUSED_QUESTION, QUESTION, SlowAnswerer, events_until, spoken, spoken_with_pause, stream, with_silence

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "models" / "checkpoints").glob("*/config.json"))
TRAINED = bool(SHIPPED)
_DEV = (json.loads(SHIPPED[0].read_text()).get("notes", {}).get("dev_eval") or {}) if SHIPPED else {}
# A shipped checkpoint whose own dev eval puts it below ASR + text is not trusted to find the passage
BEHIND = _DEV.get("seal", {}).get("top1", 1.0) < _DEV.get("asr", {}).get("top1", 0.0)
FUSED_BEHIND = _DEV.get("fused", {}).get("top1", 1.0) < _DEV.get("asr", {}).get("top1", 0.0)
AHEAD = TRAINED and not BEHIND
HIT_FIELDS = {"id", "score", "text", "title", "source", "doc_id"}


def _types(events):
    return [e["type"] for e in events]


def _retrievals(events):
    return {e["pipeline"]: e for e in events if e["type"] == "retrieval"}


async def _ask(ws, audio, pipelines=("seal", "asr"), **start):
    await ws.send(json.dumps({"type": "start", "pipelines": list(pipelines), "k": 3, "answer": False, **start}))
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready", ready
    sender = asyncio.create_task(stream(ws, audio))
    want = set(pipelines)

    def all_in(event):
        if event["type"] == "retrieval":
            want.discard(event["pipeline"])
        return not want

    events = await events_until(ws, all_in)
    await sender
    return ready, events


async def test_spoken_question_events_arrive_in_order_with_the_passage(server):
    audio = with_silence(spoken(QUESTION[0]))
    async with websockets.connect(server.ws) as ws:
        ready, events = await _ask(ws, audio)
        events += await events_until(ws, lambda e: e["type"] == "transcript", timeout=30) if "transcript" not in _types(events) else []
    assert ready["pipelines"] == ["seal", "asr", "fused"] and ready["collection"] == "ws_fixture"
    finals = [e for e in events if e["type"] != "retrieval.partial"]  # live hits: tested below
    kinds = [e["type"] for e in finals]
    assert kinds[:2] == ["vad.start", "vad.end"], kinds
    assert kinds.index("transcript") > [i for i, e in enumerate(finals) if e.get("pipeline") == "asr"][0]
    end = next(e for e in events if e["type"] == "vad.end")
    assert end["reason"] == "silence" and not end["truncated"] and 800 < end["duration_ms"] < 2500
    assert all(e["utterance"] == 1 for e in events)

    results = _retrievals(events)
    asr, seal = results["asr"], results["seal"]
    assert "library" in asr["transcript"].lower()
    assert QUESTION[1] in [h["doc_id"] for h in asr["hits"]]
    assert asr["hits"][0]["doc_id"] == QUESTION[1]
    assert {"decode", "embed", "search", "total", "end_to_hits"} <= set(asr["timings_ms"])

    assert len(seal["hits"]) == 3 and all(HIT_FIELDS <= set(h) for h in seal["hits"])
    assert [h["score"] for h in seal["hits"]] == sorted((h["score"] for h in seal["hits"]), reverse=True)
    assert {"features", "encoder", "adapter", "search", "total", "end_to_hits"} <= set(seal["timings_ms"])
    assert seal["transcript"] is None
    if AHEAD:
        assert QUESTION[1] in [h["doc_id"] for h in seal["hits"]]


async def test_seal_hits_are_sent_without_waiting_for_asr(server, monkeypatch):
    """The ASR pipeline is held until the client has SEAL's hits: if SEAL waited for ASR, this would hang."""

    res = _resources(server)
    release = threading.Event()
    real = res.pipelines["asr"]

    class HeldAsr:
        name = "asr"

        def run(self, *args, **kwargs):
            release.wait(30)
            return real.run(*args, **kwargs)

    monkeypatch.setitem(res.pipelines, "asr", HeldAsr())
    audio = with_silence(spoken(QUESTION[0]))
    try:
        async with websockets.connect(server.ws) as ws:
            await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"], "answer": False}))
            await ws.recv()
            await stream(ws, audio)
            events = await events_until(ws, lambda e: e["type"] == "retrieval", timeout=20)
            assert events[-1]["pipeline"] == "seal"
            release.set()
            events = await events_until(ws, lambda e: e["type"] == "retrieval", timeout=60)
            assert events[-1]["pipeline"] == "asr"
    finally:
        release.set()


async def test_push_to_talk_ends_the_utterance_on_stop(server):
    audio = with_silence(spoken(QUESTION[0]), before_s=0.2, after_s=0.2)
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["asr"], "mode": "ptt", "answer": False}))
        assert json.loads(await ws.recv())["mode"] == "ptt"
        await stream(ws, audio)
        await ws.send(json.dumps({"type": "stop"}))
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
    end = next(e for e in events if e["type"] == "vad.end")
    assert end["reason"] == "stop"
    assert end["duration_ms"] == pytest.approx(audio.size / 16, abs=40)
    assert events[-1]["hits"][0]["doc_id"] == QUESTION[1]


async def test_other_sample_rates_are_resampled(server):
    audio = with_silence(spoken(QUESTION[0]))
    audio48 = soxr.resample(audio, 16_000, 48_000).astype(np.float32)
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["asr"], "sample_rate": 48_000, "answer": False}))
        assert json.loads(await ws.recv())["sample_rate"] == 48_000
        await stream(ws, audio48, rate=48_000)
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
    assert "library" in events[-1]["transcript"].lower()


async def test_config_and_reset_reply_with_ready(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start"}))
        first = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "config", "pipelines": ["asr"], "k": 2, "vad": {"aggressiveness": 3}}))
        changed = json.loads(await ws.recv())
        assert changed["type"] == "ready" and changed["pipelines"] == ["asr"] and changed["k"] == 2
        assert changed["vad"]["aggressiveness"] == 3 and changed["session"] == first["session"]
        await ws.send(json.dumps({"type": "reset"}))
        again = json.loads(await ws.recv())
        assert again["type"] == "ready" and again["pipelines"] == ["asr"]


async def test_two_questions_in_one_stream_are_two_utterances(server):
    one = spoken(QUESTION[0])
    two = spoken("How do honey bees make honey?")
    audio = with_silence(np.concatenate([one, np.zeros(16_000, np.float32), two]))
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["asr"], "answer": False}))
        await ws.recv()
        await stream(ws, audio)
        events = await events_until(ws, lambda e: e["type"] == "retrieval" and e["utterance"] == 2)
    results = {e["utterance"]: e for e in events if e["type"] == "retrieval"}
    assert results[1]["hits"][0]["doc_id"] == "library"
    assert results[2]["hits"][0]["doc_id"] == "bees"


def _resources(server):
    return server.server.config.app.state.resources


async def test_answer_streams_after_the_hits_with_citations(server):
    audio = with_silence(spoken(QUESTION[0]))
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"], "k": 3}))
        ready = json.loads(await ws.recv())
        assert ready["answer"] and ready["answer_source"] == "fallback" and "extractive" in ready["answerer"]
        await stream(ws, audio)
        events = await events_until(ws, lambda e: e["type"] == "answer.done")
    kinds = _types(events)
    assert kinds.index("answer.delta") > max(i for i, k in enumerate(kinds) if k == "retrieval")
    done = events[-1]
    assert done["source"] == "fallback" and not done["cancelled"] and done["error"] is None
    assert done["text"] == "".join(e["text"] for e in events if e["type"] == "answer.delta")
    read = {h["id"] for h in _retrievals(events)[ready["answer_from"]]["hits"]}
    assert done["citations"] and set(done["citations"]) <= read  # the answer reads answer_from's passages
    assert "[1]" in done["text"] or "[2]" in done["text"] or "[3]" in done["text"]


async def test_new_utterance_cancels_a_streaming_answer(server, monkeypatch):
    """Barge-in: the answerer here is the real fallback slowed to an LLM's pace (one piece per second)."""
    res = _resources(server)
    monkeypatch.setattr(res, "answerer", SlowAnswerer(res.answerer))  # the real fallback at an LLM's pace
    first, second = spoken(QUESTION[0]), spoken("How do honey bees make honey?")
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["asr"]}))
        await ws.recv()
        await stream(ws, with_silence(first))
        events = await events_until(ws, lambda e: e["type"] == "answer.delta")
        await stream(ws, with_silence(second, before_s=0.1))
        events += await events_until(ws, lambda e: e["type"] == "answer.done" and e["utterance"] == 2, timeout=120)
    dones = [e for e in events if e["type"] == "answer.done"]
    assert [d["utterance"] for d in dones] == [1, 2]
    assert dones[0]["cancelled"] and not dones[1]["cancelled"]
    kinds = [(e["type"], e.get("utterance")) for e in events]
    assert kinds.index(("answer.done", 1)) > kinds.index(("vad.start", 2))  # cancelled by the new speech
    assert "bees" in dones[1]["text"].lower()


async def test_answer_can_read_the_asr_passages(server):
    audio = with_silence(spoken(QUESTION[0]))
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"], "k": 3, "answer_from": "asr"}))
        assert json.loads(await ws.recv())["answer_from"] == "asr"
        await stream(ws, audio)
        events = await events_until(ws, lambda e: e["type"] == "answer.done")
    asr_hits = {h["id"]: h for h in _retrievals(events)["asr"]["hits"]}
    done = events[-1]
    assert done["citations"] and set(done["citations"]) <= set(asr_hits)
    assert asr_hits[done["citations"][0]]["doc_id"] == QUESTION[1]
    assert "nine in the morning" in done["text"]


async def test_a_seal_only_answer_ranks_sentences_by_seal_s_own_query_vector(server, monkeypatch):
    """No transcript in a SEAL-only session: the fallback still gets SEAL's query vector and SEAL's
    text side to rank the passages' sentences with (docs/llm.md), not word overlap alone."""
    res = _resources(server)
    real, seen = res.answerer, {}

    class Spy:
        source, label = real.source, real.label

        def stream(self, audio, transcript, hits, history, query_vector=None, embed_texts=None):
            seen.update(transcript=transcript, hits=hits, vector=query_vector, embed=embed_texts)
            return real.stream(audio, transcript, hits, history, query_vector, embed_texts)

    monkeypatch.setattr(res, "answerer", Spy())
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal"], "k": 3, "live": False}))
        assert json.loads(await ws.recv())["answer_from"] == "seal"
        await stream(ws, with_silence(spoken(QUESTION[0])))
        events = await events_until(ws, lambda e: e["type"] == "answer.done")
    assert events[-1]["source"] == "fallback" and events[-1]["error"] is None
    assert seen["transcript"] is None and seen["embed"] == res.seal_model.embed_text
    vector = np.asarray(seen["vector"])
    assert vector.shape == (res.seal_model.dim,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
    top = seen["hits"][0]  # the vector is the one SEAL searched with: it gives the top hit's score
    assert float(res.seal_model.embed_text([top.text])[0] @ vector) == pytest.approx(top.score, abs=2e-3)


async def test_answers_read_the_fused_ranking_where_both_run(server):
    """``answer_from: auto`` never reads SEAL's passages alone over ASR's (issue 18: a template dev set
    can put SEAL ahead while people's own questions put it far behind): where both run, the fused
    ranking; while no SEAL checkpoint is loaded its hits mean nothing, so the ASR pipeline's."""
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"]}))
        both = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "config", "pipelines": ["seal"]}))
        seal_only = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "config", "pipelines": ["fused"]}))
        fused = json.loads(await ws.recv())
    assert both["seal_trained"] is TRAINED and both["seal_behind_asr"] is (TRAINED and BEHIND)
    assert both["pipelines"] == ["seal", "asr", "fused"]
    assert both["answer_from"] == ("fused" if TRAINED and not FUSED_BEHIND else "asr")
    assert seal_only["answer_from"] == "seal" and seal_only["pipelines"] == ["seal"]  # nothing else to read from
    assert fused["pipelines"] == ["seal", "asr", "fused"]  # fused runs both


async def test_ready_says_whether_the_checkpoint_s_dev_eval_puts_seal_behind_asr(server, monkeypatch):
    """``seal_behind_asr`` follows the loaded checkpoint's recorded dev eval: Top-1 below ASR's, above
    it, equal, or no record (then nothing is claimed)."""
    notes = _resources(server).seal_model.config.notes
    cases = [({"seal": {"top1": 0.27}, "asr": {"top1": 0.40}}, True), ({"seal": {"top1": 0.45}, "asr": {"top1": 0.40}}, False),
             ({"seal": {"top1": 0.40}, "asr": {"top1": 0.40}}, False), ({"seal": {"top1": 0.27}}, False), (None, False)]
    async with websockets.connect(server.ws) as ws:
        for dev_eval, behind in cases:
            if dev_eval is None:
                monkeypatch.delitem(notes, "dev_eval", raising=False)
            else:
                monkeypatch.setitem(notes, "dev_eval", dev_eval)
            await ws.send(json.dumps({"type": "start", "pipelines": ["seal"]}))
            assert json.loads(await ws.recv())["seal_behind_asr"] is behind, dev_eval


@pytest.mark.skipif(not TRAINED, reason="no trained SEAL checkpoint: answers read ASR's passages anyway")
async def test_answers_read_asr_where_the_checkpoint_s_dev_eval_puts_fused_behind_it(server, monkeypatch):
    notes = _resources(server).seal_model.config.notes
    async with websockets.connect(server.ws) as ws:
        for fused, expected in ((0.23, "asr"), (0.59, "fused")):  # fused behind ASR (0.40), then ahead
            monkeypatch.setitem(notes, "dev_eval", {"seal": {"top1": 0.27}, "asr": {"top1": 0.40}, "fused": {"top1": fused}})
            await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"]}))
            assert json.loads(await ws.recv())["answer_from"] == expected


async def test_fused_ranking_follows_the_asr_hits(server):
    audio = with_silence(spoken(QUESTION[0]))
    async with websockets.connect(server.ws) as ws:
        _, events = await _ask(ws, audio, pipelines=("seal", "asr", "fused"))
    order = [e["pipeline"] for e in events if e["type"] == "retrieval"]
    assert order == ["seal", "asr", "fused"]
    results = _retrievals(events)
    fused = results["fused"]
    assert len(fused["hits"]) == 3 and all(HIT_FIELDS <= set(h) for h in fused["hits"])
    assert [h["score"] for h in fused["hits"]] == sorted((h["score"] for h in fused["hits"]), reverse=True)
    assert QUESTION[1] in [h["doc_id"] for h in fused["hits"]]
    assert fused["timings_ms"]["end_to_hits"] >= results["asr"]["timings_ms"]["end_to_hits"]  # it waits for ASR
    assert "fuse" in fused["timings_ms"]


def paused_question() -> np.ndarray:
    return with_silence(spoken_with_pause(*PAUSED_QUESTION), after_s=1.2)


async def test_live_hits_arrive_while_the_person_is_still_talking(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal"], "k": 3, "answer": False}))
        ready = json.loads(await ws.recv())
        assert ready["live"] is True and ready["vad"]["pause_ms"] > 0
        sender = asyncio.create_task(stream(ws, paused_question(), frame_ms=20, pace=1.0))  # real time, as a microphone
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
        await sender
    kinds = _types(events)
    assert "retrieval.partial" in kinds[: kinds.index("vad.end")], kinds  # the breath: hits before the turn ended
    partials = [e for e in events if e["type"] == "retrieval.partial"]
    first, last = partials[0], partials[-1]
    assert first["pipeline"] == "seal" and len(first["hits"]) == 3 and all(HIT_FIELDS <= set(h) for h in first["hits"])
    assert {"encoder", "search", "total"} <= set(first["timings_ms"])
    end = next(e for e in events if e["type"] == "vad.end")
    assert first["audio_ms"] < end["duration_ms"] < last["audio_ms"]  # the breath's search heard only the start
    final = events[-1]
    # Nothing was said after the last pause: the final hits are that live search's, sent at once
    assert final["from_partial"] is True
    assert [h["id"] for h in final["hits"]] == [h["id"] for h in last["hits"]]


async def test_live_hits_off_sends_no_partials(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal"], "k": 3, "answer": False, "live": False}))
        assert json.loads(await ws.recv())["live"] is False
        sender = asyncio.create_task(stream(ws, paused_question(), frame_ms=20, pace=1.0))
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
        await sender
    assert "retrieval.partial" not in _types(events)
    assert events[-1]["from_partial"] is False and events[-1]["pipeline"] == "seal"
