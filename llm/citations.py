"""Turning the ``[n]`` markers in an answer into the ids of the passages they point at."""

from __future__ import annotations

import re

from llm.types import RetrievedPassage

# [2], [1, 3], [1][2] (two matches), [2-4]; numbers outside the passage list are ignored.
_CITATION = re.compile(r"\[(\d+(?:\s*(?:,|;|-|–)\s*\d+)*)\]")
_NUMBER_OR_RANGE = re.compile(r"(\d+)\s*(?:(?:-|–)\s*(\d+))?")


def cited_numbers(text: str) -> list[int]:
    """The 1-based passage numbers cited in ``text``, in order of first appearance, without repeats."""
    seen: list[int] = []
    for match in _CITATION.finditer(text):
        for part in _NUMBER_OR_RANGE.finditer(match.group(1)):
            start = int(part.group(1))
            end = int(part.group(2)) if part.group(2) else start
            for number in range(start, min(end, start + 20) + 1):  # a bounded range: "[1-999]" is noise
                if number not in seen:
                    seen.append(number)
    return seen


def resolve_citations(text: str, passages: list[RetrievedPassage]) -> list[str]:
    """Passage ids for the ``[n]`` markers in ``text`` (n counts from 1 in the prompt's order)."""
    ids: list[str] = []
    for number in cited_numbers(text):
        if 1 <= number <= len(passages):
            passage_id = passages[number - 1].id
            if passage_id not in ids:
                ids.append(passage_id)
    return ids
