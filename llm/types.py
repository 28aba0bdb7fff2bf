"""The values that flow out of an answerer, and the passage/turn shapes it reads.

Passages are duck-typed on purpose: a retrieval ``Hit`` (attributes ``id``, ``text``, ``title``,
``source``), a plain dict with the same keys, or anything with those attributes all work, so the
answer side never depends on how retrieval stores its results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AnswerSource = Literal["llm", "fallback"]


@dataclass
class AnswerDelta:
    """A piece of answer text, in order; the session forwards it as ``answer.delta``."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text}


@dataclass
class FinalAnswer:
    """One finished answer (the last item of a stream): the full text, cited passage ids, time to first
    token, and what went wrong.

    ``error`` is one human line when the answer model failed (the session shows it in the answer
    area); ``source`` says whether the text came from the answer model or the extractive fallback.
    """

    text: str
    citations: list[str] = field(default_factory=list)
    ttft_ms: float | None = None
    source: AnswerSource = "llm"
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Turn:
    """One earlier exchange in the session: the question's text (an ASR transcript, if one exists) and the answer."""

    question: str | None
    answer: str


@dataclass(frozen=True)
class RetrievedPassage:
    """The fields of a retrieved passage that answering needs."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None


def as_passage(item: Any) -> RetrievedPassage:
    """A ``RetrievedPassage`` from a retrieval hit, a dict, or any object with ``id`` and ``text``."""
    if isinstance(item, RetrievedPassage):
        return item
    get = item.get if isinstance(item, dict) else (lambda key, default=None: getattr(item, key, default))
    text = get("text")
    if text is None:
        raise TypeError(f"a passage needs a 'text' field; got {type(item).__name__}")
    title, source = get("title"), get("source")
    return RetrievedPassage(
        id=str(get("id", "")),
        text=str(text),
        title=str(title) if title else None,
        source=str(source) if source else None,
    )


def as_passages(items: list[Any] | None) -> list[RetrievedPassage]:
    return [as_passage(item) for item in items or []]
