"""A data build's plan: every utterance to make (``Item``), fixed up front so a re-run makes exactly
the same set: spoken questions about passages, summaries read aloud, general English sentences
(never one that repeats a pinned dev question), and the dev set's questions in held-out voices."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from training.data.build_config import BuildConfig
from training.data.build_passages import PinnedDevSet
from training.data.corpus import DevGuard, corpus_sentences, dev_questions
from training.data.passage import LabeledPassage
from training.data.questions import _speakable, questions_for
from training.data.voices import Prosody

DEVSETS_DIR = Path(__file__).resolve().parents[1] / "devsets"
PINNED_TEMPLATE_DEV_SET = Path(__file__).resolve().parents[1] / "dev-set.jsonl"


def pinned_dev_question_files() -> list[Path]:
    """Every evaluation question file the project pins: no training sentence may repeat one of them."""
    return sorted(DEVSETS_DIR.glob("*.jsonl")) + ([PINNED_TEMPLATE_DEV_SET] if PINNED_TEMPLATE_DEV_SET.is_file() else [])


def dev_question_guard() -> DevGuard:
    """The guard over every pinned dev question: the files' texts, and the FAQ dev set's headings (its pin
    holds ids only; the questions are read from the installed Perl and SQLite FAQs, when they are)."""
    from training.data.faqs import DEV_FAQS, load_faqs
    from training.data.sources import SourceMissing

    questions = dev_questions(pinned_dev_question_files())
    try:
        questions += [entry.question for entry in load_faqs(DEV_FAQS)]
    except SourceMissing:
        pass  # not installed: nothing of theirs can be drawn into training either
    return DevGuard(questions)


@dataclass
class Item:
    id: str
    kind: str  # "query" (question -> passage), "read" (the passage's summary read aloud) or "sentence" (general English)
    text: str
    passage_id: str
    label: str
    source: str
    voice: str
    rate: float
    pitch: float
    augment_seed: int
    split: str = "train"


def item_id(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


ENGINE_WEIGHTS = {"espeak": 0.6, "flite": 0.25, "festival": 0.15}


def pick_voice(voices: list[str], rng: random.Random) -> str:
    """Engine first, then a voice of it: espeak has a hundred voices, festival one, and each engine's
    prosody differs more than its voices do, so every engine gets a fixed share of the utterances."""
    by_engine: dict[str, list[str]] = {}
    for voice in voices:
        by_engine.setdefault(voice.partition(":")[0], []).append(voice)
    engines = sorted(by_engine)
    engine = rng.choices(engines, weights=[ENGINE_WEIGHTS.get(e, 0.2) for e in engines])[0]
    return rng.choice(by_engine[engine])


def add_item(items: list[Item], rng: random.Random, kind: str, text: str, p: LabeledPassage, voice: str, split: str) -> None:
    prosody = Prosody.random(rng)
    items.append(Item(item_id(kind, p.id, text, voice), kind, text, p.id, p.label, p.source, voice,
                      prosody.rate, prosody.pitch, rng.getrandbits(31), split))


def training_items(passages: list[LabeledPassage], questions: int, read_fraction: float, voices: list[str],
                   rng: random.Random) -> list[Item]:
    items: list[Item] = []
    for p in passages:
        for question in questions_for(p, questions, rng):
            add_item(items, rng, "query", question, p, pick_voice(voices, rng), "train")
        if rng.random() < read_fraction and _speakable(p.summary):
            add_item(items, rng, "read", _speakable(p.summary), p, pick_voice(voices, rng), "train")
    return items


def sentence_items(corpus: dict[str, int], voices: list[str], seed: int, known: set[str] = frozenset(),
                   log=print) -> list[Item]:
    """Training items that speak general English (``corpus``: name -> how many sentences), each sentence
    once across corpora and never one that repeats an evaluation question (``DevGuard``)."""
    guard = dev_question_guard()
    taken = {text.lower() for text in known}
    items: list[Item] = []
    for name, count in corpus.items():
        rng = random.Random(f"{seed}:sentences:{name}")
        sentences = corpus_sentences(name, count, seed, guard, taken)
        for text in sentences:
            prosody = Prosody.random(rng)
            voice = pick_voice(voices, rng)
            items.append(Item(item_id("sentence", name, text, voice), "sentence", text, "", "", name, voice,
                              prosody.rate, prosody.pitch, rng.getrandbits(31), "train"))
        log(f"{name}: {len(sentences)} sentences")
    return items


def make_plan(config: BuildConfig, train: list[LabeledPassage], dev: list[LabeledPassage], pinned: PinnedDevSet | None = None,
              log=print) -> list[Item]:
    rng = random.Random(config.seed + 1)
    items = training_items(train, config.questions_per_passage, config.read_fraction, config.voices, rng)
    items += sentence_items(config.corpus, config.voices, config.seed, log=log)
    if pinned is not None:
        kept = {p.id for p in dev}
        asked = [Item(**record) for pid, record in pinned.questions.items() if pid in kept]
        trained_voices = sorted({item.voice for item in asked} & set(config.voices))
        if trained_voices:
            raise ValueError(f"dev set {config.dev_set} asks its questions in {trained_voices}, which this build trains on; "
                             "drop those voices from training (--voice) or make a new dev set")
        return items + asked
    asked = dev if config.dev_queries is None else random.Random(config.seed + 2).sample(dev, min(config.dev_queries, len(dev)))
    for p in asked:
        for question in questions_for(p, 1, rng):
            add_item(items, rng, "query", question, p, pick_voice(config.dev_voices, rng), "dev")
    return items

