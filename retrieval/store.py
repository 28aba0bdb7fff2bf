"""The knowledge store: Qdrant collections of passages with two named vectors.

One collection per knowledge base. Each point carries a ``seal`` vector (SEAL's text side, what speech
queries search) and a ``text`` vector (the plain text embedder the ASR baseline searches), cosine
distance, and a payload ``text, title, source, chunk, doc_id, file``.

``KnowledgeStore`` is the one interface the rest of the code uses; it opens one engine
(``retrieval/store_engine.py`` says what an engine provides) from its ``StoreConfig``:

- Qdrant Edge, embedded, the default (``store_engine = "edge"``, ``EdgeEngine`` in
  ``retrieval/edge_store.py``): the Qdrant engine in-process, about a millisecond per search at
  10k-100k passages;
- qdrant-client (``ClientEngine`` in ``retrieval/client_store.py``): a Qdrant server or cluster when
  ``qdrant_url`` is set, else its pure-Python local mode (``store_engine = "local"``, the default until
  it proved too slow past a few thousand passages).

What does not depend on the engine is done here once: checks (a collection exists, its vector sizes
match), counts, errors that say what to do next, and the lock that makes an embedded engine (single
writer, not made for threads racing on it) take one call at a time. ``StoreConfig.from_settings`` reads
the app's settings (``SEAL_*``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from retrieval.store_engine import (  # noqa: F401 - the store's public names, importable from here
    ID_NAMESPACE,
    VECTORS,
    CollectionMissingError,
    FileChunk,
    Hit,
    StoreConfig,
    StoredPoint,
    StoreEngine,
    StoreError,
    StoreLockedError,
)


def _serialized(method):
    """Run the method under the store's lock (a no-op lock for a server)."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


def local_collections(config: StoreConfig | Any) -> list[str]:
    """Knowledge bases in the local-mode engine's folder (``SEAL_STORE_ENGINE=local``), without opening it.

    The edge engine (the default since it replaced local mode) keeps its own folder; this tells a user who
    upgraded that their knowledge bases are still in the old one, and ``seal migrate`` moves them."""
    folder = StoreConfig.from_settings(config).qdrant_path / "collection"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def open_engine(config: StoreConfig) -> StoreEngine:
    """The engine ``config`` asks for (each engine's library is imported only when it is used)."""
    if config.store_engine == "edge":
        if config.qdrant_url:
            raise StoreError(
                "SEAL_STORE_ENGINE=edge is an embedded engine but SEAL_QDRANT_URL names a server; unset one of them"
            )
        from retrieval.edge_store import EdgeEngine

        return EdgeEngine(config)
    from retrieval.client_store import ClientEngine

    return ClientEngine(config)


