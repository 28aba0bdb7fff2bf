"""The local answerer when no answer model is configured: the passages' own sentences, cited.

It never writes a word that is not in a passage. It splits the best passages into sentences, keeps
the few closest to the question (by the query embedding when the caller gives one and a way to embed
sentences in the same space, else by word overlap with the question's text, else the top passage's
opening), puts them back in reading order and cites each as [n]. When even the best sentence is a
weak match it says so first, rather than presenting an unrelated sentence as the answer.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from llm.citations import resolve_citations
from llm.types import AnswerDelta, FinalAnswer, RetrievedPassage, Turn, as_passages

EmbedTexts = Callable[[list[str]], np.ndarray]

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before whitespace and
# a capital, digit or opening quote; blank lines and list items also end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an the and or but of to in on at by for with from as is are was were be been being do does did "
    "what which who whom whose when where why how that this these those it its i you he she we they me my "
    "your our their can could should would will shall may might must not no yes there here about into than "
    "then so if any some all tell please know".split()
)
NO_PASSAGES = "The knowledge base returned no passages for this question, so there is nothing to answer from."
WEAK_MATCH = "The passages found may not answer this; the closest sentences are:"


@dataclass
class FallbackConfig:
    passages: int = 3  # only the best few passages are read
    sentences: int = 3  # at most this many sentences in the answer
    sentence_chars: int = 400  # a "sentence" longer than this (a table row, a code block) is cut
    min_similarity: float = 0.2  # cosine below which the best sentence counts as a weak match
    min_overlap: int = 1  # shared content words below which a lexical match counts as weak
    similarity_margin: float = 0.15  # runners-up further than this below the best sentence are left out


@dataclass
class Candidate:
    passage: int  # 0-based index into the passages given
    position: int  # sentence index inside its passage
    text: str


def split_sentences(text: str, limit: int = FallbackConfig.sentence_chars) -> list[str]:
    """Sentences of a passage, whitespace-normalised; over-long ones are cut at a word boundary."""
    out = []
    for raw in _SENTENCE_END.split(text):
        sentence = " ".join((raw or "").split())
        if len(sentence) < 3:
            continue
        if len(sentence) > limit:
            sentence = sentence[:limit].rsplit(" ", 1)[0] + " ..."
        out.append(sentence)
    return out


def candidates(passages: list[RetrievedPassage], config: FallbackConfig) -> list[Candidate]:
    return [
        Candidate(index, position, sentence)
        for index, passage in enumerate(passages[: config.passages])
        for position, sentence in enumerate(split_sentences(passage.text, config.sentence_chars))
    ]


def _stem(word: str) -> str:
    """A light suffix strip so "opened" meets "open" and "towers" meets "tower"; no more is needed here."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1}


def score_by_vector(items: list[Candidate], query_vector: np.ndarray, embed_texts: EmbedTexts) -> np.ndarray:
    """Cosine similarity of each sentence to the query, in the caller's embedding space."""
    vectors = np.asarray(embed_texts([item.text for item in items]), dtype=np.float32)
    query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    if vectors.ndim != 2 or vectors.shape[1] != query.shape[0]:
        raise ValueError(f"sentence vectors {vectors.shape} do not match the query vector ({query.shape[0]},)")
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return vectors @ (query / max(float(np.linalg.norm(query)), 1e-9))


def score_by_words(items: list[Candidate], question: str) -> np.ndarray:
    """Shared content words with the question, with a small bonus for the better-ranked passage."""
    asked = content_words(question)
    return np.array([len(asked & content_words(item.text)) - 0.01 * item.passage for item in items], dtype=np.float32)


def choose(
    passages: list[RetrievedPassage],
    question_text: str | None,
    query_vector: np.ndarray | None,
    embed_texts: EmbedTexts | None,
    config: FallbackConfig,
) -> tuple[list[Candidate], bool, str]:
    """The chosen sentences in reading order, whether the match is weak, and how they were chosen."""
    items = candidates(passages, config)
    if not items:
        return [], True, "none"
    scores, weak, method = None, False, "lead"
    if query_vector is not None and embed_texts is not None:
        try:
            scores = score_by_vector(items, query_vector, embed_texts)
            weak, method = float(scores.max()) < config.min_similarity, "embedding"
        except Exception:  # noqa: BLE001 - a mismatched embedder must not cost the user the answer
            scores = None
    if scores is None and question_text and content_words(question_text):
        scores = score_by_words(items, question_text)
        weak, method = float(scores.max()) < config.min_overlap, "words"
    if scores is None:  # nothing to compare with: the top passage's opening is the honest best guess
        chosen = [item for item in items if item.passage == 0][: config.sentences] or items[: config.sentences]
        return chosen, False, method
    ranked = sorted(range(len(items)), key=lambda i: -float(scores[i]))[: config.sentences]
    # Keep the runners-up only when they are nearly as close as the best: fewer, better sentences.
    top = float(scores[ranked[0]])
    floor = top - config.similarity_margin if method == "embedding" else top / 2
    best = [i for i in ranked if float(scores[i]) >= floor]
    chosen = sorted((items[i] for i in best), key=lambda item: (item.passage, item.position))
    return chosen, weak, method


class FallbackAnswerer:
    """Extractive answers from the retrieved passages, streamed like a model's so the UI path is the same."""

    source = "fallback"
    label = "extractive answer from the passages (no answer model configured)"

    def __init__(self, config: FallbackConfig | None = None) -> None:
        self.config = config or FallbackConfig()

    async def stream(
        self,
        audio: Any,
        question_text: str | None,
        passages: list[Any],
        history: list[Turn] | None = None,
        query_vector: np.ndarray | None = None,
        embed_texts: EmbedTexts | None = None,
    ) -> AsyncIterator[AnswerDelta | FinalAnswer]:
        started = time.perf_counter()
        try:
            items = as_passages(passages)
        except TypeError as exc:
            yield FinalAnswer("", [], None, "fallback", f"Nothing to answer: {exc}")
            return
        if not items:
            yield AnswerDelta(NO_PASSAGES)
            yield FinalAnswer(NO_PASSAGES, [], (time.perf_counter() - started) * 1000.0, "fallback")
            return
        # Embedding sentences is CPU work: keep the event loop (other sessions, barge-in) responsive.
        chosen, weak, _ = await asyncio.to_thread(choose, items, question_text, query_vector, embed_texts, self.config)
        pieces = [f"{item.text} [{item.passage + 1}]" for item in chosen]
        if pieces and weak:
            pieces.insert(0, WEAK_MATCH)
        pieces = pieces or [NO_PASSAGES]  # passages whose text holds no sentence at all
        ttft_ms = None
        for index, piece in enumerate(pieces):
            if ttft_ms is None:
                ttft_ms = (time.perf_counter() - started) * 1000.0
            yield AnswerDelta(piece if index == 0 else " " + piece)
            await asyncio.sleep(0)  # a cancellation point between pieces
        text = " ".join(pieces)
        yield FinalAnswer(text, resolve_citations(text, items), ttft_ms, "fallback")
