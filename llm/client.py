"""Answers from a speech LLM behind vLLM's OpenAI-compatible server, streamed token by token.

The request is ``POST {base_url}/chat/completions`` with ``stream: true`` (see ``llm/prompts.py``
for the messages). Every failure ends in a ``FinalAnswer`` with ``error`` set to one line and never
raises into the session: if the model fails before its first token, the extractive fallback answers
instead (labelled ``source="fallback"``); if it fails mid-answer, the partial text is kept and the
line says it is incomplete. The next question simply tries the server again: no circuit breaker,
no retries that would delay the fallback.

Cancellation (barge-in) is safe: the HTTP stream lives in ``async with`` blocks, so cancelling the
task that iterates ``stream()``, or closing the generator, closes the connection and vLLM aborts the
request.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import openai

from llm.citations import resolve_citations
from llm.failures import EmptyAnswer, MalformedStream, describe_failure
from llm.fallback import FallbackAnswerer
from llm.prompts import PromptLimits, build_messages
from llm.types import AnswerDelta, FinalAnswer, Turn, as_passages


@dataclass
class LlmConfig:
    base_url: str
    model: str = "Qwen/Qwen2-Audio-7B-Instruct"
    api_key: str | None = None
    temperature: float = 0.2
    max_tokens: int = 400
    timeout_s: float = 60.0  # the longest silence allowed: before the first byte and between chunks
    connect_timeout_s: float = 5.0
    limits: PromptLimits = field(default_factory=PromptLimits)

    @classmethod
    def from_settings(cls, settings: Any) -> LlmConfig:
        return cls(
            base_url=str(settings.llm_base_url).rstrip("/"),
            model=settings.llm_model,
            api_key=_secret(settings.llm_api_key),
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
            connect_timeout_s=min(5.0, settings.llm_timeout_s),
        )


def _secret(value: Any) -> str | None:
    """Settings hold keys as pydantic ``SecretStr`` (hidden in `seal config` and logs)."""
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


class VllmAnswerer:
    """Streams answers from an OpenAI-compatible chat server that accepts audio (vLLM)."""

    source = "llm"

    def __init__(self, config: LlmConfig, fallback: FallbackAnswerer | None = None) -> None:
        self.config = config
        self.fallback = fallback or FallbackAnswerer()

    @property
    def label(self) -> str:
        """For every client (the page, `seal mic`): the model, not the server's address."""
        return f"{self.config.model} (vLLM)"

    async def stream(
        self,
        audio: np.ndarray | bytes | None,
        question_text: str | None,
        passages: list[Any],
        history: list[Turn] | None = None,
        query_vector: np.ndarray | None = None,
        embed_texts: Callable[[list[str]], np.ndarray] | None = None,
    ) -> AsyncIterator[AnswerDelta | FinalAnswer]:
        """``AnswerDelta`` events as tokens arrive, then exactly one ``FinalAnswer``."""
        started = time.perf_counter()
        try:
            items = as_passages(passages)
            messages = build_messages(audio, question_text, items, history, self.config.limits)
        except (TypeError, ValueError) as exc:  # bad input from the caller: one line, like every failure
            yield FinalAnswer(text="", source="llm", error=f"Nothing to answer: {exc}")
            return
        parts: list[str] = []
        ttft_ms: float | None = None
        try:
            # aclosing: when the session closes this generator at a yield (barge-in), the inner one
            # and its HTTP stream close now, not whenever the garbage collector gets to them.
            async with contextlib.aclosing(self._tokens(messages)) as tokens:
                async for piece in tokens:
                    if ttft_ms is None:
                        ttft_ms = (time.perf_counter() - started) * 1000.0
                    parts.append(piece)
                    yield AnswerDelta(piece)
            if not parts:
                raise EmptyAnswer("the model returned an empty answer")
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line; CancelledError is not an Exception
            if parts:
                text = "".join(parts)
                error = describe_failure(exc, self.config.base_url, self.config.timeout_s, partial=True, then="")
                yield FinalAnswer(text, resolve_citations(text, items), ttft_ms, "llm", error)
                return
            error = describe_failure(
                exc, self.config.base_url, self.config.timeout_s, partial=False,
                then="showing an extractive answer from the passages instead",
            )
            async for event in self.fallback.stream(audio, question_text, items, history, query_vector, embed_texts):
                if isinstance(event, AnswerDelta) and ttft_ms is None:
                    ttft_ms = (time.perf_counter() - started) * 1000.0  # the user waited for the model too
                if isinstance(event, FinalAnswer):
                    event.error, event.ttft_ms = error, ttft_ms
                yield event
            return
        text = "".join(parts)
        yield FinalAnswer(text, resolve_citations(text, items), ttft_ms, "llm")

    async def _tokens(self, messages: list[dict[str, Any]]) -> AsyncIterator[str]:
        """The content pieces of the streamed completion, in order."""
        config = self.config
        timeout = openai.Timeout(config.timeout_s, connect=config.connect_timeout_s)
        # A client per answer: it binds to the running event loop, and one extra TCP handshake is
        # nothing next to an LLM's time to first token.
        async with openai.AsyncOpenAI(
            base_url=config.base_url, api_key=config.api_key or "EMPTY", timeout=timeout, max_retries=0
        ) as client:
            stream = await client.chat.completions.create(
                model=config.model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                temperature=config.temperature,
                max_tokens=config.max_tokens,
            )
            async with stream:
                async for chunk in stream:
                    piece = _content(chunk)
                    if piece:
                        yield piece


def _content(chunk: Any) -> str | None:
    """The text of choice 0 in a chunk; usage-only chunks (no choices) carry none."""
    choices = getattr(chunk, "choices", None)
    if not isinstance(choices, list):
        raise MalformedStream(f"a chunk without a 'choices' list: {str(chunk)[:80]}")
    if not choices:
        return None
    delta = getattr(choices[0], "delta", None)
    if delta is None:
        raise MalformedStream("a chunk whose choice has no 'delta'")
    content = getattr(delta, "content", None)
    if content is not None and not isinstance(content, str):
        raise MalformedStream(f"delta content is {type(content).__name__}, not text")
    return content
