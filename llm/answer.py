"""The one entry point the session uses: ``get_answerer(settings).stream(...)``.

    answerer = get_answerer(settings)
    async with contextlib.aclosing(answerer.stream(audio, transcript, hits, history, query_vector, embed_texts)) as events:
        async for event in events:
            ...  # AnswerDelta -> "answer.delta", FinalAnswer -> "answer.done"

``stream`` yields ``AnswerDelta`` pieces and then exactly one ``FinalAnswer``; it never raises for a
model failure (``FinalAnswer.error`` carries one line instead). Cancelling the task that iterates it
(barge-in) closes the HTTP stream; ``aclosing`` makes the close immediate rather than at garbage
collection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import numpy as np

from llm.client import LlmConfig, VllmAnswerer
from llm.fallback import FallbackAnswerer
from llm.types import AnswerDelta, FinalAnswer, RetrievedPassage, Turn

__all__ = ["AnswerDelta", "Answerer", "FallbackAnswerer", "FinalAnswer", "RetrievedPassage", "Turn", "VllmAnswerer", "get_answerer"]


class Answerer(Protocol):
    source: str  # "llm" or "fallback": what answers when all is well
    label: str  # for the UI, e.g. "Qwen/Qwen2-Audio-7B-Instruct (vLLM)"; never the server's address

    def stream(
        self,
        audio: np.ndarray | bytes | None,
        question_text: str | None,
        passages: list[Any],
        history: list[Turn] | None = None,
        query_vector: np.ndarray | None = None,
        embed_texts: Callable[[list[str]], np.ndarray] | None = None,
    ) -> AsyncIterator[AnswerDelta | FinalAnswer]: ...


def get_answerer(settings: Any) -> Answerer:
    """The vLLM client when ``settings.llm_base_url`` is set, else the local extractive fallback."""
    if getattr(settings, "llm_base_url", None):
        return VllmAnswerer(LlmConfig.from_settings(settings))
    return FallbackAnswerer()
