"""The store's qdrant-client engine: a Qdrant server or cluster (``SEAL_QDRANT_URL``), or qdrant-client's
pure-Python local mode (``SEAL_STORE_ENGINE=local``, ``QdrantClient(path=config.qdrant_path)``: the
embedded default until it proved too slow past a few thousand passages; Qdrant Edge replaced it).

The two differ only where local mode is pure Python: it has no payload indexes (it ignores them, and
warns), so a filter is evaluated point by point and a plain scan of the collection beats it; a server's
new collections take the shard and replica settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from retrieval.store_engine import Hit, StoreConfig, StoredPoint, StoreLockedError, groups, hit_of, locked_message


class ClientEngine:
    """A ``QdrantClient`` on a server (``config.qdrant_url``) or on the local-mode folder."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.embedded = not config.qdrant_url  # local mode
        if not self.embedded:
            self.location = config.qdrant_url
            self.client = QdrantClient(url=config.qdrant_url, api_key=config.qdrant_api_key)
            return
        self.location = str(config.qdrant_path)
        config.qdrant_path.mkdir(parents=True, exist_ok=True)
        try:
            self.client = QdrantClient(path=self.location)
        except RuntimeError as exc:
            if "already accessed" not in str(exc):
                raise
            raise StoreLockedError(locked_message(self.location)) from None

    # -- collections ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(c.name for c in self.client.get_collections().collections)

    def exists(self, collection: str) -> bool:
        return self.client.collection_exists(collection)

    def count(self, collection: str) -> int:
        return self.client.count(collection, exact=True).count

    def dims(self, collection: str) -> dict[str, int]:
        info = self.client.get_collection(collection)
        return {name: params.size for name, params in (info.config.params.vectors or {}).items()}

    def create(self, collection: str, dims: dict[str, int]) -> None:
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
        if not self.embedded:  # local mode ignores payload indexes (and warns)
            for field in ("source", "file"):
                self.client.create_payload_index(collection, field, models.PayloadSchemaType.KEYWORD)

    def drop(self, collection: str) -> None:
        self.client.delete_collection(collection)

    def close(self) -> None:
        self.client.close()

    # -- points --------------------------------------------------------------------------------

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        structs = [
            models.PointStruct(id=p.id, vector={name: np.asarray(v, dtype=np.float32).tolist() for name, v in p.vectors.items()},
                               payload=p.payload)
            for p in points
        ]
        self.client.upsert(collection, points=structs, wait=True)

    def set_payload(self, collection: str, ids: Sequence[str], payload: dict[str, Any]) -> None:
        self.client.set_payload(collection, payload=payload, points=list(ids), wait=True)

    def file_payloads(self, collection: str, files: list[str], select: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """A server filters on the indexed ``file`` field, 256 files a request; local mode scans it all once
        (no indexes: its per-point filter evaluation is slower than the scan)."""
        for group in [files] if self.embedded else groups(files, 256):
            offset = None
            while True:
                points, offset = self.client.scroll(
                    collection, scroll_filter=None if self.embedded else _files_filter(group), limit=2048,
                    offset=offset, with_payload=select, with_vectors=False,
                )
                for point in points:
                    yield str(point.id), dict(point.payload or {})
                if offset is None:
                    break

    def scroll_points(self, collection: str, limit: int, offset: Any = None) -> tuple[list[StoredPoint], Any]:
        records, offset = self.client.scroll(collection, limit=limit, offset=offset, with_payload=True, with_vectors=True)
        return [StoredPoint(str(r.id), dict(r.vector or {}), dict(r.payload or {})) for r in records], offset

    def ids_of_file(self, collection: str, file: str) -> set[str]:
        ids: set[str] = set()
        offset = None
        while True:
            points, offset = self.client.scroll(
                collection, scroll_filter=_file_filter(file), limit=1024, offset=offset, with_payload=False
            )
            ids.update(str(point.id) for point in points)
            if offset is None:
                return ids

    def delete_ids(self, collection: str, ids: Iterable[str]) -> None:
        self.client.delete(collection, points_selector=models.PointIdsList(points=list(ids)), wait=True)

    def delete_source(self, collection: str, source: str) -> None:
        selector = models.FilterSelector(filter=_source_filter(source))
        self.client.delete(collection, points_selector=selector, wait=True)

    def search(self, collection: str, query: list[float], using: str, k: int, source: str | None,
               exact: bool = False) -> list[Hit]:
        response = self.client.query_points(
            collection, query=query, using=using, limit=k,
            query_filter=_source_filter(source) if source is not None else None, with_payload=True,
            # local mode always scans every point; a server takes the hint
            search_params=models.SearchParams(exact=True) if exact and not self.embedded else None,
        )
        return [hit_of(point) for point in response.points]


def _source_filter(source: str) -> models.Filter:
    """Points whose ``source`` or ``file`` equals ``source``."""
    return models.Filter(
        should=[models.FieldCondition(key=k, match=models.MatchValue(value=source)) for k in ("source", "file")]
    )


def _file_filter(file: str) -> models.Filter:
    return models.Filter(must=[models.FieldCondition(key="file", match=models.MatchValue(value=file))])


def _files_filter(files: Sequence[str]) -> models.Filter:
    return models.Filter(must=[models.FieldCondition(key="file", match=models.MatchAny(any=list(files)))])
