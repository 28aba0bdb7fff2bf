"""Frames filled with slot words and varied the way people talk: ``everyday_sentences``, and the
counts and vocabulary reports of what it makes. The frames are data (``frames.txt`` beside this
file); ``python -m training.data.everyday`` prints a sample."""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from training.data.everyday.slots import CATEGORIES, Slots, load_slots
from training.data.everyday.spoken import normalize, vary

FRAMES_FILE = Path(__file__).with_name("frames.txt")
MIN_WORDS, MAX_WORDS = 3, 20
NGRAM = 4
SPEAKABLE = re.compile(r"^[A-Z0-9][A-Za-z0-9 .,?'-]*[.?]$")
SLOT = re.compile(r"\{(?:(a|pl):)?([a-z_]+)(#2)?\}")


def read_frames(path: Path = FRAMES_FILE) -> dict[str, str]:
    """Domain -> its frames, one a line: ``[domain]`` starts a domain, ``#`` a comment line."""
    blocks: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            lines = blocks.setdefault(line[1:-1], [])
        elif lines is None:
            raise ValueError(f"{path}:{number}: a frame before the first [domain] header")
        else:
            lines.append(line)
    return {domain: "\n".join(lines) for domain, lines in blocks.items()}


# Frames: one a line, grouped by domain. {x} is a slot word, {a:x} with its article ("a cough",
# "nausea"), {pl:x} its plural ("potatoes", "rice"); {x#2} a second, different word of the same type.
FRAMES: dict[str, str] = read_frames()


def _ngrams(words: Sequence[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Frame:
    domain: str
    text: str

    @property
    def slots(self) -> list[tuple[str, str, bool]]:
        return [(m.group(1) or "", m.group(2), bool(m.group(3))) for m in SLOT.finditer(self.text)]


def frames() -> list[Frame]:
    out = []
    for domain, block in FRAMES.items():
        out.extend(Frame(domain, line.strip()) for line in block.strip().splitlines() if line.strip())
    return out


def _fill(text: str, rng: random.Random, slots: Slots, depth: int = 0) -> str:
    chosen: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        kind, name, second = match.group(1) or "", match.group(2), bool(match.group(3))
        words = slots.words[name]
        word = rng.choice(words)
        if second:
            for _ in range(10):
                if word.text != chosen.get(name):
                    break
                word = rng.choice(words)
        else:
            chosen[name] = word.text
        form = word.form(kind, slots.irregular)
        return _fill(form, rng, slots, depth + 1) if "{" in form and depth < 3 else form

    # fill first-draw slots before the #2 ones, so a second draw can avoid the first
    text = SLOT.sub(lambda m: replace(m) if not m.group(3) else m.group(0), text)
    return SLOT.sub(replace, text)


def _acceptable(sentence: str) -> bool:
    words = sentence.split()
    return (MIN_WORDS <= len(words) <= MAX_WORDS and bool(SPEAKABLE.match(sentence))
            and "  " not in sentence and "{" not in sentence)


def everyday_sentences(n: int, seed: int = 0, exclude: Iterable[str] = (),
                       wordnet_dir: str | Path | None = None) -> list[str]:
    """``n`` distinct everyday spoken questions and requests, the same for the same ``seed``.

    No sentence's normalized form equals one of ``exclude`` or shares a 4-word sequence with one.
    Raises ``WordNetMissing`` without WordNet, ``ValueError`` when ``n`` distinct ones cannot be made.
    """
    if n <= 0:
        return []
    slots = load_slots(str(wordnet_dir) if wordnet_dir else None)
    excluded_texts, excluded_grams = set(), set()
    for text in exclude:
        words = normalize(text).split()
        excluded_texts.add(" ".join(words))
        excluded_grams |= _ngrams(words)
    pool = frames()
    capacity = []
    for frame in pool:
        size = 1.0
        for _, name, _ in frame.slots:
            size *= len(slots.words[name])
        capacity.append(min(size, 400.0) ** 0.5 + 1.0)
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    attempts, limit = 0, 60 * n + 20000
    while len(out) < n:
        attempts += 1
        if attempts > limit:
            raise ValueError(f"made only {len(out)} distinct everyday sentences of {n} asked for")
        frame = rng.choices(pool, weights=capacity)[0]
        sentence = vary(_fill(frame.text, rng, slots), rng)
        if not _acceptable(sentence):
            continue
        key = " ".join(re.findall(r"[a-z0-9']+", sentence.lower()))
        if key in seen:
            continue
        words = normalize(sentence).split()
        if " ".join(words) in excluded_texts or (_ngrams(words) & excluded_grams):
            continue
        seen.add(key)
        out.append(sentence)
    return out


def vocabulary_report(sentences: Iterable[str], tokenizer=None) -> dict:
    """How many distinct words and MiniLM word pieces the sentences cover."""
    if tokenizer is None:
        from transformers import AutoTokenizer

        from models.weights import resolve_text_model

        tokenizer = AutoTokenizer.from_pretrained(str(resolve_text_model("all-MiniLM-L6-v2")))
    words: set[str] = set()
    pieces: set[str] = set()
    count = 0
    for sentence in sentences:
        count += 1
        words.update(re.findall(r"[a-z0-9']+", sentence.lower()))
        pieces.update(tokenizer.tokenize(sentence))
    vocab = tokenizer.get_vocab()
    usable = [p for p in vocab if not (p.startswith("[") and p.endswith("]"))]
    return {
        "sentences": count,
        "distinct_words": len(words),
        "distinct_word_pieces": len(pieces),
        "whole_word_pieces": sum(1 for p in pieces if not p.startswith("##")),
        "vocab_size": len(vocab),
        "piece_coverage": round(len(pieces) / max(1, len(usable)), 4),
    }


def stats(wordnet_dir: str | Path | None = None) -> dict:
    """Counts for a report: frames per domain, slot types and their words."""
    slots = load_slots(str(wordnet_dir) if wordnet_dir else None)
    pool = frames()
    wordnet_types = [k for k, c in CATEGORIES.items() if not c.hand and not c.union]
    return {
        "frames": len(pool),
        "frames_per_domain": {d: sum(1 for f in pool if f.domain == d) for d in FRAMES},
        "slot_types": len(CATEGORIES),
        "slot_words": sum(len(slots.words[k]) for k, c in CATEGORIES.items() if not c.union),
        "wordnet_slot_words": sum(len(slots.words[k]) for k in wordnet_types),
        "distinct_slot_words": len({w.text for k, c in CATEGORIES.items() if not c.union
                                    for w in slots.words[k]}),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print everyday spoken questions and requests.")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stats", action="store_true", help="print frame and slot counts too")
    args = parser.parse_args(argv)
    for sentence in everyday_sentences(args.n, args.seed):
        print(sentence)
    if args.stats:
        print(stats())
