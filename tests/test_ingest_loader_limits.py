"""Every loader failure is caught per file, with a page and a time limit: one hostile document is
skipped with a reason and the rest of the ingest goes on."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from fixtures.retrieval_kit import minimal_pdf, models, open_store
from retrieval.ingest import ingest_paths
from retrieval.loaders import LoadError, load_file

# Found by mutating minimal_pdf: pypdf raises AttributeError ('NameObject' object has no attribute
# 'items') and LimitReachedError on these, types the PDF loader used not to catch.
BROKEN_PDFS = {
    "attribute-error.pdf": lambda base: base.replace(b"<< /Size 6 /Root 1 0 R >>", b"/ToUnicode 5 0 R << /Size 6 /Root /Kids 5 1 0 R >>"),
    "self-reference.pdf": lambda base: base.replace(b"<< /Type /Catalog", b"<< /Type //Filter [/A85 /Fl] Catalog").replace(
        b"<< /Type /Page /Parent", b"<] < /Type /Page /Parent"),
}


def _blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(BROKEN_PDFS))
def test_a_pdf_that_crashes_the_parser_is_a_load_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BROKEN_PDFS[name](minimal_pdf("Opening hours")))
    with pytest.raises(LoadError, match="PDF"):
        load_file(path, name)


def test_a_broken_pdf_is_skipped_and_the_rest_goes_in(tmp_path):
    seal, text = models()
    for name, make in BROKEN_PDFS.items():
        (tmp_path / name).write_bytes(make(minimal_pdf("Opening hours")))
    (tmp_path / "good.txt").write_text("The ferry leaves at noon.")
    with open_store(tmp_path / "data") as store:
        report = ingest_paths([tmp_path / n for n in [*BROKEN_PDFS, "good.txt"]], "kb", store, seal, text, progress=False)
        assert store.count("kb") == 1
    assert report.files == 1 and sorted(s.path.rsplit("/", 1)[-1] for s in report.skipped) == sorted(BROKEN_PDFS)


def test_a_pdf_over_the_page_limit_is_skipped_with_the_reason(tmp_path):
    from retrieval.loaders import LoadLimits

    path = tmp_path / "long.pdf"
    path.write_bytes(_blank_pdf(3))
    with pytest.raises(LoadError, match="3 pages, over the limit of 2"):
        load_file(path, "long.pdf", LoadLimits(pdf_max_pages=2))


def test_a_pdf_that_reads_too_long_is_skipped_with_the_reason(tmp_path):
    from retrieval.loaders import LoadLimits

    path = tmp_path / "slow.pdf"
    path.write_bytes(minimal_pdf("Opening hours"))
    assert load_file(path, "slow.pdf", LoadLimits(seconds=30))[0].text == "Opening hours"
    with pytest.raises(LoadError, match="took over 0 s"):
        load_file(path, "slow.pdf", LoadLimits(seconds=0))
