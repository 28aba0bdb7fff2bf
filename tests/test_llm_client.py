"""The vLLM client against a real HTTP server that checks vLLM's request shape and streams its chunks."""

from __future__ import annotations

import asyncio
import base64
import io
import socket

import httpx
import numpy as np
import pytest
import soundfile as sf

from fake_openai_server import MODEL, FakeVllm, ServerThread
from llm.answer import get_answerer
from llm.client import LlmConfig, VllmAnswerer
from llm.fallback import FallbackAnswerer
from llm.types import AnswerDelta, FinalAnswer, Turn

PASSAGES = [
    {"id": "eiffel", "title": "Eiffel Tower", "text": "The Eiffel Tower is 330 metres tall. It stands in Paris."},
    {"id": "paris", "title": "Paris", "text": "Paris is the capital and largest city of France."},
    {"id": "height", "text": "Its height was exceeded by the Chrysler Building in 1930."},
]


@pytest.fixture(scope="module")
def fake() -> FakeVllm:
    return FakeVllm(api_key="secret-key")


@pytest.fixture(scope="module")
def server(fake: FakeVllm):
    with ServerThread(fake.app) as running:
        yield running


@pytest.fixture
def speech() -> np.ndarray:
    """A short real utterance (espeak), as the session hands it over: float32 mono 16 kHz."""
    from speech import synthesize

    return synthesize("How tall is the Eiffel Tower?", "espeak:en-us")


def answerer(server: ServerThread, mode: str, timeout_s: float = 10.0, api_key: str = "secret-key") -> VllmAnswerer:
    return VllmAnswerer(LlmConfig(base_url=f"{server.url}/{mode}/v1", model=MODEL, api_key=api_key, timeout_s=timeout_s))


async def collect(stream) -> tuple[list[AnswerDelta], FinalAnswer]:
    events = [event async for event in stream]
    assert isinstance(events[-1], FinalAnswer) and all(isinstance(e, AnswerDelta) for e in events[:-1])
    return events[:-1], events[-1]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_streams_tokens_and_resolves_citations_to_passage_ids(server, fake, speech):
    deltas, done = await collect(answerer(server, "ok").stream(speech, None, PASSAGES, []))
    assert [d.text for d in deltas] == fake.answer
    assert done.text == "".join(fake.answer)
    assert done.citations == ["paris", "eiffel", "height"]  # [2] then [1][3], in order of first mention
    assert done.source == "llm" and done.error is None
    assert done.ttft_ms is not None and done.ttft_ms > 0


async def test_request_carries_the_audio_passages_and_rules_as_vllm_documents(server, fake, speech):
    await collect(answerer(server, "ok").stream(speech, None, PASSAGES, []))
    body = fake.requests[-1]
    assert body["model"] == MODEL and body["stream"] is True
    assert isinstance(body["max_tokens"], int) and isinstance(body["temperature"], float)
    (user,) = body["messages"]
    audio_part = next(p for p in user["content"] if p["type"] == "input_audio")
    assert audio_part["input_audio"]["format"] == "wav"
    decoded, rate = sf.read(io.BytesIO(base64.b64decode(audio_part["input_audio"]["data"])), dtype="float32")
    assert rate == 16_000 and decoded.ndim == 1 and len(decoded) == len(speech)
    text = next(p for p in user["content"] if p["type"] == "text")["text"]
    assert '<passage n="1" title="Eiffel Tower">\nThe Eiffel Tower is 330 metres tall. It stands in Paris.\n</passage>' in text
    assert '<passage n="2" title="Paris">\nParis is the capital' in text and '<passage n="3"' in text
    assert "only" in text and "[2]" in text and "do not contain" in text
    assert fake.clips[-1] == [{"format": "wav", "rate": 16000, "channels": 1, "samples": len(speech)}]


async def test_history_goes_before_the_question_as_alternating_turns(server, fake, speech):
    history = [
        Turn("what is the eiffel tower", "A wrought-iron tower in Paris [1]."),
        Turn(None, "It opened in 1889 [2]."),
        Turn("and its architect", ""),  # an answer that failed: left out
    ]
    await collect(answerer(server, "ok").stream(speech, "how tall is it", PASSAGES, history))
    messages = fake.requests[-1]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == "what is the eiffel tower"
    assert messages[2]["content"] == "(a spoken question; no transcript)"
    assert messages[3]["content"] == "It opened in 1889 [2]."
    last_text = next(p for p in messages[-1]["content"] if p["type"] == "text")["text"]
    assert '"how tall is it"' in last_text  # the transcript rides along when there is one


async def test_a_text_only_question_needs_no_audio(server, fake):
    _, done = await collect(answerer(server, "ok").stream(None, "How tall is the Eiffel Tower?", PASSAGES, []))
    assert done.error is None
    assert not any(p["type"] == "input_audio" for p in fake.requests[-1]["messages"][-1]["content"])


async def test_http_error_is_one_line_and_the_passages_still_answer(server, speech):
    deltas, done = await collect(answerer(server, "error500").stream(speech, "how tall is the eiffel tower", PASSAGES, []))
    assert done.error and "\n" not in done.error
    assert "HTTP 500" in done.error and "CUDA out of memory" in done.error and server.url in done.error
    assert done.source == "fallback" and deltas and done.text == "".join(d.text for d in deltas)
    assert "eiffel" in done.citations


