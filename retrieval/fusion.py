"""One ranking from several: SEAL's and the ASR pipeline's hits for the same utterance, fused.

The two pipelines are right on different questions (SEAL hears words ASR mis-transcribes, ASR reads
words SEAL's speech side never learned), so a passage both put high is more likely the right one
than either list's first. Two methods that need nothing fitted, so a retrained checkpoint cannot
leave them mis-calibrated:

- ``rrf``: reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): each list gives a
  passage ``1 / (k + rank)``; ``k = 60`` is the constant the paper found robust across collections,
  used as is (not tuned here). Only ranks count, so SEAL's and the text tower's cosine scales never
  have to agree.
- ``zsum``: each list's scores z-normalized over its own top ``depth`` (mean 0, spread 1), summed; a
  passage missing from a list gets that list's lowest z (it ranked below the cut). Uses the score
  gaps, which rank fusion throws away, at the price of trusting each list's score shape.

``DEFAULT_METHOD`` is ``zsum``, chosen on the template dev set (training/dev-set.jsonl, 299 questions,
one `seal eval --fusion rrf,zsum` run with the 2026-11-28 checkpoint): Top-1 / Top-3 0.231 / 0.364
against RRF's 0.197 / 0.331 (SEAL 0.187 / 0.294, ASR 0.181 / 0.261). Rank fusion gives a list's
first place the same weight however unsure that list is; the z-sum lets a list that clearly
separates its first passage outvote one that barely does, which is what keeps most of each
pipeline's own right answers (docs/retrieval.md#fused-ranking).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from retrieval.store import Hit

RRF_K = 60
DEPTH = 20  # hits each list brings: deeper than any k a user asks, so a passage one list has at 12 still counts
METHODS = ("rrf", "zsum")
DEFAULT_METHOD = "zsum"


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], k: int = RRF_K) -> list[Hit]:
    """Hits of all ``rankings`` by the sum of ``1 / (k + rank)``, best first; ``score`` is that sum
    divided by its largest possible value (first in every list), so 1.0 means first everywhere."""
    scores = _accumulate(rankings, lambda ranking: [1.0 / (k + rank) for rank in range(1, len(ranking) + 1)])
    best = len([r for r in rankings if r]) / (k + 1)
    return _ranked(rankings, {key: value / best for key, value in scores.items()} if best else scores)


def zscore_fusion(rankings: Sequence[Sequence[Hit]]) -> list[Hit]:
    """Hits by the sum of each list's z-normalized score; a hit a list lacks gets that list's lowest z."""
    floors: list[float] = []
    per_list: list[list[float]] = []
    for ranking in rankings:
        values = np.array([hit.score for hit in ranking], dtype=np.float64)
        spread = float(values.std()) if values.size > 1 else 0.0
        z = (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)
        per_list.append(z.tolist())
        floors.append(float(z.min()) if z.size else 0.0)
    lists = iter(per_list)
    scores = _accumulate(rankings, lambda ranking: next(lists))
    for ranking, floor in zip(rankings, floors):
        present = {hit.id for hit in ranking}
        for key in scores.keys() - present:
            scores[key] += floor
    return _ranked(rankings, scores)


def fuse(rankings: Sequence[Sequence[Hit]], method: str = DEFAULT_METHOD, limit: int | None = None) -> list[Hit]:
    """The fused ranking of ``rankings`` (each best first) by ``method``, cut to ``limit`` hits."""
    if method == "rrf":
        fused = reciprocal_rank_fusion(rankings)
    elif method == "zsum":
        fused = zscore_fusion(rankings)
    else:
        raise ValueError(f"unknown fusion method {method!r}; choose from {', '.join(METHODS)}")
    return fused[:limit] if limit is not None else fused


def _accumulate(rankings: Sequence[Sequence[Hit]], contributions) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for hit, value in zip(ranking, contributions(ranking)):  # a store never returns a point twice
            scores[hit.id] = scores.get(hit.id, 0.0) + value
    return scores


def _ranked(rankings: Sequence[Sequence[Hit]], scores: dict[str, float]) -> list[Hit]:
    """Hits by fused score, best first; ties keep the order of first appearance (first list first)."""
    first: dict[str, Hit] = {}
    for ranking in rankings:
        for hit in ranking:
            first.setdefault(hit.id, hit)
    order = sorted(first, key=lambda key: -scores[key])  # sorted() is stable: ties stay in appearance order
    return [replace(first[key], score=round(scores[key], 6)) for key in order]
