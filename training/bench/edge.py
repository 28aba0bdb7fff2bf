"""Qdrant Edge alone (``qdrant-edge-py``, no ``KnowledgeStore`` around it): the engine's own query latency.

    python -m training.bench.edge --points 100000

The store runs on the same engine when ``SEAL_STORE_ENGINE=edge`` (retrieval/edge_store.py, measured
by ``seal bench store``); this measures the engine without the store's code, for comparison.
Random unit vectors (two named 384-d vectors, cosine) with a small payload, HNSW built by
``optimize()``, then top-5 queries with payload. Prints JSON: fill_s, optimize_s, open_s, p50/p95.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid

import numpy as np

from training.bench.scale import BATCH, time_each, unit

NAMES, DIM = ("seal", "text"), 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--no-optimize", action="store_true", help="query the plain (brute-force) segments")
    args = parser.parse_args()
    import qdrant_edge as edge

    path = tempfile.mkdtemp(prefix="seal-edge-bench-")
    config = edge.EdgeConfig(vectors={n: edge.EdgeVectorParams(size=DIM, distance=edge.Distance.Cosine) for n in NAMES})
    shard = edge.EdgeShard.create(path, config)
    rng = np.random.default_rng(0)
    report: dict = {"points": args.points, "queries": args.queries}
    started = time.perf_counter()
    for start in range(0, args.points, BATCH):
        n = min(BATCH, args.points - start)
        vectors = {name: unit(rng.standard_normal((n, DIM), dtype=np.float32)) for name in NAMES}
        points = [
            edge.Point(str(uuid.uuid5(uuid.NAMESPACE_URL, str(i))), {name: vectors[name][row].tolist() for name in NAMES},
                       {"text": f"synthetic passage {i}", "source": "bench"})
            for row, i in enumerate(range(start, start + n))
        ]
        shard.update(edge.UpdateOperation.upsert_points(points))
    report["fill_s"] = round(time.perf_counter() - started, 1)
    if not args.no_optimize:
        started = time.perf_counter()
        shard.optimize()
        report["optimize_s"] = round(time.perf_counter() - started, 1)
    shard.flush()
    shard.close()
    started = time.perf_counter()
    shard = edge.EdgeShard.load(path)
    report["open_s"] = round(time.perf_counter() - started, 2)

    def search(name: str, vector: np.ndarray) -> None:
        shard.query(edge.QueryRequest(limit=5, query=edge.Query.Nearest(vector.tolist(), using=name), with_payload=True))

    queries = {name: unit(rng.standard_normal((args.queries, DIM), dtype=np.float32)) for name in NAMES}
    for name, times in time_each(search, queries).items():
        report[name] = {"p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2)}
    shard.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
