"""What the knowledge store and its engines share: the config, the records, the errors, and
``StoreEngine``, the operations an engine provides.

``KnowledgeStore`` (``retrieval/store.py``) picks an engine from its ``StoreConfig`` and does what does
not depend on the engine (checks, counts, the lock, messages that say what to do next); each engine
(``EdgeEngine`` in ``retrieval/edge_store.py``, ``ClientEngine`` in ``retrieval/client_store.py``) only
talks to its Qdrant. Every engine stores the same points: a ``seal`` and a ``text`` named vector, cosine
distance, a payload ``text, title, source, chunk, doc_id, file`` (and ingestion's bookkeeping fields).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

VECTORS = ("seal", "text")
# Point ids are uuid5 in this namespace, so the same passage always lands on the same point.
ID_NAMESPACE = uuid.UUID("5e a1 0b 3c 7d 2e 4f 81 9a 6b c4 d3 e2 f1 00 17".replace(" ", ""))


@dataclass(frozen=True)
class StoreConfig:
    """Where the knowledge store lives and which engine runs it; ``app/`` builds it from its settings."""

    data_dir: Path = Path.home() / ".seal"  # the embedded engines' folders live under it
    qdrant_url: str | None = None  # a Qdrant server or cluster instead of an embedded engine
    qdrant_api_key: str | None = field(default=None, repr=False)
    store_engine: str = "edge"  # the embedded engine: edge (Qdrant Edge) or local (qdrant-client's local mode)
    edge_search_threads: int = 1
    exact_search_below: int = 20_000  # collections with fewer points are searched exactly (no HNSW); 0: never
    qdrant_shard_number: int = 1  # a server's new collections: shards, and copies of each shard
    qdrant_replication_factor: int = 1

    @property
    def qdrant_path(self) -> Path:
        """The local-mode engine's folder."""
        return Path(self.data_dir) / "qdrant"

    @classmethod
    def from_settings(cls, settings: Any) -> StoreConfig:
        """From ``app.settings.Settings`` (or any object with its fields); a secret key is unwrapped."""
        if isinstance(settings, StoreConfig):
            return settings
        key = settings.qdrant_api_key
        return cls(data_dir=Path(settings.data_dir), qdrant_url=settings.qdrant_url,
                   qdrant_api_key=key.get_secret_value() if hasattr(key, "get_secret_value") else key,
                   store_engine=settings.store_engine, edge_search_threads=settings.edge_search_threads,
                   exact_search_below=settings.exact_search_below,
                   qdrant_shard_number=settings.qdrant_shard_number,
                   qdrant_replication_factor=settings.qdrant_replication_factor)


class StoreError(RuntimeError):
    """A store problem with a message that says what to do next."""


class StoreLockedError(StoreError):
    """The embedded store's folder is held by another process."""


class CollectionMissingError(StoreError):
    """The named knowledge base does not exist (yet)."""


def locked_message(location: str | Path) -> str:
    """What to do when another process holds an embedded engine's folder (both embedded engines say it)."""
    return (
        f"the knowledge base at {location} is open in another process (is `seal serve` running?); use the "
        "server's POST /api/ingest, stop that process, or set SEAL_QDRANT_URL to share a Qdrant server"
    )


@dataclass
class FileChunk:
    """One chunk of an ingested file, to be stored: its text and where it came from."""

    text: str
    source: str
    file: str
    doc_id: str
    chunk: int = 0
    title: str = ""
    key: str | None = None  # what the point id derives from; default: file + chunk text

    @property
    def point_id(self) -> str:
        return str(uuid.uuid5(ID_NAMESPACE, self.key or f"{self.file}\x00{self.text}"))

    def payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "title": self.title,
            "source": self.source,
            "chunk": self.chunk,
            "doc_id": self.doc_id,
            "file": self.file,
        }


@dataclass
class StoredPoint:
    """A point as stored: its id, named vectors and payload (what a migration copies)."""

    id: str
    vectors: dict[str, Any]  # name -> vector (an array or a list of floats)
    payload: dict[str, Any]


@dataclass
class Hit:
    """One search result."""

    id: str
    score: float
    text: str
    title: str
    source: str
    chunk: int
    doc_id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hit_of(point: Any) -> Hit:
    """A scored point of either Qdrant library as a ``Hit``."""
    payload = point.payload or {}
    return Hit(
        id=str(point.id),
        score=float(point.score),
        text=payload.get("text", ""),
        title=payload.get("title", ""),
        source=payload.get("source", ""),
        chunk=int(payload.get("chunk", 0)),
        doc_id=str(payload.get("doc_id", "")),
    )


def groups(items: list[str], size: int) -> list[list[str]]:
    """``items`` in runs of ``size``: one filter per run keeps each request's filter small."""
    return [items[i : i + size] for i in range(0, len(items), size)]


class StoreEngine(Protocol):
    """One Qdrant engine behind the store. ``KnowledgeStore`` checks a collection exists before the calls
    that need it (and serializes the calls of an embedded engine), so engines do neither."""

    location: str  # where its data is: a folder or a server's URL (messages show it)

    def names(self) -> list[str]: ...

    def exists(self, collection: str) -> bool: ...

    def count(self, collection: str) -> int: ...

    def dims(self, collection: str) -> dict[str, int]: ...

    def create(self, collection: str, dims: dict[str, int]) -> None:
        """A new collection with these named vectors (cosine) and keyword indexes on ``source`` and ``file``
        where the engine uses them."""

    def drop(self, collection: str) -> None: ...

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None: ...

    def set_payload(self, collection: str, ids: Sequence[str], payload: dict[str, Any]) -> None: ...

    def file_payloads(self, collection: str, files: list[str], select: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, payload) of at least the points stored from ``files`` (``select``: ``True`` or field names);
        an engine may yield others too, the store keeps only those files'."""

    def scroll_points(self, collection: str, limit: int, offset: Any = None) -> tuple[list[StoredPoint], Any]:
        """A page of points with vectors and payload, and the offset of the next page (None at the end)."""

    def ids_of_file(self, collection: str, file: str) -> set[str]: ...

    def delete_ids(self, collection: str, ids: Iterable[str]) -> None: ...

    def delete_source(self, collection: str, source: str) -> None:
        """Delete the points whose ``source`` or ``file`` is ``source``."""

    def search(self, collection: str, query: list[float], using: str, k: int, source: str | None,
               exact: bool = False) -> list[Hit]:
        """The ``k`` nearest points in the ``using`` vectors (only ``source``'s, if given), best first."""

    def close(self) -> None: ...
