"""What every request and session shares: models, the knowledge store, the pipelines, the answerer.

Loaded once, in a worker thread, right after the server starts: ``/healthz`` answers at once,
``/readyz`` and the websocket's ``ready`` wait for the load. Requests share one ``KnowledgeStore``
from several worker threads; the store itself makes an embedded engine take one call at a time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, TypeVar

from app.settings import Settings
from llm.answer import Answerer, get_answerer

log = logging.getLogger("seal.server")
T = TypeVar("T")


class Busy(Exception):
    """A gate is full: the request is refused now rather than queued without end."""


@dataclass
class Gate:
    """At most ``limit`` requests of one kind in the server at once (running or waiting for a worker)."""

    limit: int
    inside: int = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        if self.inside >= self.limit:  # the event loop is one thread: no lock needed
            raise Busy
        self.inside += 1
        try:
            yield
        finally:
            self.inside -= 1


@dataclass
class Resources:
    settings: Settings
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(4, thread_name_prefix="seal-work"))
    # The ASR baseline gets a pool of its own: its decodes take ten times SEAL's work, and on a shared
    # pool SEAL's hits would queue behind them (measured: SEAL p95 2.5 s with 8 sessions running both).
    asr_executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="asr-work"))
    # Ingests get one thread of their own: an upload's minutes of embedding never hold up searches,
    # and ingests take turns (a gate in front bounds how many wait: the rest are told `busy`).
    ingest_executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="seal-ingest"))
    ingests: Gate = field(init=False)
    searches: Gate = field(init=False)
    store: Any = None
    seal_model: Any = None
    text_embedder: Any = None
    transcriber: Any = None
    pipelines: dict[str, Any] = field(default_factory=dict)
    answerer: Answerer | None = None  # set by load(): the vLLM client or the extractive fallback
    answerer_note: str = ""  # what answers, for /readyz (the model's name, never the server's address)
    error: str | None = None  # why loading failed
    load_ms: dict[str, float] = field(default_factory=dict)
    demo: dict[str, Any] | None = None  # what the start-up ingest of the demo KB did
    sessions: int = 0
    # Live searches (retrieval.partial) running over all sessions: taken without waiting, released by the
    # worker when its search is done, so live hits never queue ahead of the final ones.
    live_slots: threading.BoundedSemaphore = field(init=False)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.ingests = Gate(self.settings.max_pending_ingests)
        self.searches = Gate(self.settings.max_pending_searches)
        self.live_slots = threading.BoundedSemaphore(self.settings.live_max_running)

    # -- loading ----------------------------------------------------------------------------------
    async def load(self) -> None:
        """Load everything off the event loop; sets ready (or ``error``) when done."""
        try:
            await self.run(self._load_models)
            await self.run(self._ingest_demo_if_empty)
        except Exception as exc:  # noqa: BLE001 - the reason goes to /readyz and every session
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("loading failed")
        finally:
            self._ready.set()

    def _load_models(self) -> None:
        from retrieval.pipelines import build_pipelines
        from models import registry
        from retrieval.store import KnowledgeStore

        steps: list[tuple[str, Callable[[], Any]]] = [
            ("store", lambda: KnowledgeStore(self.settings)),
            ("seal_model", lambda: registry.get_seal_model(self.settings)),
            ("text_embedder", lambda: registry.get_text_embedder(self.settings)),
            ("transcriber", lambda: registry.get_transcriber(self.settings)),
        ]
        for name, loader in steps:
            started = time.perf_counter()
            setattr(self, name, loader())
            self.load_ms[name] = round((time.perf_counter() - started) * 1000, 1)
            log.info("loaded %s in %.0f ms", name, self.load_ms[name])
        self.pipelines = build_pipelines(self.store, self.seal_model, self.transcriber, self.text_embedder)
        self.answerer, self.answerer_note = _load_answerer(self.settings)
        started = time.perf_counter()
        self._warm_up()
        self.load_ms["warmup"] = round((time.perf_counter() - started) * 1000, 1)

    def _warm_up(self) -> None:
        """One pass through each model, so the first user's question does not pay for lazy setup."""
        import numpy as np

        noise = np.random.default_rng(0).normal(0, 0.01, 16_000 * 2).astype(np.float32)
        self.seal_model.embed_audio_timed(noise)
        self.transcriber.transcribe(noise)
        self.text_embedder.encode(["warm up"])

    def _ingest_demo_if_empty(self) -> None:
        demo = self.settings.demo_kb
        if demo is None or str(demo) in ("", ".", "none"):  # SEAL_DEMO_KB= (empty) turns it off
            return
        from retrieval.store import local_collections

        demo = Path(demo)
        if not demo.exists():
            log.info("no demo knowledge base at %s; skipping start-up ingest", demo)
            return
        collection = self.settings.collection
        if self.store.exists(collection) and self.store.count(collection) > 0:
            return
        if self.store.edge and collection in local_collections(self.settings):
            # an upgrade: the user's knowledge base is still in the old engine's folder; do not bury it
            log.warning("collection %r is empty, but %s", collection, self.store.missing_hint(collection))
            return
        from retrieval.ingest import ingest_paths

        log.info("collection %r is empty: ingesting %s", collection, demo)
        report = ingest_paths([demo], collection, self.store, self.seal_model, self.text_embedder, progress=False)
        self.demo = report.to_dict()
        log.info("ingested %s passages from %s into %r", report.chunks, demo, collection)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.asr_executor.shutdown(wait=False, cancel_futures=True)
        self.ingest_executor.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            try:
                self.store.close()
            except Exception:  # noqa: BLE001 - closing at exit must not raise
                log.warning("closing the store failed", exc_info=True)

    # -- using ------------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.error is None

    async def wait_ready(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return self.error is None

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work (model inference, store calls) on the worker pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(fn, *args, **kwargs))

    async def run_pipeline(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        """Run one pipeline's work: the ASR baseline on its own pool, so SEAL never waits behind it."""
        loop = asyncio.get_running_loop()
        pool = self.asr_executor if name == "asr" else self.executor
        return await loop.run_in_executor(pool, partial(fn, *args))

    async def run_ingest(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an ingest on its own worker (see ``ingest_executor``)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.ingest_executor, partial(fn, *args, **kwargs))

    def check_store(self) -> dict[str, int]:
        return self.store.collections()


def _load_answerer(settings: Settings) -> tuple[Answerer, str]:
    """The answerer the settings ask for, and the line /readyz shows about it."""
    answerer = get_answerer(settings)
    # Clients read this (/readyz, the page): the model's name, never the answer server's address.
    kind = f"{settings.llm_model} on vLLM" if settings.llm_base_url else "local extractive fallback"
    return answerer, f"answers from {kind}"
