"""`seal eval`: Top-1/3/10, MRR and latency of the seal, asr, fused and text pipelines on one KB and query set.

The knowledge base is ingested with the project's own ingestion (both named vectors), every query is
spoken by each requested voice (or read from its ``audio`` file), and each utterance goes through the
same ``retrieval.pipelines`` objects the server uses, so the latency here is the latency a user sees from
end of utterance to hits. All pipelines run in the same process, on the same machine, in one run.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PIPELINES = ("seal", "asr", "fused", "text")
DEFAULT_VOICE = "espeak:en-us"
BREAKDOWNS = {"by_voice", "by_family", "meta"}  # report keys that are not pipelines
RANKED = 10  # Top-10 and MRR count the first this many hits
FUSED_NOTE = ("fused: one ranking from SEAL's and ASR's hits; it waits for ASR's, so its latency is the slower "
              "pipeline's plus the fusion (the server runs both at once)")


class EvalError(ValueError):
    """Bad input to the evaluator, with a message naming the file and line."""


@dataclass
class Query:
    id: str
    text: str
    relevant: list[str]
    audio: Path | None = None
    voice: str | None = None  # who spoke the audio file, when the queries file says


@dataclass
class Outcome:
    query: str
    voice: str
    pipeline: str
    rank: int | None  # 1-based rank of the first relevant passage in the top 10, None if absent
    total_ms: float
    timings_ms: dict = field(default_factory=dict)
    transcript: str | None = None
    top: list[str] = field(default_factory=list)


def read_queries(path: Path) -> list[Query]:
    if not path.is_file():
        raise EvalError(f"{path}: no such queries file")
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path} line {number}: not JSON ({exc.msg})") from None
        if not record.get("id") or not record.get("text") or not record.get("relevant"):
            raise EvalError(f'{path} line {number}: needs "id", "text" and a non-empty "relevant" list')
        audio = record.get("audio")
        queries.append(Query(str(record["id"]), str(record["text"]), [str(r) for r in record["relevant"]],
                             (path.parent / audio) if audio else None, record.get("voice")))
    if not queries:
        raise EvalError(f"{path}: no queries")
    return queries


def rank_of(hits, relevant: list[str]) -> tuple[int | None, list[str]]:
    """Rank of the first relevant passage among distinct documents (a long passage may have chunks)."""
    docs: list[str] = []
    for hit in hits:
        doc = hit.doc_id or hit.id
        if doc not in docs:
            docs.append(doc)
    wanted = set(relevant)
    return next((i + 1 for i, doc in enumerate(docs) if doc in wanted), None), docs


def metrics(outcomes: list[Outcome]) -> dict:
    ranks = [o.rank for o in outcomes]
    n = len(ranks)
    totals = np.array([o.total_ms for o in outcomes]) if outcomes else np.zeros(1)

    def top(k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / max(n, 1), 4)

    parts: dict[str, list[float]] = {}
    for o in outcomes:
        for key, value in o.timings_ms.items():
            parts.setdefault(key, []).append(value)
    return {
        "top1": top(1), "top3": top(3), "top10": top(10),
        "mrr": round(sum(1 / r for r in ranks if r) / max(n, 1), 4), "n": n,
        "p50_ms": round(float(np.percentile(totals, 50)), 2), "p95_ms": round(float(np.percentile(totals, 95)), 2),
        "stages_p50_ms": {key: round(float(np.percentile(v, 50)), 2) for key, v in parts.items()},
    }


class Evaluator:
    """Holds the models, a store and the collection; ``run`` evaluates queries x voices x pipelines."""

    def __init__(self, settings, pipelines: list[str], collection: str | None = None, checkpoint: str | None = None,
                 fusion: list[str] | None = None) -> None:
        from retrieval.pipelines import FusedRanking, build_pipelines
        from models import registry
        from retrieval.store import KnowledgeStore

        unknown = [p for p in pipelines if p not in PIPELINES]
        if unknown:
            raise EvalError(f"unknown pipeline(s) {unknown}; choose from {', '.join(PIPELINES)}")
        # fused ranks SEAL's and ASR's hits: both run (and are reported) whenever it is asked for
        self.fusions: dict[str, FusedRanking] = {}
        if "fused" in pipelines:
            methods = fusion or [None]
            try:
                rankers = [FusedRanking(m) if m else FusedRanking() for m in methods]
            except ValueError as exc:
                raise EvalError(f"--fusion: {exc}") from None
            self.fusions = {("fused" if len(rankers) == 1 else f"fused-{r.method}"): r for r in rankers}
            pipelines = [p for p in ("seal", "asr", *pipelines) if p != "fused"]
            pipelines = list(dict.fromkeys(pipelines))
        self._tmp = None
        if collection is None:  # a private embedded store that vanishes afterwards
            self._tmp = tempfile.TemporaryDirectory(prefix="seal-eval-")
            store_settings = settings.model_copy(update={"data_dir": Path(self._tmp.name), "qdrant_url": None})
            collection = "eval"
        else:
            store_settings = settings
        if checkpoint:
            settings = settings.model_copy(update={"checkpoint": checkpoint})
        self.store = KnowledgeStore(store_settings)
        self.seal_model = registry.get_seal_model(settings)
        # The baseline transcribes with the Whisper size the SEAL checkpoint encodes with
        settings = settings.model_copy(update={"whisper_model": self.seal_model.config.whisper_model})
        self.settings, self.collection, self.names = settings, collection, pipelines
        self.text_embedder = registry.get_text_embedder(settings)
        transcriber = registry.get_transcriber(settings) if "asr" in pipelines else None
        self.pipelines = build_pipelines(self.store, self.seal_model, transcriber, self.text_embedder, pipelines)

    def close(self) -> None:
        self.store.close()
        if self._tmp:
            self._tmp.cleanup()

    def ingest(self, kb: Path, progress: bool = True) -> int:
        from retrieval.ingest import ingest_paths

        if not kb.is_file():
            raise EvalError(f"{kb}: no such knowledge-base file")
        report = ingest_paths([kb], self.collection, self.store, self.seal_model, self.text_embedder, progress=progress)
        if report.skipped:
            raise EvalError(f"{kb}: {report.skipped[0].reason}")
        return self.store.count(self.collection)

    def utterances(self, queries: list[Query], voices: list[str]) -> list[tuple[Query, str, np.ndarray]]:
        """(query, voice, audio): the query's own file if it has one, else one synthesis per voice."""
        from models.audio import AudioError, load_audio
        from training.data.voices import SynthesisError, speak

        out, self.skipped = [], []
        for query in queries:
            try:
                if query.audio is not None:
                    audio = load_audio(query.audio, max_seconds=self.settings.max_audio_seconds)
                    out.append((query, query.voice or "file", audio))
                    continue
                for voice in voices or [DEFAULT_VOICE]:
                    out.append((query, voice, speak(query.text, voice)))
            except (AudioError, SynthesisError) as exc:  # one bad query is reported; the others still count
                self.skipped.append({"query": query.id, "error": str(exc)})
        return out

    def warm_up(self, audio: np.ndarray, text: str) -> None:
        """First calls pay for lazy initialisation (thread pools, caches); keep that out of the numbers."""
        for name, pipeline in self.pipelines.items():
            for _ in range(2):
                pipeline.run(text if name == "text" else audio, self.collection, k=10)

    def run(self, utterances, progress: Callable[[], None] | None = None) -> list[Outcome]:
        outcomes = []
        # fusion reads deeper lists than the ten that are scored: a passage one pipeline ranks 12th still counts
        deep = max(RANKED, *(r.depth(RANKED) for r in self.fusions.values())) if self.fusions else RANKED
        for query, voice, audio in utterances:
            results = {}
            for name, pipeline in self.pipelines.items():
                k = deep if name in ("seal", "asr") else RANKED
                results[name] = pipeline.run(query.text if name == "text" else audio, self.collection, k=k)
            for label, ranker in self.fusions.items():
                results[label] = ranker.run(results["seal"], results["asr"], k=RANKED)
            order = sorted(results, key=lambda name: 2 if name == "text" else name.startswith("fused"))  # seal, asr, fused, text
            outcomes += [_outcome(query, voice, name, results[name]) for name in order]
            if progress:
                progress()
        return outcomes