async def test_wrong_model_name_reports_the_servers_message(server, speech):
    client = VllmAnswerer(LlmConfig(base_url=f"{server.url}/ok/v1", model="no/such-model", api_key="secret-key"))
    _, done = await collect(client.stream(speech, None, PASSAGES, []))
    assert "HTTP 404" in done.error and "no/such-model" in done.error


async def test_wrong_api_key_is_reported(server, speech):
    _, done = await collect(answerer(server, "ok", api_key="wrong").stream(speech, None, PASSAGES, []))
    assert "HTTP 401" in done.error


async def test_malformed_stream_keeps_the_partial_answer_and_says_so(server, speech):
    deltas, done = await collect(answerer(server, "malformed").stream(speech, None, PASSAGES, []))
    assert [d.text for d in deltas] == ["Paris"]
    assert done.text == "Paris" and done.source == "llm"
    assert "malformed stream" in done.error and "incomplete" in done.error and "\n" not in done.error


async def test_chunk_without_choices_is_malformed_and_falls_back(server, speech):
    _, done = await collect(answerer(server, "nochoices").stream(speech, None, PASSAGES, []))
    assert "malformed stream" in done.error and done.source == "fallback"


async def test_error_event_mid_stream_is_reported(server, speech):
    _, done = await collect(answerer(server, "midstream_error").stream(speech, None, PASSAGES, []))
    assert "EngineCore encountered an issue" in done.error and done.text == "Paris"


async def test_empty_answer_falls_back(server, speech):
    _, done = await collect(answerer(server, "empty").stream(speech, None, PASSAGES, []))
    assert "empty answer" in done.error and done.source == "fallback" and done.text


async def test_unreachable_server(speech):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    client = VllmAnswerer(LlmConfig(base_url=url, model=MODEL, timeout_s=5))
    _, done = await collect(client.stream(speech, None, PASSAGES, []))
    assert done.error.startswith(f"The answer model at {url} is unreachable")
    assert "extractive answer" in done.error and done.source == "fallback"


async def test_slow_server_times_out(server, speech):
    _, done = await collect(answerer(server, "slow", timeout_s=0.5).stream(speech, None, PASSAGES, []))
    assert "sent nothing for 0.5 s" in done.error and done.source == "fallback"


async def test_stall_mid_answer_times_out_with_the_partial_text(server, speech):
    _, done = await collect(answerer(server, "stall", timeout_s=0.5).stream(speech, None, PASSAGES, []))
    assert done.text == "Paris" and "sent nothing for 0.5 s" in done.error and "incomplete" in done.error


async def test_next_question_retries_after_a_failure(server, fake, speech):
    fake.flaky_failures = 1
    client = answerer(server, "flaky")
    _, first = await collect(client.stream(speech, None, PASSAGES, []))
    _, second = await collect(client.stream(speech, None, PASSAGES, []))
    assert "HTTP 503" in first.error
    assert second.error is None and second.source == "llm"


async def test_barge_in_cancels_and_closes_the_http_stream(server, fake, speech):
    fake.disconnected.clear()
    fake.completed.clear()
    first_delta = asyncio.Event()
    seen: list[object] = []

    async def consume() -> None:
        async for event in answerer(server, "drip").stream(speech, None, PASSAGES, []):
            seen.append(event)
            first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The server notices the closed connection and stops generating (bounded wait, not a timing check).
    assert await asyncio.to_thread(fake.disconnected.wait, 10)
    assert not fake.completed.is_set()
    assert not any(isinstance(event, FinalAnswer) for event in seen)


async def test_barge_in_while_the_session_awaits_elsewhere_also_closes_the_stream(server, fake, speech):
    """Cancelled between events (the session awaiting its websocket send), not inside the HTTP read."""
    fake.disconnected.clear()
    fake.completed.clear()
    first_delta = asyncio.Event()

    async def consume() -> None:
        async for _ in answerer(server, "drip").stream(speech, None, PASSAGES, []):
            first_delta.set()
            await asyncio.sleep(30)  # stands for `await websocket.send(...)`

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(fake.disconnected.wait, 10)
    assert not fake.completed.is_set()


async def test_the_fake_server_really_rejects_a_bad_audio_part(server):
    body = {
        "model": MODEL,
        "stream": True,
        "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "bm90IGF1ZGlv", "format": "wav"}}]}],
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.url}/ok/v1/chat/completions", json=body, headers={"Authorization": "Bearer secret-key"})
    assert response.status_code == 400 and "does not decode" in response.json()["error"]["message"]


def test_get_answerer_picks_the_client_only_when_a_base_url_is_set():
    from app.settings import Settings

    assert isinstance(get_answerer(Settings()), FallbackAnswerer)
    settings = Settings(llm_base_url="http://vllm:8000/v1/", llm_model="fixie-ai/ultravox-v0_5-llama-3_2-1b", llm_timeout_s=3)
    client = get_answerer(settings)
    assert isinstance(client, VllmAnswerer)
    assert client.config.base_url == "http://vllm:8000/v1" and client.config.model.startswith("fixie-ai/")
    assert client.config.timeout_s == 3 and client.config.connect_timeout_s == 3


async def test_a_question_with_neither_audio_nor_text_is_one_error_line(server):
    events = [e async for e in answerer(server, "ok").stream(None, "  ", PASSAGES, [])]
    assert len(events) == 1 and events[0].error == "Nothing to answer: a question needs audio or text"
