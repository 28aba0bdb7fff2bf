"""Malformed input against the real server on 127.0.0.1 (opt-in: `make test-slow`).

Hypothesis drives the websocket (control messages with wrong types and values, random text, random
and half-valid binary frames, now and then a real spoken question) and the upload routes (random
file names, types, bytes, form fields and raw bodies), a bounded number of examples each
(``SEAL_FUZZ_EXAMPLES``, default 150). The bar: no HTTP answer is a 5xx; no session crashes (a close
other than 1000/1008/1013, a close without an error event first, a session that stops answering, or
an error logged by the server); and a fresh session works afterwards. Each test prints its figures.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from fixtures.retrieval_kit import minimal_pdf
from live_server import QUESTION, pcm_frames, spoken, with_silence
from models.audio import wav_bytes

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SEAL_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
CLEAN_CLOSES = {1000, 1008, 1013}


class ServerErrors(logging.Handler):
    """Every record at ERROR or above that the server logs (uvicorn's 'Exception in ASGI application',
    a pipeline that raised): each one is a crash the client may not even have seen."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}")


@pytest.fixture()
def server_errors():
    handler = ServerErrors()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]  # uvicorn's loggers do not reach the root
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


# -- strategies ---------------------------------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
OPTION_VALUES = {
    "sample_rate": st.sampled_from([8000, 16000, 22050, 48000, 0, -1, 10**9]) | json_value,
    "pipelines": st.lists(st.sampled_from(["seal", "asr", "text", "SEAL", ""]), max_size=3) | json_value,
    "collection": st.sampled_from(["ws_fixture", "nope", "../../etc", "a" * 300, "", "a/b", "\x00"]) | st.text(max_size=30),
    "mode": st.sampled_from(["vad", "ptt", "both"]) | json_value,
    "k": st.integers(-5, 100) | json_value,
    "answer": st.booleans() | json_value,
    "answer_from": st.sampled_from(["auto", "seal", "asr", "text"]) | json_value,
    "vad": st.fixed_dictionaries({}, optional={
        "aggressiveness": st.integers(-1, 5), "frame_ms": st.sampled_from([10, 20, 30, 40]), "start_frames": st.integers(0, 30),
        "end_silence_ms": st.integers(0, 6000), "pre_roll_ms": st.integers(-1, 3000), "bogus": json_value}) | json_value,
    "extra": json_value,
}
control = st.builds(
    lambda kind, fields: json.dumps({"type": kind, **fields}),
    st.sampled_from(["start", "config", "stop", "reset", "dance", ""]),
    st.fixed_dictionaries({}, optional=OPTION_VALUES),
)
HEADERS = [b"RIFF\x24\x00\x00\x00WAVEfmt ", b"OggS\x00\x02", b"fLaC\x00\x00\x00\x22", b"ID3\x04\x00", b"\x1aE\xdf\xa3\x01", b'{"type": "start"}']
frame = (
    st.binary(max_size=64)
    | st.binary(min_size=320, max_size=3200)
    | st.sampled_from(HEADERS).flatmap(lambda head: st.binary(max_size=600).map(lambda tail: head + tail))
    | st.integers(1, 40).map(lambda n: b"\x00\x00" * 320 * n)  # silence, 20 ms frames
    | st.just(b"SPEECH")  # marker: the real spoken question, sent as 40 ms frames
)
message = control | frame | st.text(max_size=200) | json_value.map(json.dumps)
conversation = st.lists(message, max_size=40) | st.lists(control, min_size=15, max_size=60)  # the second: bursts


# -- the websocket ------------------------------------------------------------------------------------


sent: collections.Counter = collections.Counter()


def _send_all(ws, messages: list, speech: list[bytes]) -> None:
    for item in messages:
        kind = "speech" if item == b"SPEECH" else "binary" if isinstance(item, bytes) else "text"
        sent[kind] += 1
        for part in speech if item == b"SPEECH" else [item]:
            ws.send(part)


def _probe(ws) -> str:
    """'alive' if a start still gets a ready; else how the server closed the socket."""
    events = []
    try:
        ws.send(json.dumps({"type": "start", "answer": False}))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            event = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            events.append(event)
            if event["type"] == "ready":
                return "alive"
        return "hung: no ready within 90 s"
    except ConnectionClosed:
        pass
    except TimeoutError:
        return "hung: no ready within 90 s"
    code = ws.close_code
    return f"closed {code}" if code in CLEAN_CLOSES else f"crashed: close {code} {ws.close_reason!r}"


