"""``seal bench latency``: every step of both retrieval pipelines, on the same spoken queries, in one run.

For each query: the VAD's end-of-speech decision (``vad_timing``), then the server's own pipelines on
the audio the VAD cut: SEAL (features, encoder, adapter+pooling, search) and ASR (decode, embed,
search). By default each pipeline runs all the queries in a block of its own (``order="blocks"``), as a
server running only that pipeline would; run query by query, alternating (``"interleaved"``), each
query runs right after the other pipeline's, which on 2 cores made SEAL's PyTorch forward up to twice
as slow (docs/benchmarks.md). Before each timed query the pipelines sit idle for ``gap_ms`` (a live
question comes after the user spoke, not straight after the previous one): back to back, a PyTorch
forward ran faster than a server ever sees it. Then the same query vectors searched in scratch collections of
1k, 10k, 100k random passages (``scale``). Per step p50/p95 by utterance-length bucket, and the
SEAL/ASR ratios, both from the end of the utterance (what the pipelines time) and from the real end of
speech (VAD included, which both pipelines share). Last, what the user waits for (``live``): from the
real end of speech to the final hits of SEAL (with and without live hits), ASR and the fused ranking;
the live searches at the VAD's pauses are real SEAL runs, replayed on the stream's clock.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress, TaskID

from models.registry import ModelConfig
from models.vad import VadConfig
from retrieval.store import StoreConfig
from training.bench import scale
from training.bench.live import LiveConfig, replay_live
from training.bench.machine import load_average, machine_info
from training.bench.queries import BUCKETS, DEFAULT_VOICES, SpokenQuery, bucket_of, load_query_texts, speak_queries
from training.bench.stats import ratio, summarize
from training.bench.vad_timing import time_vad

ORDERS = ("blocks", "interleaved")
SEAL_STEPS = ["vad", "features", "encoder", "adapter", "search", "total", "end_to_end"]
ASR_STEPS = ["vad", "decode", "embed", "search", "total", "end_to_end"]
FELT = ["end_of_turn", "seal", "seal_live", "asr", "fused"]  # real end of speech -> final hits (live.py)


@dataclass
class LatencyConfig:
    queries: Path | None = None  # a queries JSONL (seal eval's format); None: the built-in questions
    n: int | None = None
    voices: list[str] = field(default_factory=lambda: list(DEFAULT_VOICES))
    passages: list[int] = field(default_factory=lambda: [1000, 10000, 100000])
    k: int = 5
    search_repeats: int = 3  # each query vector searched this many times per scale
    warmup: int = 1
    order: str = "blocks"  # blocks: every query through SEAL, then every query through ASR; interleaved: query by query
    gap_ms: float = 500.0  # idle time before each timed query


@dataclass
class ServerSetup:
    """The server configuration the benchmark reproduces; ``app/`` builds it from its settings."""

    models: ModelConfig = field(default_factory=ModelConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    vad: VadConfig = field(default_factory=lambda: VadConfig(pause_ms=200))  # pause_ms: where live searches start
    live_interval_ms: float = 300.0  # at most one live search started in this long

    @classmethod
    def from_settings(cls, settings: Any) -> ServerSetup:
        """From ``app.settings.Settings`` (or any object with its fields): the server's segmenter waits as long."""
        vad = VadConfig(aggressiveness=settings.vad_aggressiveness, end_silence_ms=settings.vad_end_silence_ms,
                        pause_ms=settings.live_pause_ms)
        return cls(ModelConfig.from_settings(settings), StoreConfig.from_settings(settings), vad, settings.live_interval_ms)


class _Stages:
    """One task of a rich progress bar, relabelled per stage (a disabled bar when none is given)."""

    def __init__(self, progress: Progress | None) -> None:
        self.bar = progress or Progress(disable=True)
        self.task: TaskID = self.bar.add_task("starting", total=None)

    def stage(self, name: str, total: int) -> None:
        self.bar.update(self.task, description=name, total=total, completed=0)

    def advance(self, n: int = 1) -> None:
        self.bar.advance(self.task, n)


