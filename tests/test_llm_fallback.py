"""The extractive fallback answerer, with the real MiniLM text tower choosing the sentences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from llm.answer import get_answerer
from llm.citations import cited_numbers, resolve_citations
from llm.fallback import NO_PASSAGES, WEAK_MATCH, FallbackAnswerer, split_sentences
from llm.types import AnswerDelta, FinalAnswer, as_passages


@dataclass
class HitLike:
    """Shaped like retrieval's Hit: the fallback reads attributes, never imports retrieval."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    score: float = 0.0


PASSAGES = [
    HitLike("louvre", "The Louvre is the world's most-visited art museum. It houses the Mona Lisa. It opened in 1793.", "Louvre"),
    HitLike(
        "eiffel",
        "The Eiffel Tower was built for the 1889 World's Fair. The tower is 330 metres tall. "
        "Gustave Eiffel's company designed and built it.",
        "Eiffel Tower",
    ),
    HitLike("seine", "The Seine flows through Paris into the English Channel."),
]


@pytest.fixture(scope="module")
def embedder():
    from models.text_tower import TextEmbedder

    return TextEmbedder("all-MiniLM-L6-v2")


async def answer(question, passages=PASSAGES, **kwargs) -> tuple[list[AnswerDelta], FinalAnswer]:
    events = [e async for e in FallbackAnswerer().stream(None, question, passages, [], **kwargs)]
    assert isinstance(events[-1], FinalAnswer) and all(isinstance(e, AnswerDelta) for e in events[:-1])
    return events[:-1], events[-1]


async def test_picks_the_sentence_closest_to_the_query_embedding(embedder):
    question = "How high is the Eiffel Tower?"
    deltas, done = await answer(None, query_vector=embedder.encode([question])[0], embed_texts=embedder.encode)
    assert "The tower is 330 metres tall. [2]" in done.text
    assert "Mona Lisa" not in done.text
    assert done.citations[0] == "eiffel"
    assert done.source == "fallback" and done.error is None and done.ttft_ms is not None
    assert "".join(d.text for d in deltas) == done.text


async def test_streams_one_delta_per_sentence_so_the_ui_path_matches_the_model(embedder):
    question = "Who designed the Eiffel Tower and how tall is it?"
    deltas, done = await answer(question, query_vector=embedder.encode([question])[0], embed_texts=embedder.encode)
    assert len(deltas) >= 2
    assert all(cited_numbers(d.text) for d in deltas)  # every sentence carries its [n]


async def test_without_vectors_uses_word_overlap_with_the_question():
    _, done = await answer("When did the Louvre open?")
    assert "It opened in 1793. [1]" in done.text and done.citations[0] == "louvre"


async def test_with_nothing_to_compare_gives_the_top_passage_opening():
    _, done = await answer(None)
    assert done.text.startswith("The Louvre is the world's most-visited art museum. [1]")
    assert done.citations == ["louvre"]


async def test_says_so_when_the_passages_do_not_match(embedder):
    question = "What is the boiling point of liquid nitrogen?"
    _, done = await answer(question, query_vector=embedder.encode([question])[0], embed_texts=embedder.encode)
    assert done.text.startswith(WEAK_MATCH)


async def test_no_passages_is_an_honest_message():
    deltas, done = await answer("anything", passages=[])
    assert done.text == NO_PASSAGES and done.citations == [] and deltas


async def test_a_vector_from_another_space_falls_back_to_words(embedder):
    wrong = np.ones(7, dtype=np.float32)  # not the embedder's dimension
    _, done = await answer("When did the Louvre open?", query_vector=wrong, embed_texts=embedder.encode)
    assert "It opened in 1793. [1]" in done.text


async def test_dict_passages_work_too():
    _, done = await answer("Where does the Seine flow?", passages=[{"id": 7, "text": "The Seine flows into the Channel."}])
    assert done.citations == ["7"]


async def test_get_answerer_defaults_to_the_fallback():
    from app.settings import Settings

    answerer = get_answerer(Settings())
    assert answerer.source == "fallback" and "extractive" in answerer.label


def test_sentence_splitting_keeps_abbreviations_of_numbers_and_lists_apart():
    text = "Version 3.11 added tasks. It is faster!\n\n- first item\n- second item\nShort."
    assert split_sentences(text) == ["Version 3.11 added tasks.", "It is faster!", "- first item", "- second item Short."]


def test_citation_markers_resolve_to_ids_in_order_without_repeats():
    passages = as_passages([{"id": f"p{i}", "text": "x"} for i in range(1, 5)])
    assert resolve_citations("A [3]. B [1, 2]. C [3][9]. D [2-4].", passages) == ["p3", "p1", "p2", "p4"]
    assert resolve_citations("no markers, [0] and [x]", passages) == []


async def test_a_passage_without_text_is_one_error_line_not_an_exception():
    events = [e async for e in FallbackAnswerer().stream(None, "q", [{"id": "x"}], [])]
    assert len(events) == 1 and "needs a 'text' field" in events[0].error


async def test_passages_with_no_sentences_get_the_no_passages_message():
    _, done = await answer("anything", passages=[{"id": "blank", "text": "  "}])
    assert done.text == NO_PASSAGES and done.citations == []
