"""A conversation's answers: one streaming at a time, and the last few turns it remembers.

``AnswerStream.start`` streams the answerer (llm/) over one pipeline's hits as ``answer.delta`` events
and one ``answer.done``; ``cancel`` stops it (barge-in: ``answer.done`` with ``cancelled``). A finished
answer joins the history the next answer reads; ``reset`` forgets it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing, suppress
from typing import Any, Awaitable, Callable

import numpy as np

from app import events as ev
from app.resources import Resources
from app.security import redact
from llm.types import FinalAnswer, Turn
from retrieval.pipelines import RetrievalResult

log = logging.getLogger("seal.session")

HISTORY_TURNS = 4
Send = Callable[[ev.Event], Awaitable[None]]


class AnswerStream:
    def __init__(self, res: Resources, send: Send) -> None:
        self.res = res
        self.send = send
        self.history: list[Turn] = []
        self.task: asyncio.Task | None = None

    def start(self, n: int, audio: np.ndarray, results: list[RetrievalResult], answer_from: str) -> None:
        """Answer utterance ``n`` from the hits of ``answer_from`` (or the first result's)."""
        self.task = asyncio.create_task(self._answer(n, audio, results, answer_from))

    async def cancel(self) -> None:
        task, self.task = self.task, None
        if task and not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task

    async def reset(self) -> None:
        await self.cancel()
        self.history.clear()

    async def _answer(self, n: int, audio: np.ndarray, results: list[RetrievalResult], answer_from: str) -> None:
        primary = next((r for r in results if r.pipeline == answer_from), results[0])
        transcript = next((r.transcript for r in results if r.transcript), None)
        query_vector, embed_texts = await self.query_space(primary, transcript)
        text, done = "", None
        try:
            stream = self.res.answerer.stream(audio, transcript, primary.hits, list(self.history), query_vector, embed_texts)
            async with aclosing(stream) as items:
                async for item in items:
                    if isinstance(item, FinalAnswer):
                        done = item
                        break
                    text += item.text
                    await self.send(ev.AnswerDelta(utterance=n, text=item.text))
        except asyncio.CancelledError:
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], cancelled=True, source=self.res.answerer.source))
            raise
        except Exception as exc:  # noqa: BLE001 - the retrieval results already reached the user
            log.exception("answer failed")
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], error=redact(f"the answer failed: {exc}", self.res.settings)))
            return
        if done is None:
            await self.send(ev.AnswerDone(utterance=n, text=text, citations=[], error="the answerer ended without a final message"))
            return
        if done.error:
            done.error = redact(done.error, self.res.settings)  # failures name the answer server's address
        await self.send(ev.AnswerDone(utterance=n, **done.to_dict()))
        self.history = [*self.history, Turn(question=transcript, answer=done.text)][-HISTORY_TURNS:]

    async def query_space(self, primary: RetrievalResult, transcript: str | None) -> tuple[np.ndarray | None, Any]:
        """A query vector and the sentence embedder of the same space, for the extractive fallback.

        The vector the answer's pipeline searched with: SEAL's with SEAL's text side, ASR's (its
        transcript's) with the text embedder; for the fused ranking, which searched nothing, the
        transcript in the text embedder's space (one short encode); else none (the fallback then
        matches words or leads).
        """
        embedders = {"seal": self.res.seal_model.embed_text, "asr": self.res.text_embedder.encode,
                     "text": self.res.text_embedder.encode}
        if primary.query_vector is not None and primary.pipeline in embedders:
            return primary.query_vector, embedders[primary.pipeline]
        if transcript:
            encoded = await self.res.run(self.res.text_embedder.encode, [transcript])
            return encoded[0], self.res.text_embedder.encode
        return None, None
