"""Ingesting the same files again changes nothing: same point ids, same count, JSONL ids kept."""

from __future__ import annotations

import shutil

import pytest

from fixtures.retrieval_kit import ENGINES, KB_SMALL, models, open_store, stored_points
from fixtures.retrieval_kit import stored_ids as _point_ids
from retrieval.ingest import ingest_paths


@pytest.mark.parametrize("engine", ENGINES)
def test_reingest_keeps_the_same_points(tmp_path, engine):
    seal, text = models()
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KB_SMALL, docs / "kb.jsonl")
    (docs / "notes.md").write_text("# Notes\n\nThe harbour ferry leaves every hour.\n\nTickets are sold on board.\n")
    with open_store(tmp_path / "data", engine) as store:
        first = ingest_paths([docs], "kb", store, seal, text, progress=False)
        ids = _point_ids(store, "kb")
        second = ingest_paths([docs], "kb", store, seal, text, progress=False)
        assert first.skipped == [] and second.skipped == []
        assert first.files == second.files == 2
        assert first.points == second.points == store.count("kb") == 11
        assert second.removed == 0
        assert _point_ids(store, "kb") == ids


def test_jsonl_ids_and_sources_are_kept(tmp_path):
    seal, text = models()
    with open_store(tmp_path / "data") as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        points = stored_points(store, "kb")
    by_id = {p.payload["doc_id"]: p.payload for p in points}
    assert set(by_id) >= {"lighthouse", "bakery", "marathon"}
    assert by_id["lighthouse"]["title"] == "Gull Point lighthouse"
    assert by_id["lighthouse"]["source"] == "kb_small.jsonl"  # no "source" in the record: the file's name
