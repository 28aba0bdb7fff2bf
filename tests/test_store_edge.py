"""The Qdrant Edge engine (SEAL_STORE_ENGINE=edge): passages survive a reopen, search finds the passage,
clear errors. Re-ingest, replacement and delete/search by source run on both engines in
test_ingest_idempotent.py and test_ingest_replace_delete.py."""

from __future__ import annotations

import pytest

from app.settings import Settings
from fixtures.retrieval_kit import KB_SMALL, models
from retrieval.ingest import ingest_paths
from retrieval.store import CollectionMissingError, KnowledgeStore, StoreLockedError

QUESTION = "when does the night train leave"


def open_edge(data_dir) -> KnowledgeStore:
    return KnowledgeStore(Settings(data_dir=data_dir, store_engine="edge"))


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


def test_collections_search_on_the_configured_number_of_threads(tmp_path):
    """One search thread by default (a thread pool woken per query cost 25-70 ms on a busy CPU)."""
    import json

    seal, text = models()
    with open_edge(tmp_path / "data") as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
    config = tmp_path / "data" / "qdrant-edge" / "kb" / "edge_config.json"
    assert json.loads(config.read_text())["max_search_threads"] == 1
    with KnowledgeStore(Settings(data_dir=tmp_path / "data", store_engine="edge", edge_search_threads=2)) as store:
        assert store.count("kb") == 10  # reopened with another setting: the shard follows it
    assert json.loads(config.read_text())["max_search_threads"] == 2
