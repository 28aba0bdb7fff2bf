"""The three retrieval pipelines on real synthesized speech: hits, timings from the call, transcript."""

from __future__ import annotations

import numpy as np
import pytest

from app.pipelines import AsrPipeline, SealPipeline, TextPipeline
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


def test_seal_pipeline_embeds_speech_and_searches_the_seal_vectors(store):
    seal, _ = models()
    audio = synthesize("Which notes is a guitar tuned to?", "espeak:en-us")
    result = SealPipeline(seal, store).run(audio, "kb", k=3)
    assert result.pipeline == "seal" and result.transcript is None
    assert len(result.hits) == 3 and all(-1.0 <= h.score <= 1.0 for h in result.hits)
    assert list(result.timings_ms) == ["features", "encoder", "adapter", "search", "total"]
    assert result.timings_ms["total"] >= result.timings_ms["encoder"] > 0
    if seal.trained and not seal.behind_asr and "guitar" not in [h.doc_id for h in result.hits]:
        # Known limit (model card): the 2026-11-28 checkpoint leads ASR on its dev set but misses this
        # demo-KB question, outside its training domain (Debian, dictionaries, man pages). Shown, not hidden.
        pytest.xfail(f"SEAL's top 3 for the guitar question: {[h.doc_id for h in result.hits]}")


def test_text_queries_use_the_matching_tower(store):
    seal, text = models()
    by_seal = SealPipeline(seal, store).run("how long do penguin fathers keep the egg warm", "kb", k=3)
    by_text = TextPipeline(text, store).run("how long do penguin fathers keep the egg warm", "kb", k=3)
    assert by_seal.hits[0].doc_id == by_text.hits[0].doc_id == "penguins"
    assert list(by_seal.timings_ms) == list(by_text.timings_ms) == ["embed", "search", "total"]
    vector = seal.embed_text(["penguins"])[0]
    assert vector.shape == (seal.dim,) and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)
