"""The same query-latency measurement as ``retrieval.bench``, on Qdrant Edge (``qdrant-edge-py``).

Not a dependency of the project: it answers "what would an in-process Rust engine give us?".

    pip install qdrant-edge-py        # in any venv with numpy
    python -m retrieval.bench_edge --points 100000

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--no-optimize", action="store_true", help="query the plain (brute-force) segments")
    args = parser.parse_args()
    try:
        import qdrant_edge as edge
    except ImportError:
        parser.error("qdrant-edge-py is not installed: pip install qdrant-edge-py")

    dim, names = 384, ("seal", "text")
    path = tempfile.mkdtemp(prefix="seal-edge-bench-")
    config = edge.EdgeConfig(vectors={n: edge.EdgeVectorParams(size=dim, distance=edge.Distance.Cosine) for n in names})
    shard = edge.EdgeShard.create(path, config)
    rng = np.random.default_rng(0)

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    report: dict = {"points": args.points, "queries": args.queries}
    started = time.perf_counter()
    for start in range(0, args.points, 2000):
        n = min(2000, args.points - start)
        vectors = {name: unit(rng.standard_normal((n, dim), dtype=np.float32)) for name in names}
        points = [
            edge.Point(str(uuid.uuid5(uuid.NAMESPACE_URL, str(i))), {name: vectors[name][row].tolist() for name in names},
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
    for name in names:
        times = []
        for vector in unit(rng.standard_normal((args.queries, dim), dtype=np.float32)):
            started = time.perf_counter()
            shard.query(edge.QueryRequest(limit=5, query=edge.Query.Nearest(vector.tolist(), using=name), with_payload=True))
            times.append((time.perf_counter() - started) * 1000)
        report[name] = {"p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2)}
    shard.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
