"""Ingest files into a knowledge base: load -> chunk -> embed (both towers) -> upsert -> drop stale chunks.

Re-ingesting costs what changed: ``retrieval/ingest_plan.py`` finds the files that changed since they
were stored and, in each, the chunks to embed again. The models are loaded only once something needs
embedding (pass ``Deferred`` loaders), so an unchanged re-ingest reads files, hashes them and asks the
store, nothing more.

Safe to re-run: point ids derive from the file and chunk (or the JSONL id). Old chunks are deleted, and
the kept chunks marked with the file's new hash, only after the new ones are embedded and stored, so a
failure never loses what was there and the next run finishes the job. A file that cannot be read is
reported by name and skipped; the rest goes in.

A stored file is replaced whole or not at all: its new chunks are all embedded before any is stored,
so an embedding failure half-way leaves the old version exactly as it was. A file with nothing stored
yet keeps the chunks embedded before the failure (there is no old version to protect), so a long first
ingest that runs out of memory is finished, not redone, by the next run. Ingests into one collection take
turns (a lock per collection in this process), so two of the same file never interleave.

A *scoped* ingest (the server's uploads: ``scope="upload"``) stores its files as ``upload://NAME`` and
keys JSONL records by that file too, so it can only ever replace or delete what an upload of the same
name stored, never a file or a record that ``seal ingest`` put there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from retrieval.chunking import ChunkConfig, chunk_text
from retrieval.ingest_plan import (  # noqa: F401 - IngestReport and the keys are ingestion's public names too
    BOOKKEEPING,
    FileWork,
    IngestReport,
    Skipped,
    changed_files,
    file_identity,
    models_key,
    plan_file,
    vectors_key,
)
from retrieval.loaders import LoadError, LoadLimits, load_file, supported
from retrieval.store import FileChunk, KnowledgeStore, StoredPoint

# Chunks are sorted by length, so a batch holds similar lengths and little of it is padding. 16 embedded
# ~10 % more chunks per CPU second than 32 and 64 on the 2-core CPU (docs/benchmarks.md, issue 22).
BATCH_SIZE = 16
WRITE_BATCH = 256  # points per write to the store

T = TypeVar("T")


class SealTextSide(Protocol):
    dim: int

    def embed_text(self, texts: list[str]) -> np.ndarray: ...


class TextSide(Protocol):
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


class Deferred(Generic[T]):
    """A model loaded on first use: ``ingest_paths`` loads it only when a chunk needs embedding."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load, self._value = load, None

    def get(self) -> T:
        if self._value is None:
            self._value = self._load()
        return self._value


def _resolve(model: Any) -> Any:
    return model.get() if isinstance(model, Deferred) else model


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def collection_lock(store: KnowledgeStore, collection: str) -> threading.Lock:
    """The lock ingests into ``collection`` of this store take turns on (within this process)."""
    with _locks_guard:
        return _locks.setdefault((str(getattr(store, "location", "")), collection), threading.Lock())


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


def chunks_of(
    path: Path, source: str, count_tokens, config: ChunkConfig, scope: str | None = None, limits: LoadLimits | None = None
) -> list[FileChunk]:
    """The file's chunks, ready to store (raises ``LoadError``)."""
    by_id: dict[str, FileChunk] = {}
    file = file_identity(source, scope)
    for doc in load_file(path, source, limits):
        chunks = chunk_text(doc.text, count_tokens, config)
        for number, chunk in enumerate(chunks):
            key = None
            if doc.keep_id:  # JSONL: the record id is the identity, whatever its text
                key = f"id\x00{doc.doc_id}" if len(chunks) == 1 else f"id\x00{doc.doc_id}\x00{number}"
                if scope:  # a scoped file's ids are its own, not the collection's
                    key = f"{file}\x00{key}"
            piece = FileChunk(chunk, doc.source, file, doc.doc_id, number, doc.title, key)
            by_id.setdefault(piece.point_id, piece)  # a repeated chunk is stored once
    if not by_id:
        raise LoadError("no text in it")
    return list(by_id.values())


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.fields[verb]}[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TextColumn("[dim]{task.fields[note]}[/]"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),  # stderr: a command's --json output on stdout stays clean
        disable=not enabled,
    )


