"""Each supported format yields its text; long text is chunked under the token limit with overlap."""

from __future__ import annotations

from fixtures.retrieval_kit import minimal_pdf, models, open_store, stored_points
from retrieval.chunking import ChunkConfig, chunk_text
from retrieval.ingest import ingest_paths
from retrieval.loaders import load_file


def test_loaders_read_text_markdown_html_pdf(tmp_path):
    (tmp_path / "a.md").write_text("# Opening times\n\nWe open at nine.")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Fees</title><style>p{}</style></head><body><nav>Home | About</nav>"
        "<h1>Fees</h1><p>A card costs <b>five</b> euros.</p><script>var x;</script></body></html>"
    )
    (tmp_path / "c.pdf").write_bytes(minimal_pdf("Seals can sleep underwater."))
    (tmp_path / "d.txt").write_text("\ufeffPlain text with a byte order mark.")
    md, html, pdf, txt = (load_file(tmp_path / name, name)[0] for name in ("a.md", "b.html", "c.pdf", "d.txt"))
    assert md.title == "Opening times" and "open at nine" in md.text
    assert html.title == "Fees" and html.text == "Fees\n\nA card costs five euros."
    assert "var x" not in html.text and "Home | About" not in html.text
    assert pdf.text == "Seals can sleep underwater."
    assert txt.text.startswith("Plain")


def test_chunks_respect_the_token_limit_and_overlap():
    _, text = models()
    sentences = [f"Sentence number {i} talks about topic {i} in a few plain words." for i in range(60)]
    document = " ".join(sentences[:30]) + "\n\n" + " ".join(sentences[30:])
    config = ChunkConfig(max_tokens=64, overlap_tokens=20)
    chunks = chunk_text(document, text.count_tokens, config)
    assert len(chunks) > 5
    assert all(text.count_tokens(chunk) <= 64 for chunk in chunks)
    assert all(chunk.rstrip().endswith(".") for chunk in chunks)  # cut at sentence ends
    # consecutive chunks of one paragraph share their boundary sentence
    assert chunks[1].startswith(chunks[0].rsplit(". ", 1)[-1])
    joined = " ".join(chunks)
    assert all(s in joined for s in sentences)


def test_a_long_markdown_file_becomes_several_passages(tmp_path):
    seal, text = models()
    body = "\n\n".join(f"Paragraph {i}. " + "The river flows past the old mill towards the sea. " * 8 for i in range(12))
    (tmp_path / "long.md").write_text("# River\n\n" + body)
    with open_store(tmp_path / "data") as store:
        report = ingest_paths([tmp_path / "long.md"], "kb", store, seal, text, progress=False)
        points = stored_points(store, "kb")
    assert report.chunks == len(points) > 3
    assert sorted(p.payload["chunk"] for p in points) == list(range(len(points)))
    assert {p.payload["title"] for p in points} == {"River"}
