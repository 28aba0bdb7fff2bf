"""The knowledge store: Qdrant collections of passages with two named vectors.

One collection per knowledge base. Each point carries a ``seal`` vector (SEAL's text side, what speech
queries search) and a ``text`` vector (the plain text embedder the ASR baseline searches), cosine
distance, and a payload ``text, title, source, chunk, doc_id, file``.

Embedded by default, on Qdrant Edge (``StoreConfig.store_engine = "edge"``, ``retrieval/edge_store.py``:
the Qdrant engine in-process, about a millisecond per search at 10k-100k passages); ``"local"`` is
qdrant-client's pure-Python local mode (``QdrantClient(path=config.qdrant_path)``, the default until
it proved too slow past a few thousand passages). A Qdrant server (or cluster) when
``config.qdrant_url`` is set. Everything after the client is the same code; edge operations hand
over to ``EdgeEngine``. ``StoreConfig.from_settings`` reads the app's settings (``SEAL_*``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from qdrant_client import QdrantClient, models

if TYPE_CHECKING:
    from retrieval.edge_store import EdgeEngine

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
                   qdrant_shard_number=settings.qdrant_shard_number,
                   qdrant_replication_factor=settings.qdrant_replication_factor)


class StoreError(RuntimeError):
    """A store problem with a message that says what to do next."""


class StoreLockedError(StoreError):
    """The embedded store's folder is held by another process."""


class CollectionMissingError(StoreError):
    """The named knowledge base does not exist (yet)."""


@dataclass
class Passage:
    """One chunk to store: its text and where it came from."""

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
    vectors: dict[str, list[float]]
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


