"""Ingest files into a knowledge base: load -> chunk -> embed (both towers) -> upsert -> drop stale chunks.

Safe to re-run: point ids derive from the file and chunk (or the JSONL id), so the same file changes
nothing, and a changed file replaces its old chunks. A file is replaced whole or not at all: its new
chunks are all embedded before any is stored, and its old ones are deleted only after the new ones are
stored, so an embedding failure half-way leaves the old version exactly as it was. A file that cannot
be read is reported by name and skipped; the rest goes in. Ingests into one collection take turns
(a lock per collection in this process), so two of the same file never interleave.

A *scoped* ingest (the server's uploads: ``scope="upload"``) stores its files as ``upload://NAME`` and
keys JSONL records by that file too, so it can only ever replace or delete what an upload of the same
name stored, never a file or a record that ``seal ingest`` put there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.chunking import ChunkConfig, chunk_text
from retrieval.loaders import LoadError, LoadLimits, load_file, supported
from retrieval.store import KnowledgeStore, Passage


class SealTextSide(Protocol):
    dim: int

    def embed_text(self, texts: list[str]) -> np.ndarray: ...


class TextSide(Protocol):
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    collection: str
    files: int = 0  # files stored (new, changed or unchanged)
    chunks: int = 0  # passages written
    removed: int = 0  # stale passages of changed files deleted
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    points: int = 0  # passages in the collection afterwards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _File:
    path: Path
    source: str  # the name shown with its passages
    identity: str  # the name its passages are stored under (payload ``file``); see file_identity
    passages: list[Passage] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)
    left: int = 0  # passages not yet embedded
    failed: bool = False
    embedded: list[Passage] = field(default_factory=list)  # in the order of ``vectors``' rows
    vectors: list[dict[str, np.ndarray]] = field(default_factory=list)


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def collection_lock(store: KnowledgeStore, collection: str) -> threading.Lock:
    """The lock ingests into ``collection`` of this store take turns on (within this process)."""
    with _locks_guard:
        return _locks.setdefault((str(getattr(store, "location", "")), collection), threading.Lock())


def file_identity(source: str, scope: str | None = None) -> str:
    """What a file's passages are stored under: its source name, or ``scope://source`` for a scoped
    ingest; no path spells ``//``, so scoped and unscoped files never share a name."""
    return f"{scope}://{source}" if scope else source


def discover(paths: Iterable[str | Path], names: Mapping[Path, str] | None = None) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """Files to ingest with their source names, and the named paths that cannot be ingested.

    A file's source is its path from the named folder, including that folder's name
    (``seal ingest docs`` -> ``docs/guide.md``), or its file name when named directly, so it does not
    depend on the working directory. Inside folders, hidden and unsupported files are passed over.
    """
    found: dict[Path, str] = {}
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            for file in sorted(root.rglob("*")):
                rel = file.relative_to(root)
                if file.is_file() and supported(file) and not any(p.startswith(".") for p in rel.parts):
                    found.setdefault(file, (Path(root.name) / rel).as_posix())
        elif path.is_file():
            if supported(path):
                found.setdefault(path.resolve(), path.name)
            else:
                skipped.append(Skipped(str(raw), f"unsupported file type {path.suffix or '(none)'}"))
        else:
            skipped.append(Skipped(str(raw), "no such file or folder"))
    if names:
        for path, name in names.items():
            if Path(path).resolve() in found:
                found[Path(path).resolve()] = name
    return list(found.items()), skipped


def passages_of(
    path: Path, source: str, count_tokens, config: ChunkConfig, scope: str | None = None, limits: LoadLimits | None = None
) -> list[Passage]:
    """The file's chunks as passages (raises ``LoadError``)."""
    passages: dict[str, Passage] = {}
    file = file_identity(source, scope)
    for doc in load_file(path, source, limits):
        chunks = chunk_text(doc.text, count_tokens, config)
        for number, chunk in enumerate(chunks):
            key = None
            if doc.keep_id:  # JSONL: the record id is the identity, whatever its text
                key = f"id\x00{doc.doc_id}" if len(chunks) == 1 else f"id\x00{doc.doc_id}\x00{number}"
                if scope:  # a scoped file's ids are its own, not the collection's
                    key = f"{file}\x00{key}"
            passage = Passage(chunk, doc.source, file, doc.doc_id, number, doc.title, key)
            passages.setdefault(passage.point_id, passage)  # a repeated chunk is stored once
    if not passages:
        raise LoadError("no text in it")
    return list(passages.values())


