"""Broken files are reported by name and skipped; the rest goes in; nothing stored is lost."""

from __future__ import annotations

import shutil

from fixtures.retrieval_kit import KB_SMALL, minimal_pdf, models, open_store
from retrieval.ingest import ingest_paths


def _folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KB_SMALL, docs / "kb.jsonl")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nthis is not a pdf at all")
    (docs / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me is served all day.".encode("latin-1"))
    (docs / "bad.jsonl").write_text('{"id": "a", "text": "fine"}\n{not json}\n')
    (docs / "good.txt").write_text("The swimming pool is closed for repairs until May.")
    (docs / "picture.png").write_bytes(b"\x89PNG")  # unsupported inside a folder: passed over silently
    return docs


def test_broken_files_are_reported_and_the_rest_ingested(tmp_path):
    seal, text = models()
    docs = _folder(tmp_path)
    with open_store(tmp_path / "data") as store:
        report = ingest_paths([docs], "kb", store, seal, text, progress=False)
        assert store.count("kb") == 11  # ten fixture passages and good.txt
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert set(reasons) == {"broken.pdf", "latin1.txt", "bad.jsonl"}
    assert "PDF" in reasons["broken.pdf"]
    assert "UTF-8" in reasons["latin1.txt"] and "0xe9" in reasons["latin1.txt"]
    assert "line 2" in reasons["bad.jsonl"]
    assert report.files == 2


def test_a_file_that_breaks_keeps_its_old_passages(tmp_path):
    seal, text = models()
    guide = tmp_path / "guide.pdf"
    guide.write_bytes(minimal_pdf("The ferry to the island leaves at noon."))
    with open_store(tmp_path / "data") as store:
        assert ingest_paths([guide], "kb", store, seal, text, progress=False).points == 1
        guide.write_bytes(b"%PDF-1.4 truncated")
        report = ingest_paths([guide], "kb", store, seal, text, progress=False)
        assert [s.path for s in report.skipped] == [str(guide.resolve())]
        assert store.count("kb") == 1


def test_missing_and_unsupported_named_paths_are_reported(tmp_path):
    seal, text = models()
    (tmp_path / "slides.pptx").write_bytes(b"PK")
    with open_store(tmp_path / "data") as store:
        report = ingest_paths([tmp_path / "nope.txt", tmp_path / "slides.pptx", KB_SMALL], "kb", store, seal, text, progress=False)
    reasons = sorted(s.reason for s in report.skipped)
    assert reasons == ["no such file or folder", "unsupported file type .pptx"]
    assert report.files == 1
