"""What an ingest has to do, from what is stored: the files that changed and, in each, the chunks to embed.

Re-ingesting costs what changed. Each point records what embedded it (``embedded_with``: a key of the
two towers' weights) and the state of its file when it was stored (``file_hash``, ``file_chunks``):

- a file whose stored points all carry its current hash and the current key, and are as many as it
  had chunks, is passed over without even being chunked (``changed_files``);
- in a changed file, a chunk stored under the same id with the same text and key keeps its vectors
  (only its payload is brought up to date, e.g. a chunk number that moved); only new or edited chunks
  are embedded (``plan_file``).

Also here: the report an ingest returns, which both steps add to.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from retrieval.chunking import ChunkConfig
from retrieval.store import FileChunk, KnowledgeStore, StoredPoint

# Bump when loading or chunking changes what a file turns into, so every file is chunked again.
CHUNKING_VERSION = 1
BOOKKEEPING = ("embedded_with", "file_hash", "file_chunks")  # payload fields ingestion writes for itself


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    collection: str
    files: int = 0  # files stored (new, changed or unchanged)
    chunks: int = 0  # passages embedded and written
    unchanged: int = 0  # passages already stored with the same text and models: not embedded again
    removed: int = 0  # stale passages of changed files deleted
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    points: int = 0  # passages in the collection afterwards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FileWork:
    """One file an ingest works on, and what it found it has to do there."""

    path: Path
    source: str  # the name shown with its passages
    identity: str  # the name its passages are stored under (payload ``file``); see file_identity
    digest: str = ""
    chunks: list[FileChunk] = field(default_factory=list)
    marks: dict[str, Any] = field(default_factory=dict)  # the bookkeeping payload its points get
    stored: bool = False  # some of its points are in the store already
    embed: list[FileChunk] = field(default_factory=list)  # new or edited chunks
    relabel: dict[str, dict[str, Any]] = field(default_factory=dict)  # kept chunk id -> payload fields to set
    stale: set[str] = field(default_factory=set)
    left: int = 0  # chunks not yet embedded
    failed: bool = False
    points: list[StoredPoint] = field(default_factory=list)  # embedded, held until the whole file is


def vectors_key(seal_text_side_key: str, text_model: str) -> str:
    """What a point's two vectors depend on: SEAL's text side (``models.seal.text_side_key``) and the
    plain text tower's name. Stored as ``embedded_with``; a new key makes the next ingest re-embed."""
    return hashlib.sha256(f"{seal_text_side_key}\x00{text_model}".encode()).hexdigest()[:16]


def models_key(seal_model: Any, text_embedder: Any) -> str:
    """``vectors_key`` of loaded models (a stand-in without ``text_side_key`` is keyed by its type)."""
    seal_key = getattr(seal_model, "text_side_key", None) or type(seal_model).__name__
    return vectors_key(seal_key, getattr(text_embedder, "name", None) or type(text_embedder).__name__)


def file_identity(source: str, scope: str | None = None) -> str:
    """What a file's passages are stored under: its source name, or ``scope://source`` for a scoped
    ingest; no path spells ``//``, so scoped and unscoped files never share a name."""
    return f"{scope}://{source}" if scope else source


def file_digest(path: Path, config: ChunkConfig) -> str:
    """The file's content and what turns it into chunks: equal digests give equal chunks."""
    digest = hashlib.sha256(f"{CHUNKING_VERSION}\x00{config.max_tokens}\x00{config.overlap_tokens}\x00".encode())
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:32]


def changed_files(found: list[tuple[Path, str]], collection: str, store: KnowledgeStore, key: str,
                  config: ChunkConfig, report: IngestReport, scope: str | None) -> list[FileWork]:
    """The files that need work; unchanged ones (see ``_current``) are only counted."""
    files: list[FileWork] = []
    for path, source in found:
        try:
            files.append(FileWork(path, source, file_identity(source, scope), file_digest(path, config)))
        except OSError as exc:
            report.skipped.append(Skipped(str(path), f"cannot be read ({exc.strerror or exc})"))
    stored = store.stored_payloads(collection, [f.identity for f in files], fields=BOOKKEEPING)
    changed = []
    for file in files:
        have = stored[file.identity]
        if have and all(_current(p, key, file.digest, len(have)) for p in have.values()):
            report.files += 1
            report.unchanged += len(have)
        else:
            file.stored = bool(have)
            changed.append(file)
    return changed


def _current(payload: dict[str, Any], key: str, digest: str, count: int) -> bool:
    return (payload.get("embedded_with") == key and payload.get("file_hash") == digest
            and payload.get("file_chunks") == count)


def plan_file(file: FileWork, have: dict[str, dict[str, Any]], key: str, report: IngestReport) -> None:
    """Split a changed file's chunks into those to embed and those whose stored vectors still hold."""
    marks = file.marks = {"embedded_with": key, "file_hash": file.digest, "file_chunks": len(file.chunks)}
    for chunk in file.chunks:
        old = have.get(chunk.point_id)
        if old is not None and old.get("text") == chunk.text and old.get("embedded_with") == key:
            wanted = {**chunk.payload(), **marks}
            changes = {name: value for name, value in wanted.items() if old.get(name) != value}
            if changes:
                file.relabel[chunk.point_id] = changes
            report.unchanged += 1
        else:
            file.embed.append(chunk)
    file.stale = set(have) - {c.point_id for c in file.chunks}
    file.left = len(file.embed)
