"""``seal bench store``: the store's query latency (and open time) at a given size, embedded or server.

    seal bench store --points 100000            # synthetic: random unit vectors, temp folder
    seal bench store --collection demo          # an existing collection of the configured store
    seal bench store --write-kb /tmp/kb10k.jsonl --points 10000   # synthetic passages to ingest
    SEAL_STORE_ENGINE=edge seal bench store --points 100000   # the same on Qdrant Edge

The engine is the one the settings select (``SEAL_STORE_ENGINE``, ``SEAL_QDRANT_URL``; the CLI passes
them in as a ``StoreConfig``). On Qdrant Edge the fill goes through the store's upsert, index building
(``optimize()`` after each batch) included; the report adds ``optimize_s``, the part of ``fill_s``
spent building the index.

Synthetic points skip the embedding cost (it does not change search time, which depends only on the
number and size of vectors; ``scale.fill_random`` writes them); queries are stored vectors with a little
noise, searched like a real query (top-k with payload). Returns open_s, p50_ms, p95_ms, mean_ms per
named vector.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.store import KnowledgeStore, StoreConfig
from training.bench.scale import fill_random, time_searches, unit

DIM = 384  # both named vectors of the synthetic collection (the shipped models' size)


def run_store_bench(store_config: StoreConfig, points: int | None = None, collection: str | None = None,
                    queries: int = 100, k: int = 5, data_dir: Path | None = None,
                    progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """A synthetic collection of ``points`` in ``data_dir`` (default: a temp folder), or the configured
    store's ``collection``: fill time, open time, then search latency per named vector."""
    if bool(points) == bool(collection):
        raise ValueError("give --points N or --collection NAME")
    report: dict[str, Any] = {"queries": queries, "k": k}
    if points:
        store_config = replace(store_config, data_dir=data_dir or Path(tempfile.mkdtemp(prefix="seal-bench-")))
        collection = "bench"
        with KnowledgeStore(store_config) as store:
            store.ensure_collection(collection, {"seal": DIM, "text": DIM})
            _fast_local_writes(store, collection)
            report["fill_s"] = round(fill_random(store, collection, points, {"seal": DIM, "text": DIM}, progress=progress), 1)
            if store.edge:
                report["optimize_s"] = round(store.edge.optimize_s, 1)
    started = time.perf_counter()
    with KnowledgeStore(store_config) as store:  # reopening = what a restart of `seal serve` pays
        report["open_s"] = round(time.perf_counter() - started, 2)
        report["points"] = store.count(collection)
        report["mode"] = "server" if store_config.qdrant_url else "edge" if store.edge else "embedded"
        report.update(measure(store, collection, queries, k))
    return report


def measure(store: KnowledgeStore, collection: str, queries: int, k: int) -> dict[str, dict[str, float]]:
    """p50/p95/mean ms of top-``k`` searches with stored vectors plus a little noise as queries."""
    rng = np.random.default_rng(1)
    if store.edge:
        points = store.edge.records(collection, limit=queries, with_vectors=True)
    else:
        points, _ = store.client.scroll(collection, limit=queries, with_vectors=True, with_payload=False)
    vectors = {}
    for name in ("seal", "text"):
        base = np.array([p.vector[name] for p in points], dtype=np.float32)
        picks = base[rng.integers(0, len(base), queries)]
        vectors[name] = unit(picks + 0.05 * rng.standard_normal(picks.shape, dtype=np.float32))
        store.search(collection, vectors[name][0], using=name, k=k)  # warm-up
    times = time_searches(store, collection, vectors, k, repeats=1)
    return {name: {"p50_ms": round(float(np.percentile(t, 50)), 2), "p95_ms": round(float(np.percentile(t, 95)), 2),
                   "mean_ms": round(float(np.mean(t)), 2)} for name, t in times.items()}


def write_synthetic_kb(path: Path, count: int, seed: int = 7) -> None:
    """Knowledge-base JSONL of ``count`` varied made-up passages (two to four sentences each)."""
    rng = np.random.default_rng(seed)
    subjects = ["The museum", "The river ferry", "A community garden", "The night bus", "The city archive",
                "A bakery", "The observatory", "The harbour office", "A swimming club", "The old mill"]
    verbs = ["opens", "offers", "organises", "repairs", "collects", "hosts", "teaches", "sells", "lends"]
    things = ["guided tours", "weekly workshops", "free lessons", "old photographs", "spare parts",
              "concert tickets", "maps of the coast", "seasonal plants", "language courses", "public lectures"]
    times = ["every Monday", "on weekday mornings", "twice a month", "in the summer", "after six in the evening"]
    notes = ["Booking is recommended.", "Parking is limited.", "Payment by card only.", "Dogs are not allowed inside."]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            sentences = [
                f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(things)} {rng.choice(times)}, "
                f"number {rng.integers(1, 1000)}."
                for _ in range(rng.integers(2, 5))
            ]
            text = " ".join(sentences + [str(rng.choice(notes))])
            out.write(json.dumps({"id": f"syn-{i:06d}", "title": f"Synthetic {i}", "text": text}) + "\n")


def _fast_local_writes(store: KnowledgeStore, collection: str) -> None:
    """The embedded engine commits (fsyncs) every point; for a synthetic fill, let SQLite skip the syncs.

    Only the fill is affected (the file is complete once the connection closes); reads are unchanged.
    """
    try:
        store.client._client.collections[collection].storage.storage.execute("PRAGMA synchronous=OFF")
    except AttributeError:  # a server, Qdrant Edge, or the embedded engine's insides changed: fill at normal speed
        pass
