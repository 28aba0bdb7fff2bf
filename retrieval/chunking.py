"""Split document text into passages that fit the text tower.

Chunks are built from whole paragraphs where they fit, else whole sentences, else word runs, up to a
limit counted in the text tower's own tokens (MiniLM reads 256 at most and was trained on 128, so
longer chunks would be cut silently). Consecutive chunks share a short overlap, the last sentence of
the previous chunk when it is small, so a fact split across a boundary is still found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TokenCounter = Callable[[str], int]

_PARAGRAPH = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and an upper-case letter,
# digit or quote; abbreviations like "e.g. the" stay whole because a lower-case word follows.
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")


@dataclass
class ChunkConfig:
    max_tokens: int = 200
    overlap_tokens: int = 40  # the carried-over tail is at most this long


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(paragraph) if s.strip()]


def _split_words(text: str, max_tokens: int, count: TokenCounter) -> list[str]:
    """Runs of words under the limit, for a single sentence that is too long by itself."""
    pieces, current = [], []
    for word in text.split():
        if current and count(" ".join(current + [word])) > max_tokens:
            pieces.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _units(text: str, max_tokens: int, count: TokenCounter) -> list[tuple[str, int, bool]]:
    """(piece, tokens, ends_paragraph) in reading order, each piece under the limit."""
    units = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        tokens = count(paragraph)
        if tokens <= max_tokens:
            units.append((paragraph, tokens, True))
            continue
        pieces = []
        for sentence in split_sentences(paragraph):
            if count(sentence) <= max_tokens:
                pieces.append(sentence)
            else:
                pieces.extend(_split_words(sentence, max_tokens, count))
        units.extend((piece, count(piece), i == len(pieces) - 1) for i, piece in enumerate(pieces))
    return units


def chunk_text(text: str, count: TokenCounter, config: ChunkConfig | None = None) -> list[str]:
    """Passages of at most ``config.max_tokens`` tokens (approximately: pieces are counted apart)."""
    config = config or ChunkConfig()
    chunks: list[str] = []
    current: list[tuple[str, int, bool]] = []
    size = 0

    def emit() -> None:
        parts = []
        for i, (piece, _, ends_paragraph) in enumerate(current):
            parts.append(piece)
            if i < len(current) - 1:
                parts.append("\n\n" if ends_paragraph else " ")
        chunks.append("".join(parts))

    for unit in _units(text, config.max_tokens, count):
        if current and size + unit[1] > config.max_tokens:
            emit()
            tail = current[-1]
            # Overlap: carry the last piece over if it is short and leaves room for the new one.
            if tail[1] <= config.overlap_tokens and tail[1] + unit[1] <= config.max_tokens:
                current, size = [tail], tail[1]
            else:
                current, size = [], 0
        current.append(unit)
        size += unit[1]
    if current:
        emit()
    return chunks
