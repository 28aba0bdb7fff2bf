"""`seal eval`: Top-1/3/10, MRR and latency of the seal, asr, fused and text pipelines on one KB and query set.

The knowledge base is ingested with the project's own ingestion (both named vectors), every query is
spoken by each requested voice (or read from its ``audio`` file), and each utterance goes through the
same ``retrieval.pipelines`` objects the server uses, so the latency here is the latency a user sees from
end of utterance to hits. All pipelines run in the same process, on the same machine, in one run.

``run_eval`` does the whole job for the CLI (app/commands/training.py parses the options, builds the
``ModelConfig`` and ``StoreConfig`` from the settings and prints the table).
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from models.registry import ModelConfig
from retrieval.store import StoreConfig
from training.bench.machine import machine_info
from training.bench.queries import jsonl_records

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


@dataclass
class EvalRun:
    """What `seal eval` was asked: the files, the voices and pipelines, where the report goes."""

    kb: Path
    queries: Path
    out: Path = Path("report.json")  # a PNG plot and per-query JSONL go beside it
    voices: list[str] = field(default_factory=list)  # for queries without audio; none: DEFAULT_VOICE
    pipelines: list[str] = field(default_factory=lambda: ["seal", "asr", "text"])
    fusion: list[str] | None = None  # fusion methods for "fused"; None: FusedRanking's default
    collection: str | None = None  # keep the KB in this collection of the store; None: a private temp store
    limit: int | None = None  # only the first N queries
    max_audio_seconds: float = 30.0  # a query's audio file is cut here, as the server cuts an utterance


def read_queries(path: Path) -> list[Query]:
    if not path.is_file():
        raise EvalError(f"{path}: no such queries file")
    queries = []
    for number, record in jsonl_records(path, EvalError):
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

    def __init__(self, models: ModelConfig, store: StoreConfig, pipelines: list[str], collection: str | None = None,
                 fusion: list[str] | None = None, max_audio_seconds: float = 30.0) -> None:
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
            store = replace(store, data_dir=Path(self._tmp.name), qdrant_url=None)
            collection = "eval"
        self.store = KnowledgeStore(store)
        self.seal_model = registry.get_seal_model(models)
        # The baseline transcribes with the Whisper size the SEAL checkpoint encodes with
        models = replace(models, whisper_model=self.seal_model.config.whisper_model)
        self.models, self.collection, self.names, self.max_audio_seconds = models, collection, pipelines, max_audio_seconds
        self.text_embedder = registry.get_text_embedder(models)
        transcriber = registry.get_transcriber(models) if "asr" in pipelines else None
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
                    audio = load_audio(query.audio, max_seconds=self.max_audio_seconds)
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
    """``machine_info`` (training/bench/machine.py) plus the names eval reports have always carried
    (``machine``, ``processor``, ``created``: the model card reads the last two)."""
    info = machine_info()
    return info | {"machine": platform.machine(), "processor": info["cpu"],
                   "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def unheard_summary(model, texts: list[str]) -> dict:
    """How many questions turn on a word piece the checkpoint's CTC head cannot emit (SealModel.unheard_pieces)."""
    unheard = model.unheard_pieces(texts)
    examples = list(dict.fromkeys(piece for pieces in unheard for piece in pieces))
    return {"questions": sum(bool(p) for p in unheard), "of": len(texts), "pieces": sum(map(len, unheard)),
            "examples": examples[:20]}


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


def run_eval(run: EvalRun, models: ModelConfig, store: StoreConfig, show_progress: bool = True,
             warn: Callable[[str], None] = print, console: Any = None) -> dict:
    """Ingest the KB, speak and run every query through every pipeline; write the JSON report, the
    per-query JSONL and the plot beside ``run.out``; returns the report. ``warn`` gets skipped queries."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    query_list = read_queries(run.queries)[: run.limit]
    evaluator = Evaluator(models, store, run.pipelines, collection=run.collection, fusion=run.fusion,
                          max_audio_seconds=run.max_audio_seconds)
    try:
        points = evaluator.ingest(run.kb, progress=show_progress)
        utterances = evaluator.utterances(query_list, run.voices)
        for skipped in evaluator.skipped:
            warn(f"skipped query {skipped['query']}: {skipped['error']}")
        if not utterances:
            raise EvalError("no query could be turned into audio; see the messages above")
        evaluator.warm_up(utterances[0][2], utterances[0][0].text)
        with Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, disable=not show_progress) as bar:
            task = bar.add_task("eval", total=len(utterances))
            outcomes = evaluator.run(utterances, progress=lambda: bar.advance(task))
    finally:
        evaluator.close()
    report = build_report(outcomes, _meta(run, evaluator, points, utterances, query_list))
    _write(report, outcomes, run.out)
    return report


def _meta(run: EvalRun, evaluator: Evaluator, points: int, utterances: list, query_list: list[Query]) -> dict:
    m = evaluator.models
    kb_lines = run.kb.read_text(encoding="utf-8").splitlines()
    return machine_meta() | {
        "kb": str(run.kb), "passages": sum(1 for line in kb_lines if line.strip()),
        "points": points, "queries": str(run.queries), "voices": list(dict.fromkeys(u[1] for u in utterances)),
        "checkpoint": m.checkpoint or "shipped default", "whisper_model": m.whisper_model, "text_model": m.text_model,
        "asr_compute_type": m.asr_compute_type, "device": m.device,
        "seal_quantization": evaluator.seal_model.quantization,
        "seal_engine": evaluator.seal_model.engine.name,
        "ctc_blank_penalty": evaluator.seal_model.config.ctc_blank_penalty,
        "fusion": {name: ranker.method for name, ranker in evaluator.fusions.items()},
        "skipped": evaluator.skipped,
        "ctc_unheard": unheard_summary(evaluator.seal_model, [q.text for q in query_list]),
    }


def _write(report: dict, outcomes: list[Outcome], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    with open(out.with_suffix(".queries.jsonl"), "w") as handle:
        for o in outcomes:
            handle.write(json.dumps(o.__dict__) + "\n")
    plot_report(report, out.with_suffix(".png"))
