"""`seal mic --file`: the terminal client streams a recording to the live server and prints the events."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


from live_server import PAUSED_QUESTION, QUESTION, spoken, spoken_with_pause, with_silence
from models.audio import write_wav

ROOT = Path(__file__).resolve().parents[1]
SEAL = [sys.executable, "-m", "app.cli"]


def _mic(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SEAL, "mic", *args], capture_output=True, text=True, timeout=180, cwd=ROOT)


def test_mic_file_streams_and_prints_every_event_as_json(server, tmp_path):
    wav = tmp_path / "q.wav"
    write_wav(wav, with_silence(spoken(QUESTION[0])))
    done = _mic("--url", server.ws, "--file", str(wav), "--speed", "4", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["type"] for e in events if e["type"] != "retrieval.partial"]  # live hits may come before vad.end
    assert kinds[:3] == ["ready", "vad.start", "vad.end"]
    assert kinds[-1] == "answer.done"
    asr = next(e for e in events if e["type"] == "retrieval" and e["pipeline"] == "asr")
    assert asr["hits"][0]["doc_id"] == QUESTION[1]
    assert any(e["type"] == "retrieval" and e["pipeline"] == "seal" for e in events)


def test_mic_prints_for_people_and_says_what_is_wrong(server, tmp_path):
    wav = tmp_path / "q.wav"
    write_wav(wav, with_silence(spoken(QUESTION[0])))
    done = _mic("--url", server.ws, "--file", str(wav), "--speed", "4", "--pipelines", "asr", "--no-answer")
    assert done.returncode == 0, done.stderr
    assert "Library hours" in done.stdout and "heard:" in done.stdout and "ms after speech" in done.stdout

    missing = _mic("--url", server.ws, "--file", str(tmp_path / "nope.wav"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    unreachable = _mic("--url", "ws://127.0.0.1:9/ws", "--file", str(wav))
    assert unreachable.returncode == 1 and "is `seal serve` running?" in unreachable.stderr
    bad = _mic("--url", server.ws, "--file", str(wav), "--pipelines", "magic")
    assert bad.returncode == 1 and "--pipelines" in bad.stderr


def test_mic_prints_live_hits_while_the_question_goes_on(server, tmp_path):
    wav = tmp_path / "paused.wav"
    write_wav(wav, with_silence(spoken_with_pause(*PAUSED_QUESTION), after_s=1.2))
    done = _mic("--url", server.ws, "--file", str(wav), "--pipelines", "seal", "--no-answer")  # real time, as spoken
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "seal live, provisional" in out and "heard so far" in out
    assert out.index("provisional") < out.index("s of speech")  # before the turn ended
    quiet = _mic("--url", server.ws, "--file", str(wav), "--pipelines", "seal", "--no-answer", "--no-live", "--json")
    assert quiet.returncode == 0, quiet.stderr
    kinds = [json.loads(line)["type"] for line in quiet.stdout.splitlines()]
    assert "retrieval.partial" not in kinds and "retrieval" in kinds
