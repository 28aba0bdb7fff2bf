"""Bad input and load on the websocket: each gets a clear error event or a clean close, and the server
keeps serving (every test ends by checking a fresh session still works)."""

from __future__ import annotations

import asyncio
import json

import httpx
import numpy as np
import pytest
import websockets

from live_server import QUESTION, events_until, pcm_frames, spoken, stream, with_silence
from models.audio import wav_bytes


async def _started(server, **start):
    ws = await websockets.connect(server.ws)
    await ws.send(json.dumps({"type": "start", "pipelines": ["asr"], "answer": False, **start}))
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready", ready
    return ws


async def _error(ws) -> dict:
    event = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert event["type"] == "error", event
    return event


async def _still_serving(server) -> None:
    """A fresh session works and the session count went back down."""
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"
    for _ in range(50):
        if httpx.get(server.base + "/readyz").json()["sessions"] == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("sessions leaked: /readyz still counts open sessions")


async def test_malformed_and_unknown_messages_get_errors_and_the_session_goes_on(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send("{not json")
        assert (await _error(ws))["code"] == "bad_json"
        await ws.send("[1, 2]")
        assert (await _error(ws))["code"] == "bad_message"
        await ws.send(json.dumps({"type": "dance"}))
        error = await _error(ws)
        assert error["code"] == "unknown_message" and "start" in error["message"]
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "magic"], "sample_rate": 5}))
        error = await _error(ws)
        assert error["code"] == "bad_start" and "pipelines" in error["message"] and "sample_rate" in error["message"]
        await ws.send(json.dumps({"type": "stop"}))
        assert (await _error(ws))["code"] == "not_started"
        await ws.send(json.dumps({"type": "start", "collection": "no_such_kb"}))
        error = await _error(ws)
        assert error["code"] == "unknown_collection" and "ws_fixture" in error["message"]
        await ws.send(json.dumps({"type": "start"}))
        assert json.loads(await ws.recv())["type"] == "ready"
    await _still_serving(server)


async def test_binary_before_start_is_refused(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send(b"\x00\x00" * 320)
        error = await _error(ws)
        assert error["code"] == "not_started" and "start" in error["message"]


async def test_frames_that_are_not_pcm16_are_named(server):
    ws = await _started(server)
    try:
        await ws.send(b"\x01\x02\x03")
        error = await _error(ws)
        assert error["code"] == "bad_frame" and "even byte count" in error["message"]
        await ws.send(wav_bytes(np.zeros(1600, np.float32)))
        assert "WAV" in (await _error(ws))["message"]
        floats = (np.sin(np.arange(1600) / 5) * 0.3).astype("<f4").tobytes()
        await ws.send(floats)
        assert "32-bit float" in (await _error(ws))["message"]
        await ws.send(json.dumps({"type": "stop"}).encode())
        assert "binary frame" in (await _error(ws))["message"]
        await ws.send(b"\x00\x00" * 16000 * 6)
        assert "more than" in (await _error(ws))["message"]
        # Real PCM after all that still works.
        await stream(ws, with_silence(spoken(QUESTION[0])))
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
        assert events[-1]["hits"][0]["doc_id"] == QUESTION[1]
    finally:
        await ws.close()


async def test_utterance_over_the_limit_is_cut_flagged_and_still_answered(server):
    # The fixture server allows 8 s: 10 s of talking without a pause, pushed to talk.
    speech = spoken(QUESTION[0])
    long_talk = np.tile(speech, int(np.ceil(10 * 16000 / speech.size)))[: 10 * 16000]
    ws = await _started(server, mode="ptt")
    try:
        await stream(ws, long_talk, pace=0.2)
        await ws.send(json.dumps({"type": "stop"}))
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
    finally:
        await ws.close()
    end = next(e for e in events if e["type"] == "vad.end")
    assert end["truncated"] and end["reason"] == "max_length" and end["duration_ms"] == pytest.approx(8000, abs=50)
    error = next(e for e in events if e["type"] == "error")
    assert error["code"] == "utterance_too_long" and "8 s" in error["message"]
    assert len([e for e in events if e["type"] == "vad.end"]) == 1  # the rest is not a second question


async def test_disconnect_mid_utterance_leaks_nothing(server):
    speech = with_silence(spoken(QUESTION[0]), after_s=0)
    ws = await _started(server)
    await stream(ws, speech[: speech.size // 2], pace=0)
    assert json.loads(await ws.recv())["type"] == "vad.start"
    await ws.close()
    await _still_serving(server)


async def test_flood_faster_than_real_time_closes_cleanly(server):
    ws = await _started(server)
    await asyncio.sleep(1.0)  # idle time must not turn into extra allowance
    frames = pcm_frames(np.zeros(16_000 * 12, np.float32), frame_ms=100)  # 12 s at once; the limit is 10 s ahead
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for frame in frames:
            await ws.send(frame)
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if event["type"] == "error":
                assert event["code"] == "flood" and "real time" in event["message"]
    assert closed.value.rcvd.code == 1008
    await _still_serving(server)


async def test_sessions_beyond_the_limit_are_refused_with_a_reason(server):
    held = [await websockets.connect(server.ws) for _ in range(server.settings.max_sessions)]
    try:
        await asyncio.sleep(0.2)
        async with websockets.connect(server.ws) as extra:
            error = await _error(extra)
            assert error["code"] == "too_many_sessions" and "limit of 4" in error["message"]
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(extra.recv(), 10)
            assert closed.value.rcvd.code == 1013
    finally:
        for ws in held:
            await ws.close()
    await _still_serving(server)


async def test_token_and_origin_are_checked(server, monkeypatch):
    monkeypatch.setattr(server.settings, "api_token", "s3cret")
    async with websockets.connect(server.ws) as ws:
        error = await _error(ws)
        assert error["code"] == "unauthorized" and "token" in error["message"]
    async with websockets.connect(server.ws + "?token=wrong") as ws:
        assert (await _error(ws))["code"] == "unauthorized"
    async with websockets.connect(server.ws + "?token=s3cret") as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"
    monkeypatch.setattr(server.settings, "api_token", None)

    async with websockets.connect(server.ws, origin="http://evil.example") as ws:
        error = await _error(ws)
        assert error["code"] == "forbidden_origin" and "SEAL_ALLOWED_ORIGINS" in error["message"]
    async with websockets.connect(server.ws, origin=server.base) as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"
    monkeypatch.setattr(server.settings, "allowed_origins", ["http://evil.example"])
    async with websockets.connect(server.ws, origin="http://evil.example") as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"


async def test_a_failing_pipeline_is_reported_and_the_other_still_answers(server, monkeypatch):
    res = server.server.config.app.state.resources

    class Broken:
        name = "seal"

        def run(self, *args, **kwargs):
            raise RuntimeError("encoder exploded")

    monkeypatch.setitem(res.pipelines, "seal", Broken())
    ws = await _started(server, pipelines=["seal", "asr"])
    try:
        await stream(ws, with_silence(spoken(QUESTION[0])))
        events = await events_until(ws, lambda e: e["type"] == "retrieval")
    finally:
        await ws.close()
    error = next(e for e in events if e["type"] == "error")
    assert error["code"] == "pipeline_failed" and "seal" in error["message"] and "encoder exploded" in error["message"]
    assert events[-1]["pipeline"] == "asr" and events[-1]["hits"][0]["doc_id"] == QUESTION[1]
    monkeypatch.undo()
    await _still_serving(server)