def _progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from app.commands.common import err_console

    return Progress(
        TextColumn("[bold]embedding[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
    )


def ingest_paths(
    paths: Sequence[str | Path],
    collection: str,
    store: KnowledgeStore,
    seal_model: SealTextSide,
    text_embedder: TextSide,
    progress: bool = True,
    batch_size: int = 64,
    chunking: ChunkConfig | None = None,
    names: Mapping[Path, str] | None = None,
    scope: str | None = None,
    limits: LoadLimits | None = None,
) -> IngestReport:
    """Ingest files and folders into ``collection`` (created on first use); see the module notes."""
    started = time.perf_counter()
    config = chunking or ChunkConfig()
    report = IngestReport(collection)
    found, report.skipped = discover(paths, names)

    files: list[_File] = []
    for path, source in found:
        try:
            passages = passages_of(path, source, text_embedder.count_tokens, config, scope, limits)
        except LoadError as exc:
            report.skipped.append(Skipped(str(path), str(exc)))
            continue
        files.append(_File(path, source, file_identity(source, scope), passages))

    with collection_lock(store, collection):
        if files:  # nothing readable: leave no empty collection behind
            store.ensure_collection(collection, {"seal": seal_model.dim, "text": text_embedder.dim})
        for file in files:
            new_ids = {p.point_id for p in file.passages}
            file.stale = store.ids_of_file(collection, file.identity) - new_ids
            file.left = len(file.passages)

        # Similar lengths share a batch, so little of each batch is padding (a third less work on mixed text).
        queue = sorted(((file, passage) for file in files for passage in file.passages), key=lambda fp: len(fp[1].text))
        with _progress(progress) as bar:
            task = bar.add_task(collection, total=len(queue))
            for start in range(0, len(queue), batch_size):
                batch = queue[start : start + batch_size]
                _embed_batch(batch, seal_model, text_embedder, report)
                bar.update(task, advance=len(batch), description=batch[-1][0].source)
                for file, _ in batch:
                    file.left -= 1
                    if file.left == 0 and not file.failed:
                        _replace_file(file, collection, store, batch_size, report)

        report.points = store.count(collection)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _replace_file(file: _File, collection: str, store: KnowledgeStore, batch_size: int, report: IngestReport) -> None:
    """Store every new passage of the file, and only then delete its stale ones."""
    for start in range(0, len(file.embedded), batch_size):
        rows = file.vectors[start : start + batch_size]
        store.upsert(collection, file.embedded[start : start + batch_size], {name: np.stack([r[name] for r in rows]) for name in rows[0]})
    store.delete_ids(collection, file.stale)
    report.chunks += len(file.embedded)
    report.removed += len(file.stale)
    report.files += 1
    file.embedded, file.vectors = [], []


def _embed_both(texts: list[str], seal_model, text_embedder) -> dict[str, np.ndarray]:
    """The ``seal`` and ``text`` vectors; one text-encoder pass when SEAL's text side is the frozen
    text tower itself (the usual case), which halves ingestion time."""
    shares = getattr(seal_model, "shares_text_tower", None)
    if shares is not None and shares(text_embedder):
        seal, plain = seal_model.embed_text_and_plain(texts)
    else:
        seal, plain = seal_model.embed_text(texts), text_embedder.encode(texts)
    return {"seal": np.asarray(seal, dtype=np.float32), "text": np.asarray(plain, dtype=np.float32)}


def _embed_batch(batch, seal_model, text_embedder, report: IngestReport) -> None:
    """Embed one batch and hold each passage's vectors on its file until the whole file is embedded."""
    texts = [passage.text for _, passage in batch]
    try:
        vectors = _embed_both(texts, seal_model, text_embedder)
    except Exception as exc:  # a model failure on some text must not stop the other files
        for file in {id(f): f for f, _ in batch}.values():
            if not file.failed:
                file.failed = True
                file.embedded, file.vectors = [], []  # nothing of it is stored: the old version stays
                report.skipped.append(Skipped(str(file.path), f"embedding failed ({type(exc).__name__}: {exc})"))
        return
    for row, (file, passage) in enumerate(batch):
        if not file.failed:
            file.embedded.append(passage)
            file.vectors.append({name: v[row] for name, v in vectors.items()})
