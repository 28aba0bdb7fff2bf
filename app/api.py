"""The HTTP API: search with text or an uploaded recording, ingest uploaded documents.

Errors come back as ``{"detail": {"code": ..., "message": ...}}`` with a status that fits (400 bad
input, 401 token, 403 foreign Host or Origin, 404 unknown collection, 413 too big, 415 wrong type,
503 still loading or busy). Host, Origin, token and body size are checked by ``app.security.ApiGuard``
before a route runs; uploads are stored as ``upload://NAME`` (``retrieval.ingest``: they can replace
only what an upload of the same name stored).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import UploadFile
from pydantic import BaseModel, Field

from app.events import COLLECTION_PATTERN
from app.resources import Busy, Gate, Resources
from app.security import redact

log = logging.getLogger("seal.api")
AUDIO_TYPES = (".wav", ".flac", ".ogg", ".oga")
AUDIO_PIPELINES = ("seal", "asr")
TEXT_PIPELINES = ("text", "seal")
UPLOAD_SCOPE = "upload"
MAX_FILES = 20  # per POST /api/ingest
COLLECTION_NAME = re.compile(COLLECTION_PATTERN)


def fail(status: int, code: str, message: str) -> HTTPException:
    return HTTPException(status, detail={"code": code, "message": message})


async def ready_resources(request: Request) -> Resources:
    """The loaded models and store (the token was checked by ApiGuard, before any body was read)."""
    res: Resources = request.app.state.resources
    if not await res.wait_ready(timeout=120):
        raise fail(503, "not_ready", redact(res.error or "the models are still loading; retry in a moment", res.settings))
    return res


@contextmanager
def admitted(gate: Gate, what: str) -> Iterator[None]:
    """A place for this request, or 503 busy (with Retry-After) when the server has enough of them."""
    try:
        with gate.slot():
            yield
    except Busy:
        raise HTTPException(503, detail={"code": "busy", "message": f"the server is busy: {what}; retry in a moment"},
                            headers={"Retry-After": "5"}) from None


class TextQuery(BaseModel):
    text: str = Field(..., min_length=1, max_length=2000, description="The question")
    collection: str | None = Field(None, pattern=COLLECTION_PATTERN, description="Knowledge base; default SEAL_COLLECTION")
    k: int = Field(5, ge=1, le=50)
    pipelines: list[str] = Field(["text"], description="text (text embedder) and/or seal (SEAL text side)")


SEARCH_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": TextQuery.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {"type": "string", "format": "binary", "description": "WAV, FLAC or OGG speech"},
                        "collection": {"type": "string"},
                        "k": {"type": "integer", "default": 5},
                        "pipelines": {"type": "string", "default": "seal,asr", "description": "comma list of seal, asr"},
                    },
                }
            },
        },
        "required": True,
    }
}

router = APIRouter(prefix="/api", tags=["api"])


@router.post("/search", openapi_extra=SEARCH_BODY, summary="Passages for a text question or a spoken one")
async def search(request: Request, res: Resources = Depends(ready_resources)) -> dict[str, Any]:
    """JSON `{"text": ...}` runs the text pipelines; a multipart upload with an `audio` file runs SEAL
    and/or the ASR baseline on it, concurrently. Each result has hits and a latency breakdown."""
    with admitted(res.searches, f"{res.searches.limit} searches are already in progress"):
        return await _search(request, res)


async def _search(request: Request, res: Resources) -> dict[str, Any]:
    started = time.perf_counter()
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            query = TextQuery.model_validate_json(await request.body())
        except ValueError as exc:
            raise fail(400, "bad_query", f"the JSON body is not a query: {exc}") from None
        query_input: Any = query.text
        collection, k, pipelines, allowed = query.collection, query.k, query.pipelines, TEXT_PIPELINES
    elif kind.startswith("multipart/form-data"):
        form = await request.form(max_files=2, max_fields=10)
        upload = form.get("audio")
        if not isinstance(upload, UploadFile) and not hasattr(upload, "read"):
            raise fail(400, "no_audio", "send the recording as a multipart file field named 'audio'")
        query_input = await _read_audio(upload, res)
        collection = _collection(form.get("collection"))
        k = _int(form.get("k"), 5)
        pipelines = [p.strip() for p in str(form.get("pipelines") or "seal,asr").split(",") if p.strip()]
        allowed = AUDIO_PIPELINES
    else:
        raise fail(415, "bad_content_type", "send JSON {\"text\": ...} or multipart/form-data with an 'audio' file")
    bad = [p for p in pipelines if p not in allowed]
    if bad or not pipelines:
        raise fail(400, "bad_pipelines", f"pipelines for this query: {', '.join(allowed)} (got {', '.join(pipelines) or 'none'})")
    collection = collection or res.settings.collection
    await _require_collection(res, collection)
    results = await asyncio.gather(*(res.run_pipeline(p, res.pipelines[p].run, query_input, collection, k) for p in pipelines))
    total = round((time.perf_counter() - started) * 1000, 1)
    log.info("search %s in %s: %s; %.0f ms", "text" if isinstance(query_input, str) else "audio", collection,
             ", ".join(f"{r.pipeline} {r.timings_ms.get('total', 0):.0f} ms" for r in results), total)
    return {"collection": collection, "results": [r.to_dict() for r in results], "timings_ms": {"total": total}}


INGEST_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                  "description": ".txt .md .html .pdf .jsonl (repeat the field for more files)"},
                        "collection": {"type": "string", "description": "Knowledge base; default SEAL_COLLECTION"},
                    },
                }
            }
        },
        "required": True,
    }
}


@router.post("/ingest", openapi_extra=INGEST_BODY, summary="Add uploaded documents to a knowledge base")
async def ingest(request: Request, res: Resources = Depends(ready_resources)) -> dict[str, Any]:
    """Upload .txt .md .html .pdf .jsonl files (field `files`, repeatable); they are chunked, embedded
    with both towers and stored. Unreadable files are reported under `skipped`; the rest go in.
    Uploads are stored apart from what `seal ingest` put in: an upload replaces only an earlier upload
    of the same file name. One ingest runs at a time; beyond `SEAL_MAX_PENDING_INGESTS`: 503 busy."""
    with admitted(res.ingests, f"{res.ingests.limit} uploads are already being ingested or waiting"):
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES + 5)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise fail(400, "no_files", f"send documents as multipart file fields named 'files' (at most {MAX_FILES})")
        return await _ingest_files(files, _collection(form.get("collection")) or res.settings.collection, res)


async def _ingest_files(files: list[UploadFile], collection: str, res: Resources) -> dict[str, Any]:
    from retrieval.ingest import ingest_paths
    from retrieval.loaders import LOADERS, LoadLimits

    limits = LoadLimits(pdf_max_pages=res.settings.pdf_max_pages, seconds=res.settings.load_timeout_s)
    with tempfile.TemporaryDirectory(prefix="seal-upload-") as tmp:
        names: dict[Path, str] = {}
        for i, upload in enumerate(files):
            name = Path(upload.filename or f"upload-{i}").name or f"upload-{i}"
            suffix = Path(name).suffix.lower()
            if suffix not in LOADERS:
                raise fail(415, "bad_file_type", f"{name}: unsupported type {suffix or '(none)'}; supported: {', '.join(sorted(LOADERS))}")
            path = Path(tmp) / f"{i}{suffix}"
            path.write_bytes(await _read_limited(upload, res, name))
            names[path] = name
        report = await res.run_ingest(ingest_paths, list(names), collection, res.store, res.seal_model, res.text_embedder,
                                      progress=False, names=names, scope=UPLOAD_SCOPE, limits=limits)
    by_path = {str(path): name for path, name in names.items()} | {str(path.resolve()): name for path, name in names.items()}
    for skipped in report.skipped:
        skipped.path = by_path.get(skipped.path, skipped.path)  # the uploader's name, not our temp file
    log.info("ingest into %s: %d files, %d passages", collection, report.files, report.chunks)
    return report.to_dict()


async def _read_limited(upload: Any, res: Resources, name: str) -> bytes:
    limit = int(res.settings.max_upload_mb * 1024 * 1024)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise fail(413, "too_large", f"{name} is larger than the {res.settings.max_upload_mb:g} MB upload limit")
    if not data:
        raise fail(400, "empty_file", f"{name} is empty")
    return data


async def _read_audio(upload: Any, res: Resources):
    from models.audio import AudioError, load_audio

    name = Path(getattr(upload, "filename", None) or "audio").name
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in AUDIO_TYPES:
        raise fail(415, "bad_file_type", f"{name}: send a WAV, FLAC or OGG recording, not {suffix}")
    data = await _read_limited(upload, res, name)
    try:
        return await res.run(load_audio, data, res.settings.max_audio_seconds, name)
    except AudioError as exc:
        raise fail(415 if "readable" in str(exc) else 400, "bad_audio", str(exc)) from None


async def _require_collection(res: Resources, collection: str) -> None:
    if not await res.run(res.store.exists, collection):
        known = ", ".join(await res.run(res.check_store)) or "none yet"
        raise fail(404, "unknown_collection", f"no knowledge base {collection!r} (known: {known}); POST documents to /api/ingest")


def _collection(value: Any) -> str | None:
    """A form's collection field: a name of letters, digits, '.', '_', '-', or None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not COLLECTION_NAME.match(value):
        shown = value[:80] if isinstance(value, str) else "a file"
        raise fail(400, "bad_collection", f"collection names are letters, digits, '.', '_' and '-' (at most 128), not {shown!r}")
    return value


def _int(value: Any, default: int) -> int:
    try:
        return max(1, min(50, int(value))) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise fail(400, "bad_k", f"k must be a whole number, not {value!r}") from None