def _outcome(query: Query, voice: str, name: str, result) -> Outcome:
    rank, docs = rank_of(result.hits[:RANKED], query.relevant)
    return Outcome(query.id, voice, name, rank, float(result.timings_ms["total"]), dict(result.timings_ms),
                   result.transcript if name == "asr" else None, docs[:3])


def build_report(outcomes: list[Outcome], meta: dict) -> dict:
    from training.data.voices import family

    pipelines = list(dict.fromkeys(o.pipeline for o in outcomes))
    report: dict = {name: metrics([o for o in outcomes if o.pipeline == name]) for name in pipelines}
    report["by_voice"] = grouped(outcomes, pipelines, lambda o: o.voice)
    # how the voice's engine makes speech (training/data/voices.py): where hearing differs most
    report["by_family"] = grouped(outcomes, pipelines, lambda o: family(o.voice))
    report["meta"] = meta
    return report


def grouped(outcomes: list[Outcome], pipelines: list[str], key: Callable[[Outcome], str]) -> dict:
    """The metrics of each pipeline within each group of outcomes (in order of first appearance)."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o), []).append(o)
    return {name: {p: metrics([o for o in group if o.pipeline == p]) for p in pipelines} for name, group in groups.items()}


def machine_meta() -> dict:
    import torch

    return {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def plot_report(report: dict, path: Path) -> None:
    """Accuracy bars (Top-1/3/10, MRR) and latency bars (p50, p95) per pipeline, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k for k in report if k not in BREAKDOWNS]
    fig, (acc, lat) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / max(len(names), 1)
    keys = ["top1", "top3", "top10", "mrr"]
    for i, name in enumerate(names):
        xs = np.arange(len(keys)) + i * width
        acc.bar(xs, [report[name][k] for k in keys], width, label=name)
        lat.bar(np.arange(2) + i * width, [report[name]["p50_ms"], report[name]["p95_ms"]], width, label=name)
    acc.set_xticks(np.arange(len(keys)) + width * (len(names) - 1) / 2, ["Top-1", "Top-3", "Top-10", "MRR"])
    acc.set_ylim(0, 1)
    acc.set_title(f"retrieval (n = {report[names[0]]['n'] if names else 0})")
    lat.set_xticks(np.arange(2) + width * (len(names) - 1) / 2, ["p50", "p95"])
    lat.set_ylabel("ms, end of utterance -> hits")
    lat.set_title("latency")
    for ax in (acc, lat):
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
