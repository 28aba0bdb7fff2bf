"""The store's Qdrant Edge engine (``SEAL_STORE_ENGINE=edge``, the default): the Qdrant engine in-process, in Rust.

One ``EdgeShard`` per collection, persisted in ``config.data_dir / "qdrant-edge" / <collection>``.
A ``StoreEngine`` (``retrieval/store_engine.py``): ``KnowledgeStore`` opens it when the setting asks for
it; the payload, point ids and named vectors are the same as the other engine's, so ingestion and search
code do not change.

Index building: after each upsert batch the shard's optimizer runs (``optimize()``), as a Qdrant server
would run it in the background. Below Qdrant's indexing threshold (about 7,000 points of 384-d vectors)
it finds nothing to do and returns at once, so small ingests stay fast and small collections are
searched exactly (brute force takes a fraction of a millisecond there); past it, full segments get their
HNSW index, which is what keeps search at about a millisecond at 100k. Updates are durable once
written (Qdrant's write-ahead log); ``close`` flushes the segments.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

try:
    import qdrant_edge as edge
except ImportError:  # pragma: no cover - the dependency is declared; a clear message if it is missing
    edge = None

from retrieval.store_engine import (
    Hit,
    StoreConfig,
    StoredPoint,
    StoreError,
    StoreLockedError,
    groups,
    hit_of,
    locked_message,
)

# Collection names become folder names: keep them to what a folder name can safely be.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class EdgeEngine:
    """Each collection an ``EdgeShard`` in its own folder, opened with the store and kept open until ``close``."""

    def __init__(self, config: StoreConfig) -> None:
        if edge is None:
            raise StoreError("SEAL_STORE_ENGINE=edge needs qdrant-edge-py: pip install 'qdrant-edge-py>=0.9'")
        self.root = Path(config.data_dir) / "qdrant-edge"
        self.search_threads = config.edge_search_threads
        self.root.mkdir(parents=True, exist_ok=True)
        self.location = str(self.root)
        self._shards: dict[str, Any] = {}
        self.optimize_s = 0.0  # time spent building indexes since opening (the benchmark reports it)
        for name in self.names():  # open them all now, so a second process is told at once (as in local mode)
            self._shard(name)

    # -- collections ---------------------------------------------------------------------------

    def _folder(self, collection: str) -> Path:
        if not _NAME.match(collection):
            raise StoreError(
                f"collection name {collection!r} cannot be a folder of the edge store; "
                "use letters, digits, '.', '_' or '-'"
            )
        return self.root / collection

    def exists(self, collection: str) -> bool:
        return collection in self._shards or (self._folder(collection) / "edge_config.json").is_file()

    def names(self) -> list[str]:
        return sorted(set(self._shards) | {p.parent.name for p in self.root.glob("*/edge_config.json")})

    def _shard(self, collection: str):
        shard = self._shards.get(collection)
        if shard is None:
            shard = self._shards[collection] = self._load(self._folder(collection))
        return shard

    def _config(self, dims: dict[str, int]):
        # One search thread (the default setting): a collection of this app's size needs no parallel
        # segment reads, and on a busy CPU waking a pool of search threads cost 25-70 ms per query
        # against about 1 ms on one (10k passages, 2 cores shared with a training job: docs/retrieval.md).
        vectors = {name: edge.EdgeVectorParams(size=n, distance=edge.Distance.Cosine) for name, n in dims.items()}
        return edge.EdgeConfig(vectors=vectors, max_search_threads=self.search_threads)

    def _load(self, folder: Path):
        try:  # the config given is checked against the shard's and kept (only the search threads change)
            return edge.EdgeShard.load(str(folder), self._config(self._dims_at(folder)))
        except Exception as exc:  # the shard's write-ahead log is locked by another process
            if "WouldBlock" not in str(exc):
                raise
            raise StoreLockedError(locked_message(folder)) from None

    def create(self, collection: str, dims: dict[str, int]) -> None:
        shard = edge.EdgeShard.create(str(self._folder(collection)), self._config(dims))
        for field in ("source", "file"):  # delete-by-source and search-by-source filter on these
            shard.update(edge.UpdateOperation.create_field_index(field, edge.PayloadSchemaType.Keyword))
        self._shards[collection] = shard

    def dims(self, collection: str) -> dict[str, int]:
        return self._dims_at(self._folder(collection))

    @staticmethod
    def _dims_at(folder: Path) -> dict[str, int]:
        config = json.loads((folder / "edge_config.json").read_text())
        return {name: int(params["size"]) for name, params in (config.get("vectors") or {}).items()}

    def drop(self, collection: str) -> None:
        shard = self._shards.pop(collection, None)
        if shard is not None:
            shard.close()
        shutil.rmtree(self._folder(collection), ignore_errors=True)

    def count(self, collection: str) -> int:
        return self._shard(collection).count(edge.CountRequest(exact=True))

    def close(self) -> None:
        for shard in self._shards.values():
            shard.close()  # flushes
        self._shards.clear()

    # -- points --------------------------------------------------------------------------------

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        shard = self._shard(collection)
        rows = [edge.Point(p.id, {name: np.asarray(v, dtype=np.float32).tolist() for name, v in p.vectors.items()},
                           p.payload)
                for p in points]
        shard.update(edge.UpdateOperation.upsert_points(rows))
        started = time.perf_counter()
        shard.optimize()  # a no-op until a segment passes the indexing threshold (see the module notes)
        self.optimize_s += time.perf_counter() - started

    def ids_of_file(self, collection: str, file: str) -> set[str]:
        shard, ids, offset = self._shard(collection), set(), None
        request = edge.Filter(must=[edge.FieldCondition(key="file", match=edge.MatchValue(value=file))])
        while True:
            records, offset = shard.scroll(
                edge.ScrollRequest(offset=offset, limit=1024, filter=request, with_payload=False, with_vector=False)
            )
            ids.update(str(r.id) for r in records)
            if offset is None:
                return ids

    def file_payloads(self, collection: str, files: list[str], select: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, payload) of the points stored from ``files`` (payload: ``True`` or a list of fields),
        filtered on the indexed ``file`` field 256 files at a time."""
        shard = self._shard(collection)
        for group in groups(files, 256):
            offset = None
            request = edge.Filter(must=[edge.FieldCondition(key="file", match=edge.MatchAny(any=group))])
            while True:
                records, offset = shard.scroll(
                    edge.ScrollRequest(offset=offset, limit=2048, filter=request, with_payload=select, with_vector=False)
                )
                for record in records:
                    yield str(record.id), dict(record.payload or {})
                if offset is None:
                    break

    def scroll_points(self, collection: str, limit: int, offset: Any = None) -> tuple[list[StoredPoint], Any]:
        """A page of points with vectors and payload, and the offset of the next page (None at the end)."""
        records, offset = self._shard(collection).scroll(
            edge.ScrollRequest(offset=offset, limit=limit, with_payload=True, with_vector=True)
        )
        return [StoredPoint(str(r.id), dict(r.vector or {}), dict(r.payload or {})) for r in records], offset

    def set_payload(self, collection: str, ids: Sequence[str], payload: dict[str, Any]) -> None:
        self._shard(collection).update(edge.UpdateOperation.set_payload([uuid.UUID(i) for i in ids], payload))

    def records(self, collection: str, limit: int, with_vectors: bool = False) -> list[Any]:
        """Up to ``limit`` stored points with payload (and vectors), as the engine gives them: for the benchmark."""
        records, _ = self._shard(collection).scroll(
            edge.ScrollRequest(limit=limit, with_payload=True, with_vector=with_vectors)
        )
        return records

    def delete_ids(self, collection: str, ids: Iterable[str]) -> None:
        shard = self._shard(collection)
        shard.update(edge.UpdateOperation.delete_points([uuid.UUID(i) for i in ids]))

    def delete_source(self, collection: str, source: str) -> None:
        shard = self._shard(collection)
        shard.update(edge.UpdateOperation.delete_points_by_filter(_source_filter(source)))

    def search(self, collection: str, query: list[float], using: str, k: int, source: str | None,
               exact: bool = False) -> list[Hit]:
        points = self._shard(collection).query(
            edge.QueryRequest(
                limit=k,
                query=edge.Query.Nearest(query, using=using),
                filter=_source_filter(source) if source is not None else None,
                with_payload=True,
                params=edge.SearchParams(exact=exact),
            )
        )
        return [hit_of(point) for point in points]


def _source_filter(source: str):
    """Points whose ``source`` or ``file`` equals ``source`` (the same rule as the other engines)."""
    return edge.Filter(
        should=[edge.FieldCondition(key=k, match=edge.MatchValue(value=source)) for k in ("source", "file")]
    )
