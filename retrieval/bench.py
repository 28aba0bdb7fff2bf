"""Measure the store's query latency (and open time) at a given size, embedded or server.

    python -m retrieval.bench --points 100000            # synthetic: random unit vectors, temp folder
    python -m retrieval.bench --collection demo          # an existing collection of the configured store
    python -m retrieval.bench --write-kb /tmp/kb10k.jsonl --points 10000   # synthetic passages to ingest
    SEAL_STORE_ENGINE=edge python -m retrieval.bench --points 100000   # the same on Qdrant Edge

The engine is the one the settings select (``SEAL_STORE_ENGINE``, ``SEAL_QDRANT_URL``). On Qdrant Edge the
fill goes through the store's upsert, index building (``optimize()`` after each batch) included; the
report adds ``optimize_s``, the part of ``fill_s`` spent building the index.

Synthetic points skip the embedding cost (it does not change search time, which depends only on the
number and size of vectors); queries are stored vectors with a little noise, searched like a real query
(top-k with payload). Prints JSON: open_s, p50_ms, p95_ms, mean_ms per named vector.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from app.settings import Settings, get_settings
from retrieval.store import KnowledgeStore, Passage


def fill(store: KnowledgeStore, collection: str, points: int, dim: int = 384, batch: int = 2000) -> float:
    """Upsert ``points`` random unit vectors for both named vectors; returns seconds."""
    from tqdm import tqdm

    rng = np.random.default_rng(0)
    store.ensure_collection(collection, {"seal": dim, "text": dim})
    _fast_local_writes(store, collection)
    started = time.perf_counter()
    for start in tqdm(range(0, points, batch), desc="upserting", unit="batch"):
        n = min(batch, points - start)
        vectors = {name: _unit(rng.standard_normal((n, dim), dtype=np.float32)) for name in ("seal", "text")}
        passages = [
            Passage(f"synthetic passage {i}", "bench", "bench", f"p{i}", key=f"bench\x00{i}") for i in range(start, start + n)
        ]
        store.upsert(collection, passages, vectors)
    return time.perf_counter() - started


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
    except AttributeError:  # a server, or the embedded engine's insides changed: fill at normal speed
        pass


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def measure(store: KnowledgeStore, collection: str, queries: int, k: int) -> dict:
    rng = np.random.default_rng(1)
    if store.edge:
        points = store.edge.records(collection, limit=queries, with_vectors=True)
    else:
        points, _ = store.client.scroll(collection, limit=queries, with_vectors=True, with_payload=False)
    result = {}
    for name in ("seal", "text"):
        base = np.array([p.vector[name] for p in points], dtype=np.float32)
        picks = base[rng.integers(0, len(base), queries)]
        vectors = _unit(picks + 0.05 * rng.standard_normal(picks.shape, dtype=np.float32))
        store.search(collection, vectors[0], using=name, k=k)  # warm-up
        times = []
        for vector in vectors:
            started = time.perf_counter()
            store.search(collection, vector, using=name, k=k)
            times.append((time.perf_counter() - started) * 1000)
        result[name] = {
            "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2),
            "mean_ms": round(float(np.mean(times)), 2),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, help="synthetic collection of this many points in a temp folder")
    parser.add_argument("--collection", help="measure this existing collection of the configured store instead")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="where the synthetic store goes (default: a temp folder)")
    parser.add_argument("--write-kb", type=Path, help="only write --points synthetic passages as KB JSONL here")
    args = parser.parse_args()
    if args.write_kb:
        write_synthetic_kb(args.write_kb, args.points or 10_000)
        print(f"wrote {args.points or 10_000} passages to {args.write_kb}")
        return
    if bool(args.points) == bool(args.collection):
        parser.error("give --points N or --collection NAME")

    report: dict = {"queries": args.queries, "k": args.k}
    if args.points:
        settings = Settings(data_dir=args.data_dir or Path(tempfile.mkdtemp(prefix="seal-bench-")))
        collection = "bench"
        with KnowledgeStore(settings) as store:
            report["fill_s"] = round(fill(store, collection, args.points), 1)
            if store.edge:
                report["optimize_s"] = round(store.edge.optimize_s, 1)
    else:
        settings, collection = get_settings(), args.collection
    started = time.perf_counter()
    with KnowledgeStore(settings) as store:  # reopening = what a restart of `seal serve` pays
        report["open_s"] = round(time.perf_counter() - started, 2)
        report["points"] = store.count(collection)
        report["mode"] = "server" if settings.qdrant_url else "edge" if store.edge else "embedded"
        report.update(measure(store, collection, args.queries, args.k))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
