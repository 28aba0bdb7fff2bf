"""Bounded everything: the token before the body, the body counted as it streams, ingests on their own
worker with `busy` beyond the queue, and no websocket holding a slot or the store without end."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

import httpx
import numpy as np
import pytest
import websockets

from live_server import pcm_frames
from retrieval.store import StoreError


async def _still_serving(server) -> None:
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "ready"
    for _ in range(50):
        if httpx.get(server.base + "/readyz").json()["sessions"] == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("sessions leaked: /readyz still counts open sessions")


async def _closed_with(ws, code: str, close_code: int, within: float) -> None:
    started = time.monotonic()
    event = json.loads(await asyncio.wait_for(ws.recv(), within))
    assert event["type"] == "error" and event["code"] == code, event
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), within)
    assert ws.close_code == close_code and time.monotonic() - started < within


# -- HTTP -------------------------------------------------------------------------------------------


def test_the_token_is_checked_before_the_body_is_read(http, server, monkeypatch):
    monkeypatch.setattr(server.settings, "api_token", "s3cret")
    garbage = {"content": b"--x\r\nnot a multipart body", "headers": {"content-type": "multipart/form-data; boundary=x"}}
    r = http.post("/api/ingest", **garbage)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "unauthorized"


def test_a_chunked_upload_is_cut_off_at_the_limit(http, server):
    """No Content-Length to trust: the body is counted as it arrives (the fixture allows 4 x 1 MB)."""
    boundary = "fuzzboundary"
    sent = 0

    def body():
        nonlocal sent
        for i in range(6):
            part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"part{i}.exe\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n").encode() + b"\x00" * (900 * 1024) + b"\r\n"
            sent += len(part)
            yield part
        yield f"--{boundary}--\r\n".encode()

    r = http.post("/api/ingest", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert "content-length" not in {k.lower() for k in r.request.headers} and r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413, r.text
    assert r.json()["detail"]["code"] == "too_large" and "4 MB" in r.json()["detail"]["message"]
    assert http.get("/healthz").status_code == 200


def test_ingests_queue_on_their_own_worker_and_beyond_the_queue_are_told_busy(http, server):
    res = server.resources
    release = threading.Event()
    res.ingest_executor.submit(release.wait, 60)  # an ingest that takes its time holds the worker
    doc = [("files", ("note.txt", b"The night bus runs every hour.", "text/plain"))]
    with ThreadPoolExecutor(2) as pool:
        try:
            waiting = [pool.submit(httpx.post, server.base + "/api/ingest", files=doc, data={"collection": "busy"}, timeout=120)
                       for _ in range(server.settings.max_pending_ingests)]
            deadline = time.monotonic() + 30
            while res.ingests.inside < server.settings.max_pending_ingests and time.monotonic() < deadline:
                time.sleep(0.05)
            r = http.post("/api/ingest", files=doc, data={"collection": "busy"})
            assert r.status_code == 503, r.text
            assert r.json()["detail"]["code"] == "busy" and r.headers["retry-after"]
            # Searches do not wait behind ingests.
            started = time.monotonic()
            assert http.post("/api/search", json={"text": "library"}).status_code == 200
            assert time.monotonic() - started < 20
        finally:
            release.set()
        assert [f.result().status_code for f in waiting] == [200] * len(waiting)
    assert http.post("/api/ingest", files=doc, data={"collection": "busy"}).status_code == 200


def test_searches_beyond_the_limit_are_told_busy(http, server, monkeypatch):
    """SEAL_MAX_PENDING_SEARCHES in progress: the next search gets 503 busy now, not a place in a queue."""
    gate = server.resources.searches
    monkeypatch.setattr(gate, "inside", gate.limit)  # as if that many searches were running
    r = http.post("/api/search", json={"text": "library"})
    assert r.status_code == 503, r.text
    assert r.json()["detail"]["code"] == "busy" and r.headers["retry-after"]
    assert "searches" in r.json()["detail"]["message"]
    monkeypatch.undo()
    assert http.post("/api/search", json={"text": "library"}).status_code == 200


# -- websocket --------------------------------------------------------------------------------------


async def test_a_socket_that_never_starts_is_closed_and_frees_its_slot(server, monkeypatch):
    monkeypatch.setattr(server.settings, "ws_start_timeout_s", 1.0)
    async with websockets.connect(server.ws) as ws:
        await _closed_with(ws, "start_timeout", 1008, within=10)
    await _still_serving(server)


async def test_a_silent_conversation_is_closed_after_the_idle_timeout(server, monkeypatch):
    monkeypatch.setattr(server.settings, "ws_idle_timeout_s", 1.5)
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"
        await _closed_with(ws, "idle_timeout", 1000, within=10)


async def test_a_conversation_ends_at_the_maximum_length(server, monkeypatch):
    monkeypatch.setattr(server.settings, "ws_max_session_s", 2.0)
    hiss = (np.random.default_rng(0).normal(0, 0.003, 16_000 * 8)).astype(np.float32)
    events: list[dict] = []
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal"], "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"

        async def read() -> None:
            with suppress(websockets.ConnectionClosed):
                async for message in ws:
                    events.append(json.loads(message))

        reader = asyncio.create_task(read())
        with suppress(websockets.ConnectionClosed):
            for frame in pcm_frames(hiss, 40):  # a live microphone: never idle
                await ws.send(frame)
                await asyncio.sleep(0.04)
        await asyncio.wait_for(reader, 10)
    assert [e["code"] for e in events if e["type"] == "error"] == ["session_too_long"]
    assert ws.close_code == 1000


async def test_a_flood_of_control_messages_closes_the_socket(server):
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await ws.recv())["type"] == "ready"
        for _ in range(60):
            await ws.send(json.dumps({"type": "config", "collection": "ws_fixture"}))
        codes = []
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 20))
                codes.append(event.get("code") or event["type"])
        assert codes.count("ready") <= server.settings.ws_control_burst and codes[-1] == "rate_limited"
        assert ws.close_code == 1008
    await _still_serving(server)


class BrokenStore:
    """The store with ``exists`` failing, as a Qdrant server that went away does."""

    def __init__(self, store) -> None:
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    def exists(self, collection):
        raise StoreError("Qdrant at http://qdrant:6333 is unreachable (connection refused)")


async def test_a_store_failure_at_start_is_an_error_event_and_the_session_goes_on(server):
    res = server.resources
    store = res.store
    async with websockets.connect(server.ws) as ws:
        res.store = BrokenStore(store)
        try:
            await ws.send(json.dumps({"type": "start", "answer": False}))
            event = json.loads(await asyncio.wait_for(ws.recv(), 20))
        finally:
            res.store = store
        assert event["type"] == "error" and event["code"] == "store_unavailable" and "try again" in event["message"]
        await ws.send(json.dumps({"type": "start", "answer": False}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 20))["type"] == "ready"