def run_latency(config: LatencyConfig, setup: ServerSetup, progress: Progress | None = None) -> dict[str, Any]:
    """Every step of both pipelines on the same spoken queries; ``progress``: a rich bar to show the stages on."""
    stages = _Stages(progress)
    load_at_start = load_average()
    if config.order not in ORDERS:
        raise ValueError(f"unknown order {config.order!r}; use one of {', '.join(ORDERS)}")
    if not config.passages or min(config.passages) < 1:
        raise ValueError("--passages needs one or more positive sizes, e.g. 1000,10000,100000")
    records = load_query_texts(config.queries, config.n)

    stages.stage("speaking the queries", len(records))
    spoken = speak_queries(records, config.voices, progress=stages.advance)

    stages.stage("loading models", 3)
    models, load_ms = _load_models(setup.models, stages)

    with tempfile.TemporaryDirectory(prefix="seal-bench-") as scratch:
        store = scale.scratch_store(setup.store, Path(scratch))
        dims = {"seal": models["seal"].dim, "text": models["text"].dim}
        sizes = sorted(set(config.passages))
        collections = {size: scale.collection_name(size) for size in sizes}
        try:
            stages.stage(f"filling {len(sizes)} scratch collection(s)", sum(sizes))
            fill_s = {size: scale.fill_random(store, collections[size], size, dims, progress=stages.advance) for size in sizes}
            rows, seal_vectors, text_vectors = _run_queries(spoken, models, store, collections[sizes[0]], config, setup, stages)
            stages.stage("searching at each scale", len(sizes))
            search_scale = {}
            for size in sizes:
                times = scale.time_searches(
                    store, collections[size], {"seal": seal_vectors, "text": text_vectors}, config.k, config.search_repeats
                )
                search_scale[str(size)] = {
                    "build_s": round(fill_s[size], 2),
                    **{name: summarize(values) for name, values in times.items()},
                }
                stages.advance(1)
        finally:
            for name in collections.values():
                scale.drop_quietly(store, name)
            store.close()

    return {
        "kind": "seal bench latency",
        "machine": machine_info() | {"load_average_at_start": load_at_start},
        "settings": {
            "whisper_model": setup.models.whisper_model,
            "text_model": setup.models.text_model,
            "checkpoint": _checkpoint_label(setup.models),
            "device": setup.models.device,
            "seal_quantization": models["seal"].quantization,
            "seal_engine": models["seal"].engine.name,
            "ctc_blank_penalty": models["seal"].config.ctc_blank_penalty,
            "asr": f"faster-whisper {setup.models.asr_compute_type}, greedy (beam 1)",
            "vad": asdict(setup.vad),
            "store": store.location,
            "pipeline_search_passages": sizes[0],
            "voices": config.voices,
            "k": config.k,
            "order": config.order,
            "gap_ms": config.gap_ms,
            "live": {"pause_ms": setup.vad.pause_ms, "interval_ms": setup.live_interval_ms},
        },
        "load_ms": load_ms,
        "queries": rows,
        "summary": summarize_rows(rows),
        "search_scale": search_scale,
        "notes": [
            "timings from the end of the utterance (the VAD's cut), as the server's pipelines time them; "
            "end_to_end adds the VAD's decision (hangover after the real end of speech + its processing)",
            f"pipeline searches run against {sizes[0]} random unit vectors; search_scale repeats the same "
            "query vectors against every size",
            "search_scale collections hold random unit vectors upserted straight into scratch collections "
            "(search cost depends on count and dimension, not content)",
            (("queries run one at a time, every query through SEAL, then every query through ASR (order: "
              "blocks); one warm-up query before each block is not counted") if config.order == "blocks" else
             ("queries run one at a time, SEAL and ASR alternating which goes first (order: interleaved); "
              "one warm-up query each is not counted")) + f"; {config.gap_ms:g} ms idle before each timed query",
            "what the user waits for (felt): real end of speech -> final hits; live searches start at the VAD's "
            f"pauses of {setup.vad.pause_ms} ms inside the utterance (one in flight, at most one per "
            f"{setup.live_interval_ms} ms), each a real SEAL run after {config.gap_ms:g} ms idle, replayed on the "
            "stream's clock; without a live search that heard everything, SEAL runs at the end of turn (after "
            "any live search still running); fused = the later of SEAL and ASR, plus the fusion",
        ],
    }


