"""The retrieval pipelines, shared by the server, the CLI, the evaluator and the benchmarks.

- ``SealPipeline``: audio -> SEAL speech tower -> ``seal`` vector search (no transcription);
  text -> SEAL text side -> the same vectors.
- ``AsrPipeline``: audio -> Whisper transcript -> text embedder -> ``text`` vector search (the baseline).
- ``TextPipeline``: the true text -> text embedder -> ``text`` vectors (the oracle in evaluation).
- ``FusedRanking``: not a search of its own: one ranking from SEAL's and the ASR pipeline's results
  for the same utterance (``retrieval/fusion.py``); it needs both, so it is as late as the slower.

``build_pipelines`` is the one place they are made from loaded models and a store: the server
(``app/resources.py``), ``seal search``, ``seal eval`` and ``seal bench latency`` all call it.

Each ``run`` times itself from the moment it is called, which for a live utterance is the end of speech,
so ``timings_ms["total"]`` is the latency from end of utterance to top-k hits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.fusion import DEFAULT_METHOD, DEPTH, fuse
from retrieval.store import Hit, KnowledgeStore


@dataclass
class RetrievalResult:
    pipeline: str
    hits: list[Hit]
    timings_ms: dict[str, float] = field(default_factory=dict)
    transcript: str | None = None
    # The vector the pipeline searched with (none for the fused ranking): the answer's extractive
    # fallback ranks sentences by it. Not part of ``to_dict``: clients never see it.
    query_vector: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "hits": [hit.to_dict() for hit in self.hits],
            "timings_ms": self.timings_ms,
            "transcript": self.transcript,
        }


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


def _text_search(name: str, text_embedder, store: KnowledgeStore, text: str, collection: str, k: int,
                 source: str | None, start: float, timings: dict[str, float]) -> RetrievalResult:
    """Embed ``text`` with the text tower and search the ``text`` vectors; ``start``: when the pipeline began."""
    embed_start = time.perf_counter()
    vector = text_embedder.encode([text])[0]
    timings["embed"] = _ms(embed_start)
    search_start = time.perf_counter()
    hits = store.search(collection, vector, using="text", k=k, source=source)
    timings["search"] = _ms(search_start)
    timings["total"] = _ms(start)
    return RetrievalResult(name, hits, timings, text, vector)


class SealPipeline:
    name = "seal"

    def __init__(self, seal_model, store: KnowledgeStore) -> None:
        self.seal_model = seal_model
        self.store = store

    def run(self, query: np.ndarray | str, collection: str, k: int = 5, source: str | None = None) -> RetrievalResult:
        start = time.perf_counter()
        if isinstance(query, str):
            vector = self.seal_model.embed_text([query])[0]
            timings = {"embed": _ms(start)}
        else:
            vector, parts = self.seal_model.embed_audio_timed(query)
            timings = {key.removesuffix("_ms"): round(float(value), 3) for key, value in parts.items()}
        search_start = time.perf_counter()
        hits = self.store.search(collection, vector, using="seal", k=k, source=source)
        timings["search"] = _ms(search_start)
        timings["total"] = _ms(start)
        return RetrievalResult(self.name, hits, timings, query_vector=vector)


class AsrPipeline:
    name = "asr"

    def __init__(self, transcriber, text_embedder, store: KnowledgeStore) -> None:
        self.transcriber = transcriber
        self.text_embedder = text_embedder
        self.store = store

    def run(self, audio: np.ndarray, collection: str, k: int = 5, source: str | None = None) -> RetrievalResult:
        start = time.perf_counter()
        transcript = self.transcriber.transcribe(audio).strip()
        timings = {"decode": _ms(start)}
        # An empty transcript (silence, noise) still searches, with an empty query, so the caller gets
        # hits and timings in the same shape; the transcript tells it nothing was heard.
        return _text_search(self.name, self.text_embedder, self.store, transcript, collection, k, source, start, timings)


class TextPipeline:
    name = "text"

    def __init__(self, text_embedder, store: KnowledgeStore) -> None:
        self.text_embedder = text_embedder
        self.store = store

    def run(self, text: str, collection: str, k: int = 5, source: str | None = None) -> RetrievalResult:
        return _text_search(self.name, self.text_embedder, self.store, text, collection, k, source, time.perf_counter(), {})


class FusedRanking:
    """SEAL's and the ASR pipeline's hits for one utterance as one ranking.

    Give both pipelines ``depth(k)`` hits to fuse: a passage one of them ranks 12th still counts.
    ``timings_ms``: ``fuse`` (its own work), ``total`` = the slower pipeline's total + ``fuse``
    (the two run at once in the server; the fused ranking waits for both).
    """

    name = "fused"

    def __init__(self, method: str = DEFAULT_METHOD) -> None:
        fuse([], method)  # an unknown method fails here, naming the known ones
        self.method = method

    @staticmethod
    def depth(k: int) -> int:
        return max(k, DEPTH)

    def run(self, seal: RetrievalResult, asr: RetrievalResult, k: int = 5) -> RetrievalResult:
        start = time.perf_counter()
        hits = fuse([seal.hits, asr.hits], self.method, limit=k)
        fuse_ms = _ms(start)
        total = max(seal.timings_ms.get("total", 0.0), asr.timings_ms.get("total", 0.0)) + fuse_ms
        return RetrievalResult(self.name, hits, {"fuse": fuse_ms, "total": round(total, 3)})


PIPELINES = ("seal", "asr", "text")


def build_pipelines(store: KnowledgeStore, seal_model=None, transcriber=None, text_embedder=None,
                    names: tuple[str, ...] | list[str] = PIPELINES) -> dict[str, SealPipeline | AsrPipeline | TextPipeline]:
    """The named pipelines over ``store``, from whichever models they need (a missing one is an error)."""
    needs = {"seal": ("seal_model",), "asr": ("transcriber", "text_embedder"), "text": ("text_embedder",)}
    given = {"seal_model": seal_model, "transcriber": transcriber, "text_embedder": text_embedder}
    unknown = [name for name in names if name not in needs]
    if unknown:
        raise ValueError(f"unknown pipeline(s) {unknown}; choose from {', '.join(PIPELINES)}")
    for name in names:
        missing = [model for model in needs[name] if given[model] is None]
        if missing:
            raise ValueError(f"the {name} pipeline needs {' and '.join(missing)}")
    built = {"seal": lambda: SealPipeline(seal_model, store),
             "asr": lambda: AsrPipeline(transcriber, text_embedder, store),
             "text": lambda: TextPipeline(text_embedder, store)}
    return {name: built[name]() for name in names}
