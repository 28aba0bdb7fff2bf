"""Uploads cannot overwrite or delete what they did not create; a file is replaced whole or not at all;
ingests into one collection take turns."""

from __future__ import annotations

import json
import threading
import time

import httpx

from fixtures.retrieval_kit import models, open_store, stored_texts
from retrieval.ingest import ingest_paths


def _texts_by_source(http, collection: str) -> dict[str, set[str]]:
    body = http.post("/api/search", json={"text": "opening hours", "collection": collection, "k": 50}).json()
    found: dict[str, set[str]] = {}
    for hit in body["results"][0]["hits"]:
        found.setdefault(hit["source"], set()).add(hit["text"])
    return found


def test_an_upload_cannot_replace_or_delete_what_seal_ingest_stored(server, tmp_path):
    res = server.resources
    guide, kb = tmp_path / "guide.md", tmp_path / "kb.jsonl"
    guide.write_text("# Guide\n\nThe castle museum opens at ten in the morning.\n")
    kb.write_text(json.dumps({"id": "castle", "title": "Castle", "text": "The castle gardens open at noon."}) + "\n")
    ingest_paths([guide, kb], "scoped", res.store, res.seal_model, res.text_embedder, progress=False)  # as `seal ingest` does

    with httpx.Client(base_url=server.base, timeout=120) as http:
        upload = [("files", ("guide.md", b"# Guide\n\nThe harbour office opens at eight.\n", "text/markdown")),
                  ("files", ("kb.jsonl", json.dumps({"id": "castle", "text": "The castle is closed for good."}).encode(), "application/jsonl"))]
        r = http.post("/api/ingest", files=upload, data={"collection": "scoped"})
        assert r.status_code == 200, r.text
        assert r.json()["removed"] == 0
        texts = set().union(*_texts_by_source(http, "scoped").values())
        assert {"# Guide\n\nThe castle museum opens at ten in the morning.", "The castle gardens open at noon."} <= texts
        assert {"# Guide\n\nThe harbour office opens at eight.", "The castle is closed for good."} <= texts

        # A new upload of the same name replaces that upload, and only it.
        r = http.post("/api/ingest", files=[("files", ("guide.md", b"# Guide\n\nThe harbour office opens at nine.\n", "text/markdown"))],
                      data={"collection": "scoped"})
        assert r.status_code == 200 and r.json()["removed"] == 1
        texts = set().union(*_texts_by_source(http, "scoped").values())
    assert "# Guide\n\nThe harbour office opens at nine." in texts and "# Guide\n\nThe harbour office opens at eight." not in texts
    assert "# Guide\n\nThe castle museum opens at ten in the morning." in texts


class FailsOnMarker:
    """The real SEAL model, except that embedding a batch with ``marker`` in it raises, as a model
    running out of memory on one long passage would."""

    def __init__(self, model, marker: str) -> None:
        self.model, self.marker = model, marker

    def __getattr__(self, name):
        return getattr(self.model, name)

    def _check(self, texts):
        if any(self.marker in t for t in texts):
            raise RuntimeError("out of memory")

    def embed_text(self, texts):
        self._check(texts)
        return self.model.embed_text(texts)

    def embed_text_and_plain(self, texts):
        self._check(texts)
        return self.model.embed_text_and_plain(texts)


def test_a_failed_ingest_leaves_the_old_version_untouched(tmp_path):
    seal, text = models()
    kb = tmp_path / "kb.jsonl"
    records = [{"id": f"r{i}", "text": f"Record {i}: the ferry leaves pier {i} at {i} o'clock."} for i in range(6)]
    kb.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with open_store(tmp_path / "data") as store:
        ingest_paths([kb], "kb", store, seal, text, progress=False)
        before = stored_texts(store, "kb")
        # The new version changes every record; its longest passage (embedded last) fails.
        changed = [{"id": r["id"], "text": r["text"].replace("ferry", "bus")} for r in records]
        changed.append({"id": "long", "text": "BOOM " + "a very long passage " * 20})
        kb.write_text("\n".join(json.dumps(r) for r in changed) + "\n")
        report = ingest_paths([kb], "kb", store, FailsOnMarker(seal, "BOOM"), text, progress=False, batch_size=2)
        after = stored_texts(store, "kb")
    assert [s.path for s in report.skipped] == [str(kb)] and "out of memory" in report.skipped[0].reason
    assert report.chunks == 0 and report.files == 0
    assert after == before


class Overlap:
    """The real text embedder, slowed down, counting how many ingests are inside it at once."""

    def __init__(self, model) -> None:
        self.model, self.inside, self.most = model, 0, 0
        self.lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.model, name)

    def embed_text_and_plain(self, texts):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.3)
        try:
            return self.model.embed_text_and_plain(texts)
        finally:
            with self.lock:
                self.inside -= 1

    def embed_text(self, texts):
        return self.embed_text_and_plain(texts)[0]


def test_ingests_into_one_collection_take_turns(tmp_path):
    seal, text = models()
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("The bakery opens at six.")
    second.write_text("The butcher opens at seven.")
    spy = Overlap(seal)
    with open_store(tmp_path / "data") as store:
        threads = [threading.Thread(target=ingest_paths, args=([path], "kb", store, spy, text), kwargs={"progress": False})
                   for path in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert store.count("kb") == 2
    assert spy.most == 1
