"""The HTTP side of the live server: health, search by text and by recording, ingest, upload checks."""

from __future__ import annotations

import numpy as np
import pytest

from live_server import QUESTION, spoken
from models.audio import wav_bytes


def test_health_ready_and_openapi(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz").json()
    assert ready["status"] == "ready" and ready["models_loaded"] and ready["collections"]["ws_fixture"] == 6
    assert set(ready["load_ms"]) == {"store", "seal_model", "text_embedder", "transcriber", "warmup"}
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/ingest", "/healthz", "/readyz"} <= set(paths)
    assert "multipart/form-data" in paths["/api/search"]["post"]["requestBody"]["content"]
    assert "Swagger" in http.get("/docs").text


def test_text_search_finds_the_passage(http):
    body = http.post("/api/search", json={"text": "what time does the library open", "k": 2, "pipelines": ["text", "seal"]}).json()
    results = {r["pipeline"]: r for r in body["results"]}
    assert results["text"]["hits"][0]["doc_id"] == "library"
    assert len(results["seal"]["hits"]) == 2 and "total" in results["seal"]["timings_ms"]


def test_audio_search_runs_both_pipelines(http):
    wav = wav_bytes(spoken(QUESTION[0]))
    r = http.post("/api/search", files={"audio": ("q.wav", wav, "audio/wav")}, data={"k": "3", "pipelines": "seal,asr"})
    assert r.status_code == 200, r.text
    results = {x["pipeline"]: x for x in r.json()["results"]}
    assert results["asr"]["hits"][0]["doc_id"] == QUESTION[1]
    assert "library" in results["asr"]["transcript"].lower()
    assert {"features", "encoder", "adapter", "search", "total"} <= set(results["seal"]["timings_ms"])
    assert "app;dur=" in r.headers["server-timing"]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        ({"files": {"audio": ("q.exe", b"MZ\x90\x00", "application/octet-stream")}}, 415, "bad_file_type"),
        ({"files": {"audio": ("q.wav", b"this is not audio at all", "audio/wav")}}, 415, "bad_audio"),
        ({"files": {"audio": ("q.wav", b"", "audio/wav")}}, 400, "empty_file"),
        ({"files": {"audio": ("q.wav", b"\x00" * (1024 * 1024 + 10), "audio/wav")}}, 413, "too_large"),
        ({"files": {"other": ("q.wav", b"RIFF", "audio/wav")}}, 400, "no_audio"),
        ({"json": {"text": ""}}, 400, "bad_query"),
        ({"json": {"text": "library", "pipelines": ["asr"]}}, 400, "bad_pipelines"),
        ({"json": {"text": "library", "collection": "nope"}}, 404, "unknown_collection"),
        ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "bad_content_type"),
    ],
)
def test_bad_searches_are_refused_with_a_reason(http, request_kwargs, status, code):
    r = http.post("/api/search", **request_kwargs)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert detail["code"] == code and detail["message"]


def test_too_long_recording_is_refused(http):
    wav = wav_bytes(np.zeros(16_000 * 9, np.float32))  # the fixture server's limit is 8 s
    r = http.post("/api/search", files={"audio": ("long.wav", wav, "audio/wav")})
    assert r.status_code == 400 and "8 s limit" in r.json()["detail"]["message"]


def test_ingest_uploads_and_checks_them(http):
    doc = b"# Ferry\n\nThe river ferry leaves the north pier every half hour between seven and seven.\n"
    r = http.post("/api/ingest", files=[("files", ("ferry.md", doc, "text/markdown"))], data={"collection": "uploads"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["files"] == 1 and report["chunks"] >= 1 and report["collection"] == "uploads"
    hits = http.post("/api/search", json={"text": "when does the ferry leave", "collection": "uploads"}).json()
    assert hits["results"][0]["hits"][0]["source"] == "ferry.md"

    r = http.post("/api/ingest", files=[("files", ("tool.exe", b"MZ", "application/octet-stream"))])
    assert r.status_code == 415 and ".md" in r.json()["detail"]["message"]
    r = http.post("/api/ingest", files=[("files", ("big.txt", b"a" * (1024 * 1024 + 1), "text/plain"))])
    assert r.status_code == 413
    # A broken file among good ones is reported, the good one goes in.
    r = http.post(
        "/api/ingest",
        files=[("files", ("broken.pdf", b"%PDF-1.4 not really", "application/pdf")), ("files", ("ok.txt", b"Tides turn twice a day.", "text/plain"))],
        data={"collection": "uploads"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["files"] == 1 and [s["path"] for s in r.json()["skipped"]] and "broken.pdf" in str(r.json()["skipped"])


def test_token_guards_the_api(http, server, monkeypatch):
    monkeypatch.setattr(server.settings, "api_token", "s3cret")
    r = http.post("/api/search", json={"text": "library"})
    assert r.status_code == 401 and "token" in r.json()["detail"]["message"]
    assert http.post("/api/search", json={"text": "library"}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert http.post("/api/search?token=s3cret", json={"text": "library"}).status_code == 200
    assert http.get("/healthz").status_code == 200  # health stays open for orchestrators


def test_page_is_served(http):
    page = http.get("/")
    assert page.status_code == 200 and "SEAL" in page.text
