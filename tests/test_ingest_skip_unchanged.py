"""Re-ingest costs what changed: unchanged files load no model and embed nothing, a changed paragraph
re-embeds its chunk only, an interrupted ingest is finished next time, new models re-embed all."""

from __future__ import annotations

import pytest

from fixtures.retrieval_kit import ENGINES, KB_SMALL, models, open_store
from models.text_side import default_checkpoint, text_side_key
from retrieval.chunking import ChunkConfig
from retrieval.ingest import Deferred, ingest_paths, models_key, vectors_key

# Each paragraph is its own chunk at this size (11 to 17 tokens each: no two fit, none is carried over).
SMALL = ChunkConfig(max_tokens=20, overlap_tokens=5)
PARAGRAPHS = [
    "The museum opens at ten in the morning and closes at six in the evening.",
    "Entry is free for children under twelve and costs five euros for adults.",
    "Guided tours in English start every hour from the ticket desk in the hall.",
    "The cafe on the top floor serves lunch from noon until three every day.",
]


class CountingSeal:
    """The real SEAL model, counting the texts it is asked to embed (and failing on request)."""

    def __init__(self, seal, fail_after: int | None = None) -> None:
        self.seal, self.texts, self.fail_after = seal, [], fail_after
        self.dim, self.text_side_key = seal.dim, seal.text_side_key

    def shares_text_tower(self, text) -> bool:
        return self.seal.shares_text_tower(text)

    def embed_text_and_plain(self, texts):
        if self.fail_after is not None and len(self.texts) >= self.fail_after:
            raise RuntimeError("out of memory (simulated)")
        self.texts.extend(texts)
        return self.seal.embed_text_and_plain(texts)


def never_loaded() -> Deferred:
    def load():
        raise AssertionError("a model was loaded although nothing needed embedding")

    return Deferred(load)


def write_guide(path, paragraphs) -> None:
    path.write_text("\n\n".join(paragraphs) + "\n")


@pytest.mark.parametrize("engine", ENGINES)
def test_unchanged_files_load_no_model_and_embed_nothing(tmp_path, engine):
    seal, text = models()
    guide = tmp_path / "guide.txt"
    write_guide(guide, PARAGRAPHS)
    key = models_key(seal, text)
    with open_store(tmp_path / "data", engine) as store:
        first = ingest_paths([guide, KB_SMALL], "kb", store, seal, text, progress=False, chunking=SMALL)
        again = ingest_paths([guide, KB_SMALL], "kb", store, never_loaded(), never_loaded(), progress=False,
                             chunking=SMALL, key=key)
    assert first.chunks > 10 and first.unchanged == 0
    assert (again.files, again.chunks, again.unchanged, again.removed) == (2, 0, first.chunks, 0)
    assert again.points == first.points == first.chunks


@pytest.mark.parametrize("engine", ENGINES)
def test_one_changed_paragraph_reembeds_only_its_chunk(tmp_path, engine):
    seal, text = models()
    guide = tmp_path / "guide.txt"
    write_guide(guide, PARAGRAPHS)
    with open_store(tmp_path / "data", engine) as store:
        ingest_paths([guide], "kb", store, seal, text, progress=False, chunking=SMALL)
        write_guide(guide, PARAGRAPHS[:2] + ["Guided tours in French start at two from the ticket desk."] + PARAGRAPHS[3:])
        counting = CountingSeal(seal)
        report = ingest_paths([guide], "kb", store, counting, text, progress=False, chunking=SMALL)
        hits = store.search("kb", text.encode(["tours in French"])[0], using="text", k=1)
    assert counting.texts == ["Guided tours in French start at two from the ticket desk."]
    assert (report.chunks, report.unchanged, report.removed) == (1, 3, 1)
    assert report.points == 4 and "French" in hits[0].text


@pytest.mark.parametrize("engine", ENGINES)
def test_an_inserted_paragraph_moves_chunk_numbers_without_reembedding_them(tmp_path, engine):
    seal, text = models()
    guide = tmp_path / "guide.txt"
    write_guide(guide, PARAGRAPHS)
    with open_store(tmp_path / "data", engine) as store:
        ingest_paths([guide], "kb", store, seal, text, progress=False, chunking=SMALL)
        write_guide(guide, ["Closed on the first of January and on Christmas day."] + PARAGRAPHS)
        counting = CountingSeal(seal)
        report = ingest_paths([guide], "kb", store, counting, text, progress=False, chunking=SMALL)
        hit = store.search("kb", text.encode(["where is the cafe"])[0], using="text", k=1)[0]
    assert counting.texts == ["Closed on the first of January and on Christmas day."]
    assert (report.chunks, report.unchanged, report.removed) == (1, 4, 0)
    assert "cafe" in hit.text and hit.chunk == 4  # was chunk 3: its payload followed the text


@pytest.mark.parametrize("engine", ENGINES)
def test_an_interrupted_ingest_is_finished_next_time(tmp_path, engine):
    seal, text = models()
    with open_store(tmp_path / "data", engine) as store:
        broken = CountingSeal(seal, fail_after=4)  # the second batch of four fails
        first = ingest_paths([KB_SMALL], "kb", store, broken, text, progress=False, batch_size=4)
        assert first.chunks == 4 and first.skipped and store.count("kb") == 4
        again = ingest_paths([KB_SMALL], "kb", store, CountingSeal(seal), text, progress=False, batch_size=4)
    assert (again.chunks, again.unchanged, again.points) == (6, 4, 10) and not again.skipped


def test_new_models_reembed_every_passage(tmp_path):
    seal, text = models()
    with open_store(tmp_path / "data", "edge") as store:
        ingest_paths([KB_SMALL], "kb", store, seal, text, progress=False)
        counting = CountingSeal(seal)
        report = ingest_paths([KB_SMALL], "kb", store, counting, text, progress=False, key="another-checkpoint")
    assert report.chunks == 10 and report.unchanged == 0 and len(counting.texts) == 10


def test_the_key_read_from_the_files_is_the_loaded_models_key():
    """`seal ingest` keys passages without loading models; the server keys them with loaded ones."""
    seal, text = models()
    from_files = vectors_key(text_side_key(default_checkpoint(None), "all-MiniLM-L6-v2"), "all-MiniLM-L6-v2")
    assert models_key(seal, text) == from_files
    assert text_side_key(None, "all-MiniLM-L6-v2") != text_side_key(default_checkpoint(None), "all-MiniLM-L6-v2")
