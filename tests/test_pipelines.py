"""The three retrieval pipelines on real synthesized speech: hits, timings from the call, transcript."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.pipelines import AsrPipeline, SealPipeline, TextPipeline
from app.settings import get_settings
from fixtures.retrieval_kit import KB_SMALL, models, open_store
from retrieval.ingest import ingest_paths
from speech import have, synthesize

pytestmark = pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    seal, text = models()
    with open_store(tmp_path_factory.mktemp("pipelines")) as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        yield store


def test_asr_pipeline_finds_the_spoken_question(store):
    from models.registry import get_transcriber

    _, text = models()
    audio = synthesize("When does the night train to the mountains leave?", "espeak:en-us")
    result = AsrPipeline(get_transcriber(get_settings()), text, store).run(audio, "kb", k=3)
    assert result.pipeline == "asr" and "train" in result.transcript.lower()
    assert result.hits[0].doc_id == "train"
    assert list(result.timings_ms) == ["decode", "embed", "search", "total"]
    parts = result.timings_ms["decode"] + result.timings_ms["embed"] + result.timings_ms["search"]
    assert result.timings_ms["total"] >= parts > 0
    assert result.to_dict()["hits"][0]["doc_id"] == "train"
    assert result.query_vector == pytest.approx(text.encode([result.transcript])[0], abs=1e-5)
    assert "query_vector" not in result.to_dict()  # clients get hits, not vectors


def _kb_records() -> list[dict]:
    return [json.loads(line) for line in KB_SMALL.read_text().splitlines() if line.strip()]


def test_seal_pipeline_embeds_speech_and_searches_the_seal_vectors(store):
    """The hits are the passages nearest to the speech vector among SEAL's text-side vectors, computed
    here without the store or ingestion: a pipeline that searched the ``text`` vectors, embedded the
    audio another way or ranked wrongly fails. (Whether SEAL hears this question well is the dev
    sets' business: the checkpoint misses some questions, which says nothing about the pipeline.)"""
    seal, _ = models()
    audio = synthesize("Which notes is a guitar tuned to?", "espeak:en-us")
    result = SealPipeline(seal, store).run(audio, "kb", k=3)
    assert result.pipeline == "seal" and result.transcript is None
    assert list(result.timings_ms) == ["features", "encoder", "adapter", "search", "total"]
    assert result.timings_ms["total"] >= result.timings_ms["encoder"] > 0

    speech = seal.embed_audio([audio])[0]
    assert result.query_vector == pytest.approx(speech, abs=2e-3)  # what the answer's fallback ranks sentences by
    records = _kb_records()
    cosines = seal.embed_text([r["text"] for r in records]) @ speech
    expected = {r["id"]: float(c) for r, c in zip(records, cosines)}
    assert len(result.hits) == 3
    for hit in result.hits:  # each hit's score is its passage's cosine to the speech vector...
        assert hit.score == pytest.approx(expected[hit.doc_id], abs=2e-3), hit.doc_id
    best = sorted(expected.values(), reverse=True)[:3]  # ...and they are the three best (ties in any order)
    assert [h.score for h in result.hits] == pytest.approx(best, abs=2e-3)


def test_text_queries_use_the_matching_tower(store):
    seal, text = models()
    by_seal = SealPipeline(seal, store).run("how long do penguin fathers keep the egg warm", "kb", k=3)
    by_text = TextPipeline(text, store).run("how long do penguin fathers keep the egg warm", "kb", k=3)
    assert by_seal.hits[0].doc_id == by_text.hits[0].doc_id == "penguins"
    assert list(by_seal.timings_ms) == list(by_text.timings_ms) == ["embed", "search", "total"]
    vector = seal.embed_text(["penguins"])[0]
    assert vector.shape == (seal.dim,) and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)


def test_build_pipelines_names_what_a_pipeline_is_missing(store):
    from retrieval.pipelines import build_pipelines

    seal, text = models()
    built = build_pipelines(store, seal_model=seal, text_embedder=text, names=["seal", "text"])
    assert [p.name for p in built.values()] == ["seal", "text"]
    with pytest.raises(ValueError, match="asr pipeline needs transcriber"):
        build_pipelines(store, seal_model=seal, text_embedder=text, names=["asr"])
    with pytest.raises(ValueError, match="unknown pipeline"):
        build_pipelines(store, seal_model=seal, names=["whisper"])