def ingest_paths(
    paths: Sequence[str | Path],
    collection: str,
    store: KnowledgeStore,
    seal_model: SealTextSide | Deferred,
    text_embedder: TextSide | Deferred,
    progress: bool = True,
    batch_size: int = BATCH_SIZE,
    chunking: ChunkConfig | None = None,
    names: Mapping[Path, str] | None = None,
    key: str | None = None,
    scope: str | None = None,
    limits: LoadLimits | None = None,
) -> IngestReport:
    """Ingest files and folders into ``collection`` (created on first use); see the module notes.

    ``seal_model`` and ``text_embedder`` may be ``Deferred`` loaders; give ``key`` (``vectors_key``
    of the models they load) too, or checking what is stored loads them anyway."""
    started = time.perf_counter()
    config = chunking or ChunkConfig()
    report = IngestReport(collection)
    found, report.skipped = discover(paths, names)
    key = key or models_key(_resolve(seal_model), _resolve(text_embedder))

    with collection_lock(store, collection):
        _ingest_files(found, collection, store, seal_model, text_embedder, key, config, report, progress, batch_size,
                      scope, limits)
        report.points = store.count(collection)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _ingest_files(found, collection, store, seal_model, text_embedder, key, config, report, progress, batch_size,
                  scope, limits) -> None:
    files = changed_files(found, collection, store, key, config, report, scope)
    if files:  # loaded before any progress bar: a model's own status line cannot show inside one
        count_tokens = _resolve(text_embedder).count_tokens
        files = _chunk(files, count_tokens, config, report, progress, scope, limits)
        stored = store.stored_payloads(collection, [f.identity for f in files if f.stored])
        for file in files:
            plan_file(file, stored.get(file.identity, {}), key, report)
    queue = sorted(((f, c) for f in files for c in f.embed), key=lambda fc: len(fc[1].text))
    if queue:
        seal, text = _resolve(seal_model), _resolve(text_embedder)
        store.ensure_collection(collection, {"seal": seal.dim, "text": text.dim})
    for file in files:
        if not file.embed:
            _finish(file, collection, store, report)
    with _progress(progress and bool(queue)) as bar:
        task = bar.add_task(collection, total=len(queue), verb="embedding", unit="chunks",
                            note=f"+ {report.unchanged} unchanged, not embedded again")
        for start in range(0, len(queue), batch_size):
            batch = queue[start : start + batch_size]
            _embed_batch(batch, seal, text, report, collection, store)
            bar.update(task, advance=len(batch), description=batch[-1][0].source)
            for file, _ in batch:
                file.left -= 1
                if file.left == 0 and not file.failed:
                    _finish(file, collection, store, report)


def _chunk(files: list[FileWork], count_tokens, config, report: IngestReport, progress: bool, scope=None,
           limits: LoadLimits | None = None) -> list[FileWork]:
    """Load and chunk each file; the unreadable ones are reported and dropped."""
    readable = []
    with _progress(progress and len(files) > 1) as bar:
        task = bar.add_task("", total=len(files), verb="reading", unit="files", note="")
        for file in files:
            try:
                file.chunks = chunks_of(file.path, file.source, count_tokens, config, scope, limits)
                readable.append(file)
            except LoadError as exc:
                report.skipped.append(Skipped(str(file.path), str(exc)))
            bar.update(task, advance=1, description=file.source)
    return readable


def _finish(file: FileWork, collection: str, store: KnowledgeStore, report: IngestReport) -> None:
    """Every new chunk of the file is embedded: store them, then mark the kept ones with the file's
    state and drop the old ones (nothing of a file is written before all of it is embedded)."""
    _store_points(file, collection, store, report)
    marks_only = [pid for pid, changes in file.relabel.items() if set(changes) <= set(BOOKKEEPING)]
    if marks_only:  # usually all of them, in one call
        store.set_payload(collection, marks_only, file.marks)
    for pid, changes in file.relabel.items():
        if pid not in marks_only:  # e.g. a chunk number that moved: rare, one call each
            store.set_payload(collection, [pid], changes)
    store.delete_ids(collection, file.stale)
    report.removed += len(file.stale)
    report.files += 1


def _embed_both(texts: list[str], seal_model, text_embedder) -> dict[str, np.ndarray]:
    """The ``seal`` and ``text`` vectors; one text-encoder pass when SEAL's text side is the frozen
    text tower itself (the usual case), which halves ingestion time."""
    shares = getattr(seal_model, "shares_text_tower", None)
    if shares is not None and shares(text_embedder):
        seal, plain = seal_model.embed_text_and_plain(texts)
    else:
        seal, plain = seal_model.embed_text(texts), text_embedder.encode(texts, passages=True)
    return {"seal": np.asarray(seal, dtype=np.float32), "text": np.asarray(plain, dtype=np.float32)}


def _store_points(file: FileWork, collection: str, store: KnowledgeStore, report: IngestReport) -> None:
    for start in range(0, len(file.points), WRITE_BATCH):
        store.upsert_points(collection, file.points[start : start + WRITE_BATCH])
    report.chunks += len(file.points)
    file.points = []


def _embed_batch(batch, seal_model, text_embedder, report: IngestReport, collection: str,
                 store: KnowledgeStore) -> None:
    """Embed one batch and hold each chunk's point on its file until the whole file is embedded."""
    texts = [chunk.text for _, chunk in batch]
    try:
        vectors = _embed_both(texts, seal_model, text_embedder)
    except Exception as exc:  # a model failure on some text must not stop the other files
        for file in {id(f): f for f, _ in batch}.values():
            if not file.failed:
                file.failed = True
                if not file.stored:  # no old version: keep the work done, the next run does the rest
                    _store_points(file, collection, store, report)
                file.points = []  # of a stored file nothing new is written: the old version stays
                report.skipped.append(Skipped(str(file.path), f"embedding failed ({type(exc).__name__}: {exc})"))
        return
    for row, (file, chunk) in enumerate(batch):
        if not file.failed:
            file.points.append(StoredPoint(chunk.point_id, {name: v[row] for name, v in vectors.items()},
                                           {**chunk.payload(), **file.marks}))
