"""Which query vector, and which sentence embedder of the same space, a session's answers hand the answerer.

docs/llm.md: the extractive fallback ranks sentences by the query vector with the embedder of its
space: SEAL's vector and SEAL's text side for the SEAL pipeline, the text embedder for ASR; with
neither (the fused ranking), the transcript in the text embedder's space. Fake models and store:
only the wiring is under test, in milliseconds.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import numpy as np

from retrieval.pipelines import AsrPipeline, FusedRanking, SealPipeline
from app.answering import AnswerStream
from app.settings import Settings

SPEECH = np.array([0.6, 0.8, 0.0], dtype=np.float32)  # what the fake SEAL model makes of any audio
AUDIO = np.zeros(16_000, dtype=np.float32)


class FakeSeal:
    def embed_audio_timed(self, audio):
        return SPEECH, {"features_ms": 1.0, "encoder_ms": 1.0, "adapter_ms": 1.0}

    def embed_text(self, texts):
        return np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (len(texts), 1))


class FakeText:
    def __init__(self) -> None:
        self.encoded: list[list[str]] = []

    def encode(self, texts):
        self.encoded.append(list(texts))
        return np.tile(np.array([1.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))


class FakeTranscriber:
    def transcribe(self, audio) -> str:
        return "when does the library open"


class FakeStore:
    def search(self, collection, vector, using="seal", k=5, source=None):
        return []


def _answers(seal: FakeSeal, text: FakeText) -> AnswerStream:
    async def run(fn, *args, **kwargs):
        return fn(*args, **kwargs)

    async def send(event) -> None:
        pass

    res = SimpleNamespace(settings=Settings(), seal_model=seal, text_embedder=text, run=run)
    return AnswerStream(res, send)


def test_seal_hits_come_with_seal_s_own_vector_and_text_side() -> None:
    seal, text = FakeSeal(), FakeText()
    result = SealPipeline(seal, FakeStore()).run(AUDIO, "kb")
    vector, embed = asyncio.run(_answers(seal, text).query_space(result, None))  # a SEAL-only session: no transcript
    assert vector is not None and np.array_equal(vector, SPEECH)
    assert embed == seal.embed_text


def test_asr_hits_come_with_the_transcript_s_vector_encoded_once() -> None:
    seal, text = FakeSeal(), FakeText()
    result = AsrPipeline(FakeTranscriber(), text, FakeStore()).run(AUDIO, "kb")
    vector, embed = asyncio.run(_answers(seal, text).query_space(result, result.transcript))
    assert np.array_equal(vector, [1.0, 0.0, 0.0]) and embed == text.encode
    assert text.encoded == [["when does the library open"]]  # the pipeline's encode, not a second one


def test_the_fused_ranking_reads_the_transcript_in_the_text_embedder_s_space() -> None:
    seal, text = FakeSeal(), FakeText()
    seal_result = SealPipeline(seal, FakeStore()).run(AUDIO, "kb")
    asr_result = AsrPipeline(FakeTranscriber(), text, FakeStore()).run(AUDIO, "kb")
    fused = FusedRanking().run(seal_result, asr_result)
    vector, embed = asyncio.run(_answers(seal, text).query_space(fused, asr_result.transcript))
    assert np.array_equal(vector, [1.0, 0.0, 0.0]) and embed == text.encode
    assert asyncio.run(_answers(seal, text).query_space(fused, None)) == (None, None)