def _load_models(models_config: ModelConfig, stages: _Stages) -> tuple[dict[str, Any], dict[str, float]]:
    from models import registry

    loaders = {
        "seal": lambda: registry.get_seal_model(models_config),
        "text": lambda: registry.get_text_embedder(models_config),
        "asr": lambda: registry.get_transcriber(models_config),
    }
    models, load_ms = {}, {}
    for name, load in loaders.items():
        started = time.perf_counter()
        models[name] = load()
        load_ms[name] = round((time.perf_counter() - started) * 1000, 1)
        stages.advance(1)
    return models, load_ms


def _checkpoint_label(models_config: ModelConfig) -> str:
    from models.seal import CONFIG_NAME, DEFAULT_CHECKPOINT

    if models_config.checkpoint:
        return str(models_config.checkpoint)
    if (DEFAULT_CHECKPOINT / CONFIG_NAME).is_file():
        return f"{DEFAULT_CHECKPOINT.name} (shipped)"
    return "none found: a fresh model of the default config (untrained; the cost is the architecture's)"


def _run_queries(
    spoken: list[SpokenQuery], models: dict[str, Any], store, collection: str, config: LatencyConfig, setup: ServerSetup, stages: _Stages
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    from retrieval.pipelines import FusedRanking, build_pipelines

    built = build_pipelines(store, models["seal"], models["asr"], models["text"], ["seal", "asr"])
    seal, asr = built["seal"], built["asr"]
    vad_config = setup.vad
    stages.stage("timing the pipelines", 3 * len(spoken))
    vads = [time_vad(query, vad_config) for query in spoken]
    cut = [vad.audio if vad.audio is not None else query.audio for query, vad in zip(spoken, vads)]
    results: list[dict[str, Any]] = [{} for _ in spoken]

    def warm_up(pipelines) -> None:  # first calls allocate, JIT and fill caches
        for query in spoken[: config.warmup]:
            for pipeline in pipelines:
                pipeline.run(query.audio, collection, config.k)

    def timed(i: int, pipeline) -> None:
        time.sleep(config.gap_ms / 1000)
        results[i][pipeline.name] = pipeline.run(cut[i], collection, config.k)
        stages.advance(1)

    if config.order == "blocks":
        for pipeline in (seal, asr):
            warm_up([pipeline])
            for i in range(len(cut)):
                timed(i, pipeline)
    else:
        warm_up([seal, asr])
        for i in range(len(cut)):
            for pipeline in (seal, asr) if i % 2 == 0 else (asr, seal):
                timed(i, pipeline)
    live_config = LiveConfig(interval_ms=setup.live_interval_ms, gap_ms=config.gap_ms)
    fusion = FusedRanking()
    for query, vad, result in zip(spoken, vads, results):
        result["felt"] = _felt(vad, result, seal, fusion, collection, config.k, live_config)
        stages.advance(1)
    rows = [_row(query, vad, result) for query, vad, result in zip(spoken, vads, results)]
    seal_vectors = models["seal"].embed_text([q.text for q in spoken])
    text_vectors = models["text"].encode([row["transcript"] or "" for row in rows])
    return rows, seal_vectors, text_vectors


def _felt(vad, results, seal, fusion, collection: str, k: int, live_config: LiveConfig) -> dict[str, Any]:
    """Real end of speech -> final hits of each pipeline, SEAL with and without live hits (live.py)."""
    if vad.total_ms is None:
        return {"ms": dict.fromkeys(FELT), "live": None}
    seal_ms, asr_ms = results["seal"].timings_ms["total"], results["asr"].timings_ms["total"]
    fuse_ms = fusion.run(results["seal"], results["asr"], k).timings_ms["fuse"]
    speech_end_s = vad.decided_s - vad.hangover_ms / 1000
    end_s = vad.decided_s + vad.processing_ms / 1000
    outcome = replay_live(vad, end_s, seal_ms, lambda audio: seal.run(audio, collection, k).timings_ms["total"], live_config)
    turn = vad.total_ms
    seal_live = (outcome.final_s - speech_end_s) * 1000
    ms = {"end_of_turn": turn, "seal": turn + seal_ms, "seal_live": seal_live, "asr": turn + asr_ms,
          "fused": turn + max(seal_ms, asr_ms) + fuse_ms, "fused_live": max(seal_live, turn + asr_ms) + fuse_ms}
    return {"ms": {key: round(value, 3) for key, value in ms.items()},
            "live": {"searches": outcome.searches, "reused": outcome.reused, "ready_before_end": outcome.ready_before_end}}


def _row(query: SpokenQuery, vad, results) -> dict[str, Any]:
    seal_t, asr_t = results["seal"].timings_ms, results["asr"].timings_ms
    vad_ms = vad.total_ms

    def with_vad(total: float) -> float | None:
        return None if vad_ms is None else round(total + vad_ms, 3)

    return {
        "id": query.id,
        "voice": query.voice,
        "text": query.text,
        "speech_s": round(query.speech_s, 3),
        "bucket": bucket_of(query.speech_s),
        "vad": {"hangover_ms": vad.hangover_ms, "processing_ms": vad.processing_ms, "segments": vad.segments},
        "seal": {
            "vad": vad_ms,
            "features": seal_t.get("features"),
            "encoder": seal_t.get("encoder"),
            "adapter": seal_t.get("adapter"),
            "search": seal_t.get("search"),
            "total": seal_t["total"],
            "end_to_end": with_vad(seal_t["total"]),
        },
        "asr": {
            "vad": vad_ms,
            "decode": asr_t.get("decode"),
            "embed": asr_t.get("embed"),
            "search": asr_t.get("search"),
            "total": asr_t["total"],
            "end_to_end": with_vad(asr_t["total"]),
        },
        "transcript": results["asr"].transcript,
        "felt": results["felt"]["ms"],
        "live": results["felt"]["live"],
    }


def summarize_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per bucket (and ``all``): p50/p95 of every step of both pipelines, and the SEAL/ASR ratios."""
    groups = {"all": rows} | {b: [r for r in rows if r["bucket"] == b] for b in BUCKETS}
    out = {}
    for name, group in groups.items():
        if not group:
            continue
        seal = {step: summarize(r["seal"][step] for r in group) for step in SEAL_STEPS}
        asr = {step: summarize(r["asr"][step] for r in group) for step in ASR_STEPS}
        out[name] = {
            "n": len(group),
            "speech_s": summarize(r["speech_s"] for r in group),
            "vad_hangover_ms": summarize(r["vad"]["hangover_ms"] for r in group),
            "vad_processing_ms": summarize(r["vad"]["processing_ms"] for r in group),
            "vad_split": sum(1 for r in group if r["vad"]["segments"] != 1),
            "seal": seal,
            "asr": asr,
            "ratio_p50": ratio(seal["total"]["p50"], asr["total"]["p50"]),
            "ratio_p95": ratio(seal["total"]["p95"], asr["total"]["p95"]),
            "ratio_end_to_end_p50": ratio(seal["end_to_end"]["p50"], asr["end_to_end"]["p50"]),
            "felt": {name: summarize(r["felt"].get(name) for r in group) for name in [*FELT, "fused_live"]},
            "live": _live_shares([r["live"] for r in group if r["live"]]),
        }
    return out


def _live_shares(lives: list[dict[str, Any]]) -> dict[str, Any]:
    """How often the final SEAL hits were a live search's, and ready when the end of turn was declared."""
    n = len(lives)
    return {
        "n": n,
        "reused_share": round(sum(x["reused"] for x in lives) / n, 3) if n else None,
        "ready_before_end_share": round(sum(x["ready_before_end"] for x in lives) / n, 3) if n else None,
        "searches_mean": round(sum(x["searches"] for x in lives) / n, 2) if n else None,
    }
