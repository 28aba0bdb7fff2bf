"""`seal ingest`, `seal search`, `seal collections` from the command line, with real models and speech."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from app.cli import app
from fixtures.retrieval_kit import KB_SMALL
from models.audio import write_wav
from speech import have, synthesize

runner = CliRunner()


def seal(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def collection():
    name = f"cli-{uuid.uuid4().hex[:8]}"
    result = seal("ingest", KB_SMALL, "--collection", name, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ingest"]["files"] == 1 and report["points"] == 10
    yield name
    from app.settings import get_settings
    from retrieval.store import KnowledgeStore

    with KnowledgeStore(get_settings()) as store:
        store.drop(name)


def test_ingest_if_empty_collections_and_delete(collection):
    again = seal("ingest", KB_SMALL, "--collection", collection, "--if-empty", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["ingest"] is None
    listed = seal("collections", "--json")
    assert json.loads(listed.stdout)[collection] == 10
    deleted = seal("ingest", "--delete", "kb_small.jsonl", "--collection", collection, "--json")
    assert json.loads(deleted.stdout)["deleted"] == {"kb_small.jsonl": 10}


def test_search_by_text_both_pipelines(collection):
    for pipeline in ("seal", "asr"):
        result = seal("search", "--text", "Where does the marathon start?", "--collection", collection,
                      "--pipeline", pipeline, "--k", "2", "--json")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        assert answer["hits"][0]["doc_id"] == "marathon" and len(answer["hits"]) == 2
    table = seal("search", "--text", "Where does the marathon start?", "--collection", collection)
    assert "marathon" in table.stdout and "harbour" in table.stdout


@pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")
def test_search_by_audio(collection, tmp_path):
    wav = tmp_path / "question.wav"
    write_wav(wav, synthesize("How do I descale the coffee machine?", "espeak:en-us"))
    asr = seal("search", "--audio", wav, "--collection", collection, "--pipeline", "asr", "--json")
    assert asr.exit_code == 0, asr.output
    answer = json.loads(asr.stdout)
    assert "coffee" in answer["transcript"].lower() and answer["hits"][0]["doc_id"] == "coffee"
    direct = seal("search", "--audio", wav, "--collection", collection, "--json")
    assert direct.exit_code == 0, direct.output
    answer = json.loads(direct.stdout)
    assert answer["pipeline"] == "seal" and len(answer["hits"]) == 5 and "encoder" in answer["timings_ms"]


def test_clear_errors(tmp_path):
    missing = seal("search", "--text", "anything", "--collection", "no-such-kb")
    assert missing.exit_code == 1 and "seal ingest" in missing.output and "no-such-kb" in missing.output
    both = seal("search", "--text", "x", "--audio", "x.wav")
    assert both.exit_code == 1 and "exactly one" in both.output
    (tmp_path / "noise.wav").write_bytes(b"RIFF not really a wav")
    bad_audio = seal("search", "--audio", tmp_path / "noise.wav")
    assert bad_audio.exit_code == 1 and "noise.wav" in bad_audio.output
    nothing = seal("ingest", tmp_path / "nope.md", "--collection", "no-such-kb", "--json")
    assert nothing.exit_code == 1 and "no such file" in nothing.stdout
    assert "no-such-kb" not in json.loads(seal("collections", "--json").stdout)  # no empty collection left