def _serialized(method):
    """Run the method under the store's lock (a no-op lock for a server)."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


def _source_filter(source: str | None) -> models.Filter | None:
    """Points whose ``source`` or ``file`` equals ``source``."""
    if source is None:
        return None
    return models.Filter(
        should=[
            models.FieldCondition(key="source", match=models.MatchValue(value=source)),
            models.FieldCondition(key="file", match=models.MatchValue(value=source)),
        ]
    )


def _file_filter(file: str) -> models.Filter:
    return models.Filter(must=[models.FieldCondition(key="file", match=models.MatchValue(value=file))])


def _files_filter(files: Sequence[str]) -> models.Filter:
    return models.Filter(must=[models.FieldCondition(key="file", match=models.MatchAny(any=list(files)))])


def local_collections(config: StoreConfig | Any) -> list[str]:
    """Knowledge bases in the local-mode engine's folder (``SEAL_STORE_ENGINE=local``), without opening it.

    The edge engine (the default since it replaced local mode) keeps its own folder; this tells a user who
    upgraded that their knowledge bases are still in the old one, and ``seal migrate`` moves them."""
    folder = StoreConfig.from_settings(config).qdrant_path / "collection"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


class KnowledgeStore:
    """Qdrant, embedded or server, behind the few operations the app needs."""

    def __init__(self, config: StoreConfig | Any) -> None:
        """``config``: a ``StoreConfig``, or the app's settings (read by ``StoreConfig.from_settings``)."""
        self.config = config = StoreConfig.from_settings(config)
        # The embedded engine is plain Python state; the server (and ingestion in a worker thread) may
        # use one store from several threads, so embedded calls take turns. A server needs no lock.
        self._lock = threading.RLock() if not config.qdrant_url else contextlib.nullcontext()
        self.edge: EdgeEngine | None = None
        if config.store_engine == "edge":
            if config.qdrant_url:
                raise StoreError(
                    "SEAL_STORE_ENGINE=edge is an embedded engine but SEAL_QDRANT_URL names a server; unset one of them"
                )
            from retrieval.edge_store import EdgeEngine  # only this engine needs qdrant-edge-py

            self.edge = EdgeEngine(config)
            self.location = str(self.edge.root)
            self.client = None
        elif config.qdrant_url:
            self.location = config.qdrant_url
            self.client = QdrantClient(url=config.qdrant_url, api_key=config.qdrant_api_key)
        else:
            self.location = str(config.qdrant_path)
            config.qdrant_path.mkdir(parents=True, exist_ok=True)
            try:
                self.client = QdrantClient(path=self.location)
            except RuntimeError as exc:
                if "already accessed" not in str(exc):
                    raise
                raise StoreLockedError(
                    f"the knowledge base at {self.location} is open in another process (is `seal serve` "
                    "running?); use the server's POST /api/ingest, stop that process, or set SEAL_QDRANT_URL "
                    "to share a Qdrant server"
                ) from None

    @property
    def embedded(self) -> bool:
        return not self.config.qdrant_url

    # -- lifecycle -----------------------------------------------------------------------------

    @_serialized
    def close(self) -> None:
        if self.edge:
            return self.edge.close()
        self.client.close()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- collections ---------------------------------------------------------------------------

    @_serialized
    def exists(self, collection: str) -> bool:
        if self.edge:
            return self.edge.exists(collection)
        return self.client.collection_exists(collection)

    @_serialized
    def collections(self) -> dict[str, int]:
        """Each collection's name and point count."""
        if self.edge:
            names = self.edge.names()
        else:
            names = sorted(c.name for c in self.client.get_collections().collections)
        return {name: self.count(name) for name in names}

    @_serialized
    def count(self, collection: str) -> int:
        if not self.exists(collection):
            return 0
        if self.edge:
            return self.edge.count(collection)
        return self.client.count(collection, exact=True).count

    @_serialized
    def ensure_collection(self, collection: str, dims: dict[str, int]) -> None:
        """Create the collection with the named vectors, or check an existing one has the same sizes."""
        if self.exists(collection):
            have = self.dims(collection)
            if have != dims:
                raise StoreError(
                    f"collection {collection!r} holds vectors {have}, but the models give {dims}; "
                    f"ingest into a new --collection, or delete this one and ingest again"
                )
            return
        if self.edge:
            return self.edge.create(collection, dims)
        cluster = {}
        if not self.embedded:  # a server or cluster: spread the collection as the settings ask
            cluster = {
                "shard_number": self.config.qdrant_shard_number,
                "replication_factor": self.config.qdrant_replication_factor,
            }
        self.client.create_collection(
            collection,
            vectors_config={
                name: models.VectorParams(size=size, distance=models.Distance.COSINE) for name, size in dims.items()
            },
            **cluster,
        )
        if not self.embedded:  # the embedded store ignores payload indexes (and warns)
            for field in ("source", "file"):
                self.client.create_payload_index(collection, field, models.PayloadSchemaType.KEYWORD)

    @_serialized
    def drop(self, collection: str) -> None:
        if self.edge:
            return self.edge.drop(collection)
        self.client.delete_collection(collection)

    def dims(self, collection: str) -> dict[str, int]:
        """Each named vector's size in ``collection``."""
        if self.edge:
            return self.edge.dims(collection)
        info = self.client.get_collection(collection)
        return {name: params.size for name, params in (info.config.params.vectors or {}).items()}

    def _require(self, collection: str) -> None:
        if not self.exists(collection):
            known = ", ".join(self.collections()) or "none yet"
            raise CollectionMissingError(
                f"there is no knowledge base {collection!r} at {self.location} (collections: {known}); "
                f"{self.missing_hint(collection)}"
            )

    def missing_hint(self, collection: str) -> str:
        """What to do about a missing collection: migrate it from the old engine's folder, or ingest."""
        if self.edge and collection in local_collections(self.config):
            return (
                f"it is still in the local-mode engine's folder {self.config.qdrant_path}: move it with "
                f"`seal migrate` (keeps its vectors), or set SEAL_STORE_ENGINE=local to keep using that engine"
            )
        return f"fill it with `seal ingest PATH... --collection {collection}`"

    # -- points --------------------------------------------------------------------------------

    def upsert(
        self,
        collection: str,
        passages: Sequence[Passage],
        vectors: dict[str, np.ndarray],
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Write passages with their vectors (one row per passage for each named vector); ``extra``
        payload fields go on every point (ingestion's bookkeeping: what embedded it, the file's hash)."""
        points = [
            StoredPoint(p.point_id, {name: vectors[name][row] for name in vectors}, {**p.payload(), **(extra or {})})
            for row, p in enumerate(passages)
        ]
        self.upsert_points(collection, points)

    @_serialized
    def upsert_points(self, collection: str, points: Sequence[StoredPoint]) -> None:
        """Write points as they are (vectors as arrays or lists)."""
        if not points:
            return
        if self.edge:
            return self.edge.upsert(collection, [(p.id, p.vectors, p.payload) for p in points])
        structs = [
            models.PointStruct(id=p.id, vector={name: np.asarray(v, dtype=np.float32).tolist() for name, v in p.vectors.items()},
                               payload=p.payload)
            for p in points
        ]
        self.client.upsert(collection, points=structs, wait=True)

    @_serialized
    def set_payload(self, collection: str, ids: Sequence[str], payload: dict[str, Any]) -> None:
        """Set (add or replace) these payload fields on the points, leaving their vectors alone."""
        if not ids:
            return
        if self.edge:
            return self.edge.set_payload(collection, ids, payload)
        self.client.set_payload(collection, payload=payload, points=list(ids), wait=True)

    @_serialized
    def stored_payloads(
        self, collection: str, files: Sequence[str], fields: Sequence[str] | None = None
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """For each ingested file in ``files``: its stored points, id -> payload (only ``fields`` when given).

        One pass for all the files: on Qdrant Edge or a server a filter on the indexed ``file`` field; on
        local mode (no indexes: every filter is a scan in Python) one scan of the collection."""
        wanted = set(files)
        found: dict[str, dict[str, dict[str, Any]]] = {file: {} for file in wanted}
        if not wanted or not self.exists(collection):
            return found
        select = sorted(set(fields) | {"file"}) if fields is not None else True
        groups = [sorted(wanted)] if self.embedded and not self.edge else _groups(sorted(wanted), 256)
        for group in groups:
            for point_id, payload in self._scroll_payloads(collection, group, select):
                file = payload.get("file")
                if file in wanted:
                    found[file][point_id] = payload
        return found

    def _scroll_payloads(self, collection: str, files: list[str], select) -> Iterator[tuple[str, dict[str, Any]]]:
        if self.edge:
            yield from self.edge.scroll_payloads(collection, files, select)
            return
        scan = self.embedded  # local mode: a plain scan beats its per-point filter evaluation
        offset = None
        while True:
            points, offset = self.client.scroll(
                collection, scroll_filter=None if scan else _files_filter(files), limit=2048, offset=offset,
                with_payload=select, with_vectors=False,
            )
            for point in points:
                yield str(point.id), dict(point.payload or {})
            if offset is None:
                return

    def points(self, collection: str, batch: int = 512) -> Iterator[list[StoredPoint]]:
        """Every stored point with its vectors and payload, a batch at a time (for ``seal migrate``)."""
        offset = None
        while True:
            with self._lock:  # per batch: a generator must not hold the lock between batches
                if self.edge:
                    records, offset = self.edge.scroll_points(collection, batch, offset)
                else:
                    records, offset = self.client.scroll(
                        collection, limit=batch, offset=offset, with_payload=True, with_vectors=True
                    )
            if records:
                yield [StoredPoint(str(r.id), dict(r.vector), dict(r.payload or {})) for r in records]
            if offset is None:
                return

    @_serialized
    def ids_of_file(self, collection: str, file: str) -> set[str]:
        """Point ids stored from one ingested file."""
        if self.edge:
            return self.edge.ids_of_file(collection, file)
        ids: set[str] = set()
        offset = None
        while True:
            points, offset = self.client.scroll(
                collection, scroll_filter=_file_filter(file), limit=1024, offset=offset, with_payload=False
            )
            ids.update(str(point.id) for point in points)
            if offset is None:
                return ids

    @_serialized
    def delete_ids(self, collection: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids and self.edge:
            self.edge.delete_ids(collection, ids)
        elif ids:
            self.client.delete(collection, points_selector=models.PointIdsList(points=ids), wait=True)

    @_serialized
    def delete_source(self, collection: str, source: str) -> int:
        """Remove every passage whose ``source`` or ``file`` is ``source``; returns how many went."""
        self._require(collection)
        before = self.count(collection)
        if self.edge:
            self.edge.delete_source(collection, source)
        else:
            selector = models.FilterSelector(filter=_source_filter(source))
            self.client.delete(collection, points_selector=selector, wait=True)
        return before - self.count(collection)

    @_serialized
    def search(
        self,
        collection: str,
        vector: np.ndarray | Sequence[float],
        using: str = "seal",
        k: int = 5,
        source: str | None = None,
    ) -> list[Hit]:
        """The ``k`` passages nearest to ``vector`` in the named vector space, best first."""
        if using not in VECTORS:
            raise ValueError(f"using must be one of {VECTORS}, not {using!r}")
        query = np.asarray(vector, dtype=np.float32).reshape(-1).tolist()
        if self.edge:
            self._require(collection)  # a folder check, no round trip
            return [_hit(point) for point in self.edge.search(collection, query, using, k, source)]
        try:
            response = self.client.query_points(
                collection, query=query, using=using, limit=k, query_filter=_source_filter(source), with_payload=True
            )
        except Exception:
            self._require(collection)  # checked only on failure: an extra round trip per query costs
            raise
        return [_hit(point) for point in response.points]


def _groups(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _hit(point: Any) -> Hit:
    """A scored point of either engine as a ``Hit``."""
    return Hit(
        id=str(point.id),
        score=float(point.score),
        text=point.payload.get("text", ""),
        title=point.payload.get("title", ""),
        source=point.payload.get("source", ""),
        chunk=int(point.payload.get("chunk", 0)),
        doc_id=str(point.payload.get("doc_id", "")),
    )
