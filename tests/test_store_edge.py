"""The Qdrant Edge engine (SEAL_STORE_ENGINE=edge) keeps the store's promises: idempotent re-ingest, a
changed file replaces its passages, delete by source, passages survive a reopen, search finds the passage."""

from __future__ import annotations

import shutil

import pytest

from app.settings import Settings
from fixtures.retrieval_kit import KB_SMALL, models
from retrieval.ingest import ingest_paths
from retrieval.store import CollectionMissingError, KnowledgeStore, StoreLockedError

QUESTION = "when does the night train leave"


def open_edge(data_dir) -> KnowledgeStore:
    return KnowledgeStore(Settings(data_dir=data_dir, store_engine="edge"))


def _texts(store, collection):
    return sorted(r.payload["text"] for r in store.edge.records(collection, limit=1000))


def test_search_finds_the_passage_and_survives_a_reopen(tmp_path):
    seal, text = models()
    query = text.encode([QUESTION])[0]
    with open_edge(tmp_path / "data") as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        before = [hit.doc_id for hit in store.search("kb", query, using="text", k=3)]
        seal_hits = store.search("kb", seal.embed_text([QUESTION])[0], using="seal", k=1)
    assert (tmp_path / "data" / "qdrant-edge" / "kb").is_dir()
    with open_edge(tmp_path / "data") as reopened:
        assert reopened.collections() == {"kb": 10}
        after = [hit.doc_id for hit in reopened.search("kb", query, using="text", k=3)]
    assert after == before and after[0] == "train" and seal_hits[0].doc_id == "train"


def test_reingest_keeps_the_same_points(tmp_path):
    seal, text = models()
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KB_SMALL, docs / "kb.jsonl")
    (docs / "notes.md").write_text("# Notes\n\nThe harbour ferry leaves every hour.\n\nTickets are sold on board.\n")
    with open_edge(tmp_path / "data") as store:
        first = ingest_paths([docs], "kb", store, seal, text, progress=False)
        ids = store.ids_of_file("kb", "kb.jsonl") | store.ids_of_file("kb", "notes.md")
        second = ingest_paths([docs], "kb", store, seal, text, progress=False)
        assert first.points == second.points == store.count("kb") == 11 and second.removed == 0
        assert store.ids_of_file("kb", "kb.jsonl") | store.ids_of_file("kb", "notes.md") == ids


def test_changed_file_replaces_its_old_chunks(tmp_path):
    seal, text = models()
    guide = tmp_path / "guide.txt"
    guide.write_text("The museum opens at ten.\n\nEntry is free on Mondays.\n")
    with open_edge(tmp_path / "data") as store:
        ingest_paths([guide, KB_SMALL], "kb", store, seal, text, progress=False)
        before = store.count("kb")
        guide.write_text("The museum opens at nine.\n\nEntry costs five euros.\n")
        report = ingest_paths([guide], "kb", store, seal, text, progress=False)
        texts = _texts(store, "kb")
        assert report.removed == 1 and store.count("kb") == before
    assert not any("opens at ten" in t for t in texts)
    assert any("opens at nine" in t and "five euros" in t for t in texts)


def test_delete_and_search_by_source(tmp_path):
    seal, text = models()
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\nThe night ferry leaves the harbour at eleven.\n")
    query = text.encode([QUESTION])[0]
    with open_edge(tmp_path / "data") as store:
        ingest_paths([guide, KB_SMALL], "kb", store, seal, text, progress=False)
        assert [hit.source for hit in store.search("kb", query, using="text", k=3, source="guide.md")] == ["guide.md"]
        assert store.delete_source("kb", "guide.md") == 1
        assert store.delete_source("kb", "guide.md") == 0
        assert store.count("kb") == 10
        assert not any("ferry" in t for t in _texts(store, "kb"))


def test_missing_collection_and_second_opener_get_clear_errors(tmp_path):
    seal, text = models()
    with open_edge(tmp_path / "data") as store:
        with pytest.raises(CollectionMissingError, match="seal ingest"):
            store.search("nothing-here", [0.1] * 384, using="text")
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        with pytest.raises(StoreLockedError, match="seal serve"):
            open_edge(tmp_path / "data")
        store.drop("kb")
        assert store.collections() == {}