class KnowledgeStore:
    """Qdrant, embedded or server, behind the few operations the app needs; safe to share between threads."""

    def __init__(self, config: StoreConfig | Any) -> None:
        """``config``: a ``StoreConfig``, or the app's settings (read by ``StoreConfig.from_settings``)."""
        self.config = config = StoreConfig.from_settings(config)
        # The server (searches, ingestion in a worker thread) shares one store between threads; an
        # embedded engine is single-writer in-process state, so its calls take turns. A server needs no lock.
        self._lock = threading.RLock() if not config.qdrant_url else contextlib.nullcontext()
        self.engine: StoreEngine = open_engine(config)
        self.location = self.engine.location
        self._sizes: dict[str, int] = {}  # points per collection, for the exact-search rule; dropped on writes

    @property
    def embedded(self) -> bool:
        return not self.config.qdrant_url

    @property
    def edge(self) -> Any:
        """The Qdrant Edge engine, or None on another engine (for benchmarks that read its own figures)."""
        return self.engine if self.config.store_engine == "edge" else None

    @property
    def client(self) -> Any:
        """The ``QdrantClient`` of the qdrant-client engine, or None (for benchmarks of that engine)."""
        return getattr(self.engine, "client", None)

    # -- lifecycle -----------------------------------------------------------------------------

    @_serialized
    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- collections ---------------------------------------------------------------------------

    @_serialized
    def exists(self, collection: str) -> bool:
        return self.engine.exists(collection)

    @_serialized
    def collections(self) -> dict[str, int]:
        """Each collection's name and point count."""
        return {name: self.count(name) for name in self.engine.names()}

    @_serialized
    def count(self, collection: str) -> int:
        return self.engine.count(collection) if self.exists(collection) else 0

    @_serialized
    def ensure_collection(self, collection: str, dims: dict[str, int]) -> None:
        """Create the collection with the named vectors, or check an existing one has the same sizes."""
        if not self.exists(collection):
            self._sizes.pop(collection, None)
            return self.engine.create(collection, dims)
        have = self.dims(collection)
        if have != dims:
            raise StoreError(
                f"collection {collection!r} holds vectors {have}, but the models give {dims}; "
                f"ingest into a new --collection, or delete this one and ingest again"
            )

    @_serialized
    def drop(self, collection: str) -> None:
        self._sizes.pop(collection, None)
        self.engine.drop(collection)

    @_serialized
    def dims(self, collection: str) -> dict[str, int]:
        """Each named vector's size in ``collection``."""
        return self.engine.dims(collection)

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
        chunks: Sequence[FileChunk],
        vectors: dict[str, np.ndarray],
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Write chunks with their vectors (one row per chunk for each named vector); ``extra``
        payload fields go on every point (ingestion's bookkeeping: what embedded it, the file's hash)."""
        points = [
            StoredPoint(c.point_id, {name: vectors[name][row] for name in vectors}, {**c.payload(), **(extra or {})})
            for row, c in enumerate(chunks)
        ]
        self.upsert_points(collection, points)

    @_serialized
    def upsert_points(self, collection: str, points: Sequence[StoredPoint]) -> None:
        """Write points as they are (vectors as arrays or lists)."""
        if points:
            self._sizes.pop(collection, None)
            self.engine.upsert(collection, points)

    @_serialized
    def set_payload(self, collection: str, ids: Sequence[str], payload: dict[str, Any]) -> None:
        """Set (add or replace) these payload fields on the points, leaving their vectors alone."""
        if ids:
            self.engine.set_payload(collection, ids, payload)

    @_serialized
    def stored_payloads(
        self, collection: str, files: Sequence[str], fields: Sequence[str] | None = None
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """For each ingested file in ``files``: its stored points, id -> payload (only ``fields`` when given),
        in one pass for all the files (each engine picks how: a filter on ``file`` or one scan)."""
        wanted = set(files)
        found: dict[str, dict[str, dict[str, Any]]] = {file: {} for file in wanted}
        if not wanted or not self.exists(collection):
            return found
        select = sorted(set(fields) | {"file"}) if fields is not None else True
        for point_id, payload in self.engine.file_payloads(collection, sorted(wanted), select):
            file = payload.get("file")
            if file in wanted:
                found[file][point_id] = payload
        return found

    def points(self, collection: str, batch: int = 512) -> Iterator[list[StoredPoint]]:
        """Every stored point with its vectors and payload, a batch at a time (for ``seal migrate``)."""
        offset = None
        while True:
            with self._lock:  # per batch: a generator must not hold the lock between batches
                points, offset = self.engine.scroll_points(collection, batch, offset)
            if points:
                yield points
            if offset is None:
                return

    @_serialized
    def ids_of_file(self, collection: str, file: str) -> set[str]:
        """Point ids stored from one ingested file."""
        return self.engine.ids_of_file(collection, file)

    @_serialized
    def delete_ids(self, collection: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self._sizes.pop(collection, None)
            self.engine.delete_ids(collection, ids)

    @_serialized
    def delete_source(self, collection: str, source: str) -> int:
        """Remove every passage whose ``source`` or ``file`` is ``source``; returns how many went."""
        self._require(collection)
        before = self.count(collection)
        self._sizes.pop(collection, None)
        self.engine.delete_source(collection, source)
        return before - self.count(collection)

    def _exact(self, collection: str) -> bool:
        """Search every point when the collection is small (``exact_search_below``): at 11,855 points
        the HNSW graph returned 87 % of SEAL's exact top 10 and cost one everyday dev question in 136,
        while a full scan took well under a millisecond more (docs/benchmarks.md, issue 22)."""
        if not self.config.exact_search_below:
            return False
        if collection not in self._sizes:
            self._sizes[collection] = self.engine.count(collection)
        return self._sizes[collection] < self.config.exact_search_below

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
        try:
            return self.engine.search(collection, query, using, k, source, exact=self._exact(collection))
        except Exception:
            self._require(collection)  # checked only on failure: an extra round trip per query costs
            raise
