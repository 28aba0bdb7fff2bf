"""One store shared by threads (the server's workers search while an upload's ingest writes): the store
serializes an embedded engine's calls itself, so nothing above it has to."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from fixtures.retrieval_kit import ENGINES, open_store
from retrieval.store import FileChunk

DIMS = {"seal": 16, "text": 16}
WRITERS, SEARCHERS, BATCHES, BATCH = 2, 4, 8, 20


def _unit(rng: np.random.Generator, rows: int) -> np.ndarray:
    vectors = rng.normal(size=(rows, DIMS["seal"])).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _write(store, writer: int) -> None:
    rng = np.random.default_rng(writer)
    for batch in range(BATCHES):
        chunks = [FileChunk(f"passage {writer}-{batch}-{i}", f"file{writer}", f"file{writer}", f"d{batch}-{i}")
                  for i in range(BATCH)]
        store.upsert("kb", chunks, {name: _unit(rng, BATCH) for name in DIMS})


def _search(store, searcher: int) -> None:
    rng = np.random.default_rng(100 + searcher)
    for _ in range(BATCHES * 4):
        hits = store.search("kb", _unit(rng, 1)[0], using="seal" if searcher % 2 else "text", k=5)
        assert len(hits) <= 5 and all(hit.text.startswith("passage ") for hit in hits)
        store.count("kb")


@pytest.mark.parametrize("engine", ENGINES)
def test_threads_searching_and_upserting_at_once_all_succeed(tmp_path, engine):
    with open_store(tmp_path / "data", engine) as store:
        store.ensure_collection("kb", DIMS)
        _write(store, 99)  # something to find from the first search on
        errors: list[BaseException] = []
        start = threading.Barrier(WRITERS + SEARCHERS)

        def run(work, n: int) -> None:
            start.wait()
            try:
                work(store, n)
            except BaseException as exc:  # noqa: BLE001 - reported by the test below, with its thread's work
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(_write, n)) for n in range(WRITERS)]
        threads += [threading.Thread(target=run, args=(_search, n)) for n in range(SEARCHERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert store.count("kb") == (WRITERS + 1) * BATCHES * BATCH
        assert store.stored_payloads("kb", ["file0", "file1"], fields=["text"])["file1"]  # still readable
