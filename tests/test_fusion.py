"""Fusing SEAL's and the ASR pipeline's rankings (retrieval/fusion.py), on hand-made rankings."""

from __future__ import annotations

import pytest

from retrieval.fusion import RRF_K, fuse, reciprocal_rank_fusion, zscore_fusion
from retrieval.store import Hit


def ranking(*scored: tuple[str, float]) -> list[Hit]:
    return [Hit(id=key, score=score, text=f"text of {key}", title=key.upper(), source="kb", chunk=0, doc_id=f"doc-{key}")
            for key, score in scored]


def ids(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits]


def test_rrf_puts_a_passage_both_lists_rank_high_above_one_list_s_first():
    seal = ranking(("x", 0.9), ("y", 0.8), ("z", 0.7))
    asr = ranking(("w", 0.6), ("y", 0.5), ("v", 0.4))
    fused = reciprocal_rank_fusion([seal, asr])
    assert ids(fused)[0] == "y"
    assert set(ids(fused)) == {"x", "y", "z", "w", "v"}


def test_rrf_scores_are_the_rank_sums_scaled_so_first_everywhere_is_one():
    fused = reciprocal_rank_fusion([ranking(("a", 0.3), ("b", 0.2)), ranking(("a", 0.9), ("c", 0.1))])
    assert fused[0].id == "a" and fused[0].score == pytest.approx(1.0)
    b = next(h for h in fused if h.id == "b")
    assert b.score == pytest.approx((1 / (RRF_K + 2)) / (2 / (RRF_K + 1)), abs=1e-6)


def test_rrf_ignores_the_score_scales_zsum_uses_them():
    # SEAL is sure of x (far ahead of the rest); ASR barely separates y, w and x.
    seal = ranking(("x", 0.9), ("y", 0.2), ("z", 0.1), ("u", 0.05))
    asr = ranking(("y", 0.60), ("w", 0.59), ("x", 0.58), ("v", 0.1))
    assert ids(reciprocal_rank_fusion([seal, asr]))[0] == "y"  # ranks 2+1 beat ranks 1+3
    assert ids(zscore_fusion([seal, asr]))[0] == "x"  # SEAL's margin outweighs ASR's near-tie


def test_zsum_gives_a_passage_one_list_lacks_that_list_s_lowest_z():
    seal = ranking(("a", 0.9), ("b", 0.5), ("c", 0.1))
    asr = ranking(("a", 0.8), ("d", 0.4))
    fused = {hit.id: hit.score for hit in zscore_fusion([seal, asr])}
    # seal z: a 1.2247, b 0, c -1.2247 ; asr z: a 1, d -1 (its floor)
    assert fused["a"] == pytest.approx(2.2247, abs=1e-3)
    assert fused["b"] == pytest.approx(0 - 1, abs=1e-3)
    assert fused["d"] == pytest.approx(-1.2247 - 1, abs=1e-3)


def test_an_empty_list_leaves_the_other_ranking_as_it_was():
    asr = ranking(("a", 0.8), ("b", 0.7), ("c", 0.6))
    for method in ("rrf", "zsum"):
        assert ids(fuse([[], asr], method)) == ["a", "b", "c"]
    assert fuse([[], asr], "rrf")[0].score == pytest.approx(1.0)


def test_fused_hits_keep_the_passage_and_the_limit_cuts():
    fused = fuse([ranking(("a", 0.9), ("b", 0.8)), ranking(("b", 0.7), ("c", 0.6))], limit=2)
    assert len(fused) == 2
    hit = next(h for h in fused if h.id == "b")
    assert (hit.text, hit.title, hit.doc_id) == ("text of b", "B", "doc-b")


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match="unknown fusion method 'max'.*rrf, zsum"):
        fuse([ranking(("a", 1.0))], "max")
