"""A changed file replaces its old passages; deleting a source removes exactly its passages."""

from __future__ import annotations

import pytest

from fixtures.retrieval_kit import ENGINES, KB_SMALL, models, open_store
from fixtures.retrieval_kit import stored_texts as _texts
from retrieval.ingest import ingest_paths


@pytest.mark.parametrize("engine", ENGINES)
def test_changed_file_replaces_its_old_chunks(tmp_path, engine):
    seal, text = models()
    guide = tmp_path / "guide.txt"
    guide.write_text("The museum opens at ten.\n\nEntry is free on Mondays.\n")
    with open_store(tmp_path / "data", engine) as store:
        ingest_paths([guide, KB_SMALL], "kb", store, seal, text, progress=False)
        before = store.count("kb")
        guide.write_text("The museum opens at nine.\n\nEntry costs five euros.\n")
        report = ingest_paths([guide], "kb", store, seal, text, progress=False)
        texts = _texts(store, "kb")
        assert report.removed == 1  # the old chunk of guide.txt; the fixture KB is untouched
        assert store.count("kb") == before
    assert not any("opens at ten" in t for t in texts)
    assert any("opens at nine" in t and "five euros" in t for t in texts)


def test_changed_jsonl_record_replaces_by_id_and_dropped_records_go(tmp_path):
    seal, text = models()
    kb = tmp_path / "kb.jsonl"
    lines = KB_SMALL.read_text().splitlines()
    kb.write_text("\n".join(lines) + "\n")
    with open_store(tmp_path / "data") as store:
        ingest_paths([kb], "kb", store, seal, text, progress=False)
        edited = [line.replace("thirty kilometres", "forty kilometres") for line in lines[:-1]]  # drop the last record
        kb.write_text("\n".join(edited) + "\n")
        report = ingest_paths([kb], "kb", store, seal, text, progress=False)
        texts = _texts(store, "kb")
        assert report.removed == 1 and store.count("kb") == len(lines) - 1
    assert any("forty kilometres" in t for t in texts) and not any("thirty kilometres" in t for t in texts)


@pytest.mark.parametrize("engine", ENGINES)
def test_delete_and_search_by_source(tmp_path, engine):
    seal, text = models()
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\nThe zoo feeds the lions at noon.\n")
    query = text.encode(["when are the lions fed"])[0]
    with open_store(tmp_path / "data", engine) as store:
        ingest_paths([guide, KB_SMALL], "kb", store, seal, text, progress=False)
        assert [hit.source for hit in store.search("kb", query, using="text", k=3, source="guide.md")] == ["guide.md"]
        assert store.delete_source("kb", "guide.md") == 1
        assert store.delete_source("kb", "guide.md") == 0
        assert store.count("kb") == 10
        assert not any("lions" in t for t in _texts(store, "kb"))
