"""Copy knowledge bases from one store to another, vectors and payloads as they are (`seal migrate`).

The embedded default moved from qdrant-client's local mode (``SEAL_DATA_DIR/qdrant``) to Qdrant Edge
(``SEAL_DATA_DIR/qdrant-edge``); this moves what a user had ingested without embedding anything again.
The same copy goes from either embedded engine to a Qdrant server or cluster (``SEAL_QDRANT_URL``).
Points keep their ids, so running it again (after an interruption, say) overwrites the same points and
finishes the job. The source is only read: nothing is deleted there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from retrieval.store import KnowledgeStore, StoreError


@dataclass
class Migrated:
    collection: str
    points: int  # copied
    total: int  # in the target afterwards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def migrate(
    source: KnowledgeStore,
    target: KnowledgeStore,
    collections: Sequence[str] | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
    batch: int = 512,
) -> list[Migrated]:
    """Copy ``collections`` (default: all of the source's) into ``target``.

    ``progress(name, total)`` returns a callback that is told how many points each batch copied."""
    if source.location == target.location:
        raise StoreError(f"the source and the target are the same store ({source.location}); nothing to move")
    have = source.collections()
    names = list(collections or have)
    missing = [name for name in names if name not in have]
    if missing:
        raise StoreError(
            f"no knowledge base {', '.join(map(repr, missing))} at {source.location} "
            f"(there: {', '.join(have) or 'none'})"
        )
    done = []
    for name in names:
        target.ensure_collection(name, source.dims(name))  # an existing one must have the same sizes
        advance = progress(name, have[name]) if progress else (lambda n: None)
        copied = 0
        for points in source.points(name, batch):
            target.upsert_points(name, points)
            copied += len(points)
            advance(len(points))
        done.append(Migrated(name, copied, target.count(name)))
    return done
