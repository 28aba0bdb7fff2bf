"""Slot types -> slot words: WordNet lemmas under each type's roots (filtered to common ones) or a
hand-written list, with their plurals and articles. The types and the grammar notes are data
(``slots.yaml`` beside this file); how a lemma is chosen is the package's docstring."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from training.data.everyday.wordnet import WordNet, common_words, load_wordnet

SLOTS_FILE = Path(__file__).with_name("slots.yaml")


@dataclass(frozen=True)
class Category:
    """A slot type: WordNet roots (hyponyms), or part meronyms, or a hand-written list."""

    roots: tuple[str, ...] = ()
    parts_of: tuple[str, ...] = ()  # part meronyms of these synsets (and their hyponyms, one level)
    exclude: tuple[str, ...] = ()  # subtrees to leave out
    strict: bool = False  # only tag-counted senses (for big trees full of rare names)
    proper: bool = False  # capitalized names (countries, cities): tag-counted instances only
    min_count: int = 1
    mass: bool = False  # a mass noun by default: "{a:x}" and "{pl:x}" give the bare word
    hand: tuple[str, ...] = ()  # a hand-written list (may hold {slots} of its own)
    union: tuple[str, ...] = ()  # the words of other categories
    drop: tuple[str, ...] = ()  # words that read wrong in this slot only


def _read_slots_file(path: Path = SLOTS_FILE) -> dict:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    categories = {}
    for name, fields in data["categories"].items():
        try:
            categories[name] = Category(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
        except TypeError as exc:  # a misspelt field: say where
            raise ValueError(f"{path}: category {name!r}: {exc}") from None
    return data | {"categories": categories}


_SLOTS = _read_slots_file()
CATEGORIES: dict[str, Category] = _SLOTS["categories"]
# mass nouns wherever they are found, count nouns even in a mass category, special articles
MASS = frozenset(_SLOTS["mass"].split())
COUNT = frozenset(_SLOTS["count"].split())
ARTICLE: dict[str, str] = _SLOTS["article"]
# what the WordNet filter lets through that does not belong in everyday questions
DROP = frozenset(_SLOTS["drop"])
# everyday lemmas the counts miss; each is a WordNet noun under its category's roots (tested)
ADD: dict[str, tuple[str, ...]] = {name: tuple(words) for name, words in _SLOTS["add"].items()}
del _SLOTS

_IRREGULAR_OK = frozenset("mice teeth feet children men women geese people lice oxen dice sheep fish deer".split())


def _plural(word: str, irregular: dict[str, str]) -> str:
    head, _, last = word.rpartition(" ")
    prefix = head + " " if head else ""
    plural = irregular.get(last, "")
    if plural and (plural.endswith("s") or plural in _IRREGULAR_OK):
        return prefix + plural  # knives, potatoes, mice; not Latin "camerae"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(?:[^aeiou]o)$", last) and last not in ("piano", "photo", "radio", "video",
                                                          "kilo", "zoo", "logo", "disco", "cello"):
        return prefix + last + "es"
    return prefix + last + "s"


def _article(phrase: str) -> str:
    first = phrase.split(" ")[0].lower()
    if re.match(r"^(uni|use|usu|eu|one|ewe|u[bkrst][aeiou])", first):
        return "a " + phrase
    if re.match(r"^(hour|honest|honou?r|heir)", first) or re.match(r"^[aeiou]", first):
        return "an " + phrase
    if re.match(r"^[A-Z]{2,}", phrase.split(" ")[0]) and phrase[0] in "AEFHILMNORSX":
        return "an " + phrase  # an ID card, an MRI, an SUV
    return "a " + phrase


@dataclass(frozen=True)
class Word:
    text: str
    mass: bool

    def form(self, kind: str, irregular: dict[str, str]) -> str:
        if kind == "" or self.text[0].isupper() and kind != "a":
            return self.text
        head = self.text.split(" ")[-1]
        mass = self.mass if self.text not in MASS and head not in MASS else True
        if self.text in COUNT or head in COUNT:
            mass = False
        if kind == "a":
            if self.text in ARTICLE:
                return ARTICLE[self.text]
            return self.text if mass or self.text[0].isupper() else _article(self.text)
        if kind == "pl":
            if mass or head.endswith("s") and not head.endswith("ss"):
                return self.text  # rice; trousers; kids
            return _plural(self.text, irregular)
        raise ValueError(f"unknown slot form {kind!r}")


_LEMMA = re.compile(r"^[a-z]+(?:'s)?(?:[ -][a-z]+)?$")
_PROPER = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+)?$")


def _category_words(wordnet: WordNet, name: str, category: Category, common: frozenset[str]) -> list[str]:
    """The filtered WordNet lemmas of one slot type, sorted, plus its ADD list."""
    excluded: set[int] = set()
    for root in category.exclude:
        excluded.update(wordnet.hyponym_closure(wordnet.synset(root)))
    offsets: list[int] = []
    for root in category.roots:
        offsets.extend(o for o in wordnet.hyponym_closure(wordnet.synset(root)) if o not in excluded)
    meronyms: list[int] = []
    for whole in category.parts_of:
        for part in wordnet.synsets[wordnet.synset(whole)].parts:
            meronyms.append(part)
            meronyms.extend(wordnet.synsets[part].hyponyms)
    words: set[str] = set()
    for offset in offsets + meronyms:
        for written, _ in wordnet.synsets[offset].words:
            base = re.sub(r"\(.*\)$", "", written)
            lemma = base.replace("_", " ")
            count = wordnet.tag_count(base, offset)
            if category.proper:
                if _PROPER.match(lemma) and count >= category.min_count:
                    words.add(lemma)
                continue
            if not _LEMMA.match(lemma) or lemma in DROP:
                continue
            whole_words = all(part in common for part in re.split(r"[ -]", lemma.replace("'s", "")))
            single = " " not in lemma and "-" not in lemma
            if count >= category.min_count:
                words.add(lemma)
            elif (not category.strict and single and whole_words
                  and (offset in meronyms or wordnet.sense_rank(base, offset) == 1)):
                words.add(lemma)
    words.difference_update(DROP)
    words.difference_update(category.drop)
    words.update(ADD.get(name, ()))
    # a plural lemma next to its singular ("cows" and "cow") is the same word twice
    return sorted(w for w in words if not (w.endswith("s") and w[:-1] in words))


@dataclass
class Slots:
    words: dict[str, list[Word]]
    irregular: dict[str, str]

    def sizes(self) -> dict[str, int]:
        return {name: len(words) for name, words in self.words.items()}


@functools.lru_cache(maxsize=4)
def load_slots(wordnet_dir: str | None = None) -> Slots:
    wordnet = load_wordnet(wordnet_dir)
    common = common_words()
    words: dict[str, list[Word]] = {}
    for name, category in CATEGORIES.items():
        if category.hand:
            words[name] = [Word(text, category.mass) for text in category.hand]
        elif not category.union:
            words[name] = [Word(text, category.mass)
                           for text in _category_words(wordnet, name, category, common)]
    for name, category in CATEGORIES.items():
        if category.union:
            merged = {w.text: w for part in category.union for w in words[part]}
            words[name] = [merged[text] for text in sorted(merged)]
    return Slots(words, wordnet.irregular_plurals)