def test_fuzzed_conversations_never_crash_a_session(server, server_errors):
    speech = pcm_frames(with_silence(spoken(QUESTION[0]), 0.3, 0.8), 40)
    outcomes: collections.Counter = collections.Counter()
    started = time.monotonic()

    @FUZZ
    @given(conversation)
    def run(messages):
        with connect(server.ws, open_timeout=30, close_timeout=5, max_size=None) as ws:
            try:
                _send_all(ws, messages, speech)
            except ConnectionClosed:
                pass
            outcome = _probe(ws)
        outcomes[outcome.split(":")[0] if outcome.startswith(("crashed", "hung")) else outcome] += 1
        assert not outcome.startswith(("crashed", "hung")), f"{outcome} after {messages!r}"

    run()
    _fresh_session_works(server)
    print(f"\nwebsocket fuzz: {sum(outcomes.values())} conversations ({dict(sent)} messages) in {time.monotonic() - started:.0f} s: "
          f"{dict(outcomes)}; server errors logged: {len(server_errors.records)}")
    assert not server_errors.records, server_errors.records[:3]


def _fresh_session_works(server) -> None:
    with connect(server.ws, open_timeout=30) as ws:
        assert _probe(ws) == "alive"
    for _ in range(100):
        if httpx.get(server.base + "/readyz").json()["sessions"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError("sessions leaked: /readyz still counts open sessions")


# -- the upload routes --------------------------------------------------------------------------------

NAMES = st.sampled_from(["a.txt", "b.md", "c.html", "d.pdf", "e.jsonl", "f.exe", "", "../../x.txt", "q.wav", "r.ogg", "s.flac",
                         "x.TXT", ".jsonl", "a" * 300 + ".txt", "nul\x00.txt"]) | st.text(max_size=30)
CONTENTS = (
    st.binary(max_size=1500)
    | st.text(max_size=800).map(str.encode)
    | st.lists(json_value.map(json.dumps), max_size=5).map(lambda lines: "\n".join(lines).encode())
    | st.lists(st.fixed_dictionaries({"id": json_value, "text": st.text(max_size=80)}, optional={"title": json_value, "source": json_value}),
               max_size=4).map(lambda recs: "\n".join(json.dumps(r) for r in recs).encode())
    | st.binary(max_size=400).map(lambda tail: minimal_pdf("Fuzz")[: len(tail) % 600] + tail)
    | st.binary(max_size=200).map(lambda tail: b"%PDF-1.7\n" + tail)
)
FIELDS = st.dictionaries(st.sampled_from(["collection", "k", "pipelines", "x"]),
                         st.sampled_from(["fuzz", "ws_fixture", "../x", "", "0", "seal,asr", "text"]) | st.text(max_size=30), max_size=3)
statuses: collections.Counter = collections.Counter()


def _post(http, path: str, **kwargs) -> httpx.Response:
    r = http.post(path, **kwargs)
    statuses[f"{path} {r.status_code}"] += 1
    assert r.status_code < 500, f"{r.status_code} {r.text[:300]}"
    return r


def test_fuzzed_uploads_never_get_a_5xx(server, server_errors):
    started = time.monotonic()
    wav = wav_bytes(spoken(QUESTION[0]))
    with httpx.Client(base_url=server.base, timeout=180) as http:

        @FUZZ
        @given(st.lists(st.tuples(st.sampled_from(["files", "audio", "file", ""]), NAMES,
                                  CONTENTS | st.just(wav), st.sampled_from(["text/plain", "application/pdf", "audio/wav", "x/y"])),
                        max_size=4), FIELDS, st.sampled_from(["/api/ingest", "/api/search"]))
        def upload(parts, fields, path):
            files = [(field or "files", (name, content, kind)) for field, name, content, kind in parts]
            _post(http, path, files=files or None, data=fields or None)

        @FUZZ
        @given(st.binary(max_size=2000) | json_value.map(lambda v: json.dumps(v).encode()),
               st.sampled_from(["application/json", "multipart/form-data", "multipart/form-data; boundary=x",
                                "multipart/form-data; boundary=", "text/plain", "", "application/x-www-form-urlencoded"]),
               st.sampled_from(["/api/ingest", "/api/search"]))
        def raw(body, kind, path):
            _post(http, path, content=body, headers={"content-type": kind} if kind else {})

        @FUZZ
        @given(st.fixed_dictionaries({}, optional={"text": json_value | st.text(max_size=300), "collection": OPTION_VALUES["collection"],
                                                   "k": json_value, "pipelines": json_value | st.lists(st.sampled_from(["text", "seal", "asr"]))}))
        def text_query(query):  # json.dumps writes NaN and Infinity, which strict JSON has not: fine fuzz
            _post(http, "/api/search", content=json.dumps(query).encode(), headers={"content-type": "application/json"})

        upload()
        raw()
        text_query()
    _fresh_session_works(server)
    print(f"\nupload fuzz: {sum(statuses.values())} requests in {time.monotonic() - started:.0f} s: "
          f"{dict(sorted(statuses.items()))}; server errors logged: {len(server_errors.records)}")
    assert not server_errors.records, server_errors.records[:3]
