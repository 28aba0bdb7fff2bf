"""The embedded store keeps its passages across a restart, and a second opener gets a clear error."""

from __future__ import annotations

import pytest

from fixtures.retrieval_kit import KB_SMALL, models, open_store
from retrieval.ingest import ingest_paths
from retrieval.store import CollectionMissingError, StoreLockedError


def test_passages_survive_a_restart(tmp_path):
    seal, text = models()
    query = text.encode(["when does the night train leave"])[0]
    with open_store(tmp_path / "data") as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        before = [hit.doc_id for hit in store.search("kb", query, using="text", k=3)]
    with open_store(tmp_path / "data") as reopened:  # a new client on the same folder = a restart
        assert reopened.collections() == {"kb": 10}
        after = [hit.doc_id for hit in reopened.search("kb", query, using="text", k=3)]
    assert after == before and after[0] == "train"


def test_a_second_opener_is_told_what_to_do(tmp_path):
    with open_store(tmp_path / "data"):
        with pytest.raises(StoreLockedError) as error:
            open_store(tmp_path / "data")
    message = str(error.value)
    assert str(tmp_path / "data" / "qdrant") in message
    assert "seal serve" in message and "SEAL_QDRANT_URL" in message


def test_searching_a_missing_collection_says_how_to_fill_it(tmp_path):
    with open_store(tmp_path / "data") as store:
        with pytest.raises(CollectionMissingError, match="seal ingest"):
            store.search("nothing-here", [0.1] * 384, using="text")


def test_search_can_filter_by_source(tmp_path):
    seal, text = models()
    other = tmp_path / "ferry.txt"
    other.write_text("The night ferry leaves the harbour at eleven.")
    query = text.encode(["when does the night train leave"])[0]
    with open_store(tmp_path / "data") as store:
        ingest_paths([KB_SMALL, other], "kb", store, seal, text, progress=False)
        hits = store.search("kb", query, using="text", k=3, source="ferry.txt")
    assert [hit.source for hit in hits] == ["ferry.txt"]
    assert hits[0].to_dict().keys() == {"id", "score", "text", "title", "source", "chunk", "doc_id"}
