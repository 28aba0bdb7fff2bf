"""A small OpenAI-compatible chat server that speaks vLLM's streaming protocol, for the client's tests.

It is a real HTTP server (uvicorn on a loopback port) that validates what vLLM documents for
``POST /v1/chat/completions`` with audio: ``model`` names the served model, ``messages`` is a list
of role/content turns, content parts are ``text``, ``input_audio`` ({data: base64, format: wav|mp3})
or ``audio_url``; the audio must decode; ``stream`` is true. Invalid requests get vLLM's error body
(``{"error": {"message", "type", "param", "code"}}``). Answers stream as vLLM's chunks: a role chunk,
content chunks, a chunk with ``finish_reason``, then ``data: [DONE]`` (shapes copied from a real
vLLM 0.32 CPU server).

How it misbehaves is chosen by a path prefix: ``{base}/{mode}/v1``. Modes: ok, error500, malformed,
nochoices, slow, stall, drip, midstream_error, empty, flaky (503 once, then ok).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import threading
import time
from collections import deque
from typing import Any

import soundfile as sf
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

MODEL = "Qwen/Qwen2-Audio-7B-Instruct"
ANSWER = ["Paris", " is", " the", " capital", " of", " France", " [2].", " The", " tower", " is", " 330", " m", " tall", " [1][3]."]


class RequestError(ValueError):
    pass


def decode_audio(part: dict[str, Any]) -> dict[str, Any]:
    """Check an ``input_audio`` or ``audio_url`` part and return what the audio is."""
    if part["type"] == "input_audio":
        body = part.get("input_audio")
        if not isinstance(body, dict) or not isinstance(body.get("data"), str):
            raise RequestError("input_audio needs {'data': base64 string, 'format': ...}")
        if body.get("format") not in {"wav", "mp3"}:
            raise RequestError(f"input_audio format must be 'wav' or 'mp3', got {body.get('format')!r}")
        data, declared = body["data"], body["format"]
    else:
        url = (part.get("audio_url") or {}).get("url", "")
        if not url.startswith("data:audio/") or ";base64," not in url:
            raise RequestError("this test server only takes base64 data URLs for audio_url")
        declared, data = url[len("data:audio/") :].split(";base64,", 1)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RequestError(f"audio data is not valid base64: {exc}") from None
    try:
        samples, rate = sf.read(io.BytesIO(raw), dtype="float32", always_2d=True)
    except Exception as exc:  # noqa: BLE001 - any decode failure is the client's fault here
        raise RequestError(f"audio does not decode as {declared}: {exc}") from None
    return {"format": declared, "rate": rate, "channels": samples.shape[1], "samples": samples.shape[0]}


def validate(body: Any, served_model: str) -> list[dict[str, Any]]:
    """Raise ``RequestError`` for anything vLLM would refuse; return the decoded audio clips."""
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    if body.get("model") != served_model:
        raise LookupError(f"The model `{body.get('model')}` does not exist.")
    if body.get("stream") is not True:
        raise RequestError("this test server only streams: 'stream' must be true")
    for key, kind in (("max_tokens", int), ("temperature", (int, float))):
        if key in body and body[key] is not None and not isinstance(body[key], kind):
            raise RequestError(f"'{key}' has the wrong type")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list")
    clips = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in {"system", "user", "assistant"}:
            raise RequestError(f"bad message: {str(message)[:80]}")
        content = message.get("content")
        if isinstance(content, str):
            continue
        if not isinstance(content, list):
            raise RequestError("content must be a string or a list of parts")
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                if not isinstance(part.get("text"), str):
                    raise RequestError("a text part needs 'text'")
            elif kind in {"input_audio", "audio_url"}:
                if message["role"] != "user":
                    raise RequestError("audio may only be in user turns")
                clips.append(decode_audio(part))
            else:
                raise RequestError(f"Unsupported chat content part type: {kind!r}")
    if messages[-1].get("role") != "user":
        raise RequestError("the last message must be the user's")
    return clips


def error_body(message: str, kind: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def chunk(delta: dict[str, Any], finish: str | None = None, model: str = MODEL) -> str:
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n"


class FakeVllm:
    """The app and what it saw: requests (bounded), and whether a stream was cut by the client."""

    def __init__(self, served_model: str = MODEL, api_key: str | None = None, answer: list[str] | None = None):
        self.served_model = served_model
        self.api_key = api_key
        self.answer = answer or ANSWER
        self.requests: deque[dict[str, Any]] = deque(maxlen=20)
        self.clips: deque[list[dict[str, Any]]] = deque(maxlen=20)
        self.disconnected = threading.Event()
        self.completed = threading.Event()
        self.flaky_failures = 1
        self.slow_s = 30.0
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        @app.post("/{mode}/v1/chat/completions")
        async def chat(mode: str, request: Request):
            if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
                return JSONResponse(error_body("Unauthorized", "Unauthorized", 401), status_code=401)
            try:
                body = await request.json()
                clips = validate(body, self.served_model)
            except LookupError as exc:
                return JSONResponse(error_body(str(exc), "NotFoundError", 404), status_code=404)
            except (RequestError, json.JSONDecodeError) as exc:
                return JSONResponse(error_body(str(exc), "BadRequestError", 400), status_code=400)
            self.requests.append(body)
            self.clips.append(clips)
            if mode == "error500":
                return JSONResponse(error_body("CUDA out of memory", "InternalServerError", 500), status_code=500)
            if mode == "flaky" and self.flaky_failures > 0:
                self.flaky_failures -= 1
                return JSONResponse(error_body("The engine is loading", "ServiceUnavailable", 503), status_code=503)
            if mode == "slow":
                await asyncio.sleep(self.slow_s)
            return StreamingResponse(self._events(mode), media_type="text/event-stream")

        return app

    async def _events(self, mode: str):
        try:
            yield chunk({"role": "assistant", "content": ""})
            if mode == "empty":
                yield chunk({"content": ""}, finish="stop")
            elif mode == "nochoices":
                yield 'data: {"id": "chatcmpl-test", "object": "chat.completion.chunk"}\n\n'
            elif mode == "malformed":
                yield chunk({"content": self.answer[0]})
                yield "data: {this is not json\n\n"
            elif mode == "midstream_error":
                yield chunk({"content": self.answer[0]})
                yield f"data: {json.dumps(error_body('EngineCore encountered an issue', 'InternalServerError', 500))}\n\n"
            elif mode == "stall":
                yield chunk({"content": self.answer[0]})
                await asyncio.sleep(self.slow_s)
            elif mode == "drip":
                for index in range(200):
                    yield chunk({"content": f" word{index}"})
                    await asyncio.sleep(0.05)
            else:
                for piece in self.answer:
                    yield chunk({"content": piece})
                yield chunk({"content": ""}, finish="stop")
            yield "data: [DONE]\n\n"
            self.completed.set()
        except BaseException:  # the client went away: Starlette cancels this generator
            self.disconnected.set()
            raise


class ServerThread:
    """Runs an ASGI app with uvicorn on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
