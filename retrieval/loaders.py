"""Read documents from files: plain text, Markdown, HTML, PDF and knowledge-base JSONL.

Every loader returns ``Document``s (text plus title, source, id) or raises ``LoadError`` with a message
that names the problem, so ingestion can report the file and go on with the rest.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class LoadError(ValueError):
    """A file that cannot be read as a document; the message says why."""


@dataclass
class LoadLimits:
    """Bounds on reading one file, so one hostile or huge upload cannot hold the ingest worker."""

    pdf_max_pages: int = 500
    seconds: float = 60.0  # checked between PDF pages and every 1,000 JSONL lines

    def deadline(self) -> float:
        return time.monotonic() + self.seconds

    def check(self, deadline: float, done: str) -> None:
        if time.monotonic() > deadline:
            raise LoadError(f"reading it took over {self.seconds:g} s ({done}); split it into smaller files")


@dataclass
class Document:
    text: str
    title: str
    source: str
    doc_id: str
    keep_id: bool = False  # JSONL ids are the knowledge base's own and must survive as point keys


def _read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it first, e.g. `iconv -f latin1 -t utf-8 {path.name}`"
        ) from None


def load_text(path: Path, source: str, limits: LoadLimits) -> list[Document]:
    return [Document(_read_utf8(path), path.stem.replace("_", " "), source, source)]


_MD_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def load_markdown(path: Path, source: str, limits: LoadLimits) -> list[Document]:
    text = _read_utf8(path)
    heading = _MD_HEADING.search(text)
    title = heading.group(1) if heading else path.stem.replace("_", " ")
    return [Document(text, title, source, source)]


_HTML_BLOCKS = ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "blockquote", "dd", "dt",
                "section", "article", "table", "ul", "ol", "figcaption"]


def load_html(path: Path, source: str, limits: LoadLimits) -> list[Document]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_utf8(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "template"]):
        tag.decompose()
    title_tag = soup.title or soup.find("h1")
    title = title_tag.get_text(" ", strip=True) if title_tag else path.stem
    body = soup.body or soup
    # Block elements end a paragraph; inline ones (<b>, <a>) stay inside the sentence they belong to.
    for tag in body.find_all(_HTML_BLOCKS):
        tag.append("\n\n")
    for tag in body.find_all("br"):
        tag.replace_with("\n")
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", body.get_text()))
    text = "\n\n".join(p for p in paragraphs if p)
    return [Document(text, title, source, source)]


def load_pdf(path: Path, source: str, limits: LoadLimits) -> list[Document]:
    import logging

    from pypdf import PdfReader

    # pypdf logs its own complaints about broken files; the LoadError says it once, by name. Any
    # exception pypdf raises on a malformed file becomes a LoadError in load_file.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    deadline = limits.deadline()
    reader = PdfReader(str(path))
    count = len(reader.pages)
    if count > limits.pdf_max_pages:
        raise LoadError(f"the PDF has {count} pages, over the limit of {limits.pdf_max_pages}; split it or raise SEAL_PDF_MAX_PAGES")
    pages = []
    for number, page in enumerate(reader.pages, 1):
        pages.append(page.extract_text() or "")
        limits.check(deadline, f"{number} of {count} pages read")
    title = (reader.metadata.title if reader.metadata else None) or path.stem
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise LoadError("the PDF has no extractable text (scanned pages need OCR first)")
    return [Document(text, str(title), source, source)]


def load_jsonl(path: Path, source: str, limits: LoadLimits) -> list[Document]:
    """Knowledge-base JSONL: one ``{"id", "text", "title"?, "source"?}`` per line; ids are kept."""
    docs, seen = [], set()
    deadline = limits.deadline()
    for number, line in enumerate(_read_utf8(path).splitlines(), 1):
        if number % 1000 == 0:
            limits.check(deadline, f"{number} lines read")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LoadError(f"line {number} is not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or "id" not in record or not str(record.get("text", "")).strip():
            raise LoadError(f'line {number} needs an object with "id" and a non-empty "text"')
        doc_id = str(record["id"])
        if doc_id in seen:
            raise LoadError(f"line {number} repeats id {doc_id!r}; ids must be unique")
        seen.add(doc_id)
        docs.append(
            Document(
                text=str(record["text"]),
                title=str(record.get("title") or ""),
                source=str(record.get("source") or source),
                doc_id=doc_id,
                keep_id=True,
            )
        )
    if not docs:
        raise LoadError("no records")
    return docs


LOADERS: dict[str, Callable[[Path, str, LoadLimits], list[Document]]] = {
    ".txt": load_text,
    ".text": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".jsonl": load_jsonl,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def load_file(path: Path, source: str, limits: LoadLimits | None = None) -> list[Document]:
    """Documents in ``path``; ``LoadError`` names what was wrong, whatever went wrong, so one bad
    file is reported and skipped and the rest of an ingest goes on."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}; supported: {', '.join(sorted(LOADERS))}")
    try:
        return loader(path, source, limits or LoadLimits())
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(f"cannot read it ({exc.strerror or exc})") from None
    except RecursionError:
        raise LoadError("its structure nests too deep to read") from None
    except Exception as exc:  # noqa: BLE001 - parsers raise anything on hostile files (pypdf: a dozen types)
        detail = " ".join(str(exc).split())[:200]
        raise LoadError(f"not readable as {path.suffix.lower()[1:].upper()} ({type(exc).__name__}: {detail})") from None
