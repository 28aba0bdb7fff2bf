"""General English sentences to hear, from apt-installed text: the speech side's vocabulary lessons.

Questions about packages, words and commands teach retrieval, but their wording is a handful of
templates and their words are those four sources' words. To hear *any* English question the speech
side has to have heard English at large, so a build also speaks sentences from these corpora
(``kind: "sentence"``: no passage; stage 1 learns to spell them, stage 2 to keep the text tower's
vector of them):

- ``wordnet-examples``: the example sentences in WordNet's glosses ("the parking was free"), short
  everyday English across the whole dictionary (``wordnet-base``);
- ``wordnet-glosses``: WordNet's definitions, read as phrases;
- ``fortunes``: quotations and sayings (``fortunes``, ``fortunes-min``; the offensive set is not used);
- ``dictionaries``: definitions from the Devil's Dictionary, the Jargon File and FOLDOC (``dict-devil``,
  ``dict-jargon``, ``dict-foldoc``);
- ``everyday``: everyday spoken questions and requests (``training/data/everyday/``).

Every sentence is checked against the evaluation questions (``DevGuard``): one that repeats a dev
question, or shares four words in a row with one, is never spoken for training.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from training.data.sources import WORDNET_DIR, SourceMissing

FORTUNES_DIR = Path("/usr/share/games/fortunes")
DICTD_DIR = Path("/usr/share/dictd")
# Fortune files that are pictures, not sentences, or that quote the Perl FAQ's own domain (a dev set)
FORTUNES_SKIPPED = {"art", "ascii-art", "perl", "translate-me", "zippy"}
DICTIONARIES = ("devil", "jargon", "foldoc")
MIN_WORDS, MAX_WORDS = 3, 24
SPEAKABLE = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.;:?!'\-]*$")

APT_PACKAGES = {
    "wordnet-examples": "apt-get install wordnet-base",
    "wordnet-glosses": "apt-get install wordnet-base",
    "fortunes": "apt-get install fortunes fortunes-min",
    "dictionaries": "apt-get install dict-devil dict-jargon dict-foldoc",
    "everyday": "apt-get install wordnet-base (the everyday generator draws its words from WordNet)",
}


def speakable(sentence: str) -> str | None:
    """One sentence as a TTS engine and the CTC targets agree on it, or None.

    Letters, digits and plain punctuation only: a symbol a voice reads out ("&" -> "and") would be a
    different word piece in the transcript than the one spoken."""
    sentence = " ".join(sentence.replace("`", "'").replace("\u2019", "'").split()).strip(" -")
    if not SPEAKABLE.match(sentence) or not MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
        return None
    if re.search(r"\w[.:;]\w", sentence):  # addresses and names (news:rec.games, e.g.): spelled out, not words
        return None
    if sum(c.isdigit() for c in sentence) > 4:  # years and long numbers are read out as many words
        return None
    return sentence


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", " ".join(text.split())) if s]


# --- sources ---------------------------------------------------------------------------------------

def _wordnet_glosses() -> Iterator[tuple[str, list[str]]]:
    files = [WORDNET_DIR / f"data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
    if not all(f.is_file() for f in files):
        raise SourceMissing(f"WordNet data files missing in {WORDNET_DIR}: {APT_PACKAGES['wordnet-examples']}")
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  ") or " | " not in line:
                    continue
                definition, *rest = [g.strip() for g in line.partition(" | ")[2].split(";")]
                yield definition, [e.strip('" ') for e in rest if e.startswith('"')]


def wordnet_examples() -> Iterator[str]:
    for _, examples in _wordnet_glosses():
        for example in examples:
            yield example[0].upper() + example[1:] if example else example


def wordnet_definitions() -> Iterator[str]:
    for definition, _ in _wordnet_glosses():
        if definition and not definition.startswith("("):
            yield definition[0].upper() + definition[1:] + "."


def fortunes() -> Iterator[str]:
    files = sorted(p for p in FORTUNES_DIR.glob("*") if p.is_file() and "." not in p.name and p.name not in FORTUNES_SKIPPED)
    if not files:
        raise SourceMissing(f"no fortune files in {FORTUNES_DIR}: {APT_PACKAGES['fortunes']}")
    for path in files:
        for fortune in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            lines = [line for line in fortune.splitlines() if not line.strip().startswith("--")]  # attributions
            yield from split_sentences(" ".join(lines))


def dictionary_definitions() -> Iterator[str]:
    found = False
    for name in DICTIONARIES:
        data = DICTD_DIR / f"{name}.dict.dz"
        if not data.is_file():
            continue
        found = True
        for entry in gzip.open(data).read().decode("utf-8", "replace").split("\n\n"):
            body = re.sub(r"[{}]|<[^>]*>|\[[^\]]*\]", " ", entry)
            for sentence in split_sentences(body)[:3]:
                yield sentence
    if not found:
        raise SourceMissing(f"none of {', '.join(DICTIONARIES)} in {DICTD_DIR}: {APT_PACKAGES['dictionaries']}")


def everyday(n: int, seed: int) -> list[str]:
    from training.data.everyday import everyday_sentences

    return everyday_sentences(n, seed=seed)


SOURCES: dict[str, Callable[[], Iterable[str]]] = {
    "wordnet-examples": wordnet_examples,
    "wordnet-glosses": wordnet_definitions,
    "fortunes": fortunes,
    "dictionaries": dictionary_definitions,
}
CORPORA = (*SOURCES, "everyday")


# --- the guard against evaluation text --------------------------------------------------------------

def normalize(text: str) -> list[str]:
    text = text.lower().replace("'s", " is").replace("n't", " not").replace("'re", " are").replace("'m", " am")
    return re.findall(r"[a-z0-9]+", text)


class DevGuard:
    """Refuses training sentences that repeat an evaluation question or share 4 words in a row with one."""

    def __init__(self, questions: Iterable[str], n: int = 4) -> None:
        self.n = n
        self.exact: set[tuple[str, ...]] = set()
        self.grams: set[tuple[str, ...]] = set()
        for question in questions:
            words = tuple(normalize(question))
            self.exact.add(words)
            self.grams.update(words[i : i + n] for i in range(len(words) - n + 1))

    def allows(self, sentence: str) -> bool:
        words = tuple(normalize(sentence))
        if words in self.exact:
            return False
        return not any(words[i : i + self.n] in self.grams for i in range(len(words) - self.n + 1))


def dev_questions(paths: Iterable[Path]) -> list[str]:
    """Every question text in the pinned dev sets (queries JSONL, or a dev-set.jsonl's spoken questions)."""
    import json

    texts = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            question = record.get("question") if "passage_id" in record else record
            if isinstance(question, dict) and question.get("text"):
                texts.append(question["text"])
    return texts


# --- drawing a corpus ------------------------------------------------------------------------------

def corpus_sentences(name: str, n: int, seed: int, guard: DevGuard | None = None,
                     taken: set[str] | None = None) -> list[str]:
    """``n`` distinct speakable sentences of corpus ``name`` (fewer if it has fewer), fixed per seed.

    ``taken``: sentences already drawn by other corpora (lower-cased), which are skipped and updated."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; choose from {', '.join(CORPORA)}")
    taken = taken if taken is not None else set()
    if name == "everyday":
        pool = everyday(2 * n + 100, seed)  # twice what is asked: the guard and the others' sentences take some
    else:
        pool = list(dict.fromkeys(s for s in (speakable(x) for x in SOURCES[name]()) if s))
        random.Random(f"{seed}:{name}").shuffle(pool)
    out = []
    for sentence in pool:
        key = sentence.lower()
        if key in taken or (guard is not None and not guard.allows(sentence)):
            continue
        taken.add(key)
        out.append(sentence)
        if len(out) >= n:
            break
    return out
