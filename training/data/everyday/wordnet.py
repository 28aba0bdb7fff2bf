"""WordNet's noun half, read from Debian's ``wordnet-base`` database files.

NLTK's ``WordNetCorpusReader`` does not open Debian's ``/usr/share/wordnet``: it needs a
``lexnames`` file that ``wordnet-base`` does not ship, and NLTK 3.10 refuses paths outside its own
data path. So the reader here parses ``data.noun``, ``index.noun``, ``noun.exc`` and
``cntlist.rev`` itself (the format is in wndb(5WN) and cntlist(5WN)); it takes about a second.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from training.data.sources import SourceMissing

WORDNET_DIR = Path("/usr/share/wordnet")
WORDNET_FILES = ("data.noun", "index.noun", "noun.exc", "cntlist.rev")
INSTALL_HINT = "apt-get install wordnet-base"


class WordNetMissing(SourceMissing):
    """WordNet's data files are not where we look; the message says what to install."""


@dataclass
class _Synset:
    lexfile: int
    words: list[tuple[str, int]]  # (lemma as written, lex_id)
    hyponyms: list[int] = field(default_factory=list)  # ~ and ~i
    parts: list[int] = field(default_factory=list)  # %p part meronyms


class WordNet:
    """The noun half of WordNet 3.0 as Debian's ``wordnet-base`` ships it."""

    def __init__(self, directory: Path | str = WORDNET_DIR):
        self.directory = Path(directory)
        missing = [name for name in WORDNET_FILES if not (self.directory / name).is_file()]
        if missing:
            raise WordNetMissing(
                f"WordNet data files missing in {self.directory} ({', '.join(missing)}): "
                f"install them with `{INSTALL_HINT}`")
        self.synsets: dict[int, _Synset] = {}
        with open(self.directory / "data.noun", encoding="latin-1") as handle:
            for line in handle:
                if not line.startswith(" "):
                    self._data_line(line)
        self.senses: dict[str, list[int]] = {}  # lemma -> synset offsets, most frequent sense first
        with open(self.directory / "index.noun", encoding="latin-1") as handle:
            for line in handle:
                if not line.startswith(" "):
                    fields = line.split()
                    self.senses[fields[0]] = [int(x) for x in fields[-int(fields[2]):]]
        self.tag_counts: dict[str, int] = {}
        with open(self.directory / "cntlist.rev", encoding="latin-1") as handle:
            for line in handle:
                key, _, count = line.split()
                if "%1:" in key:
                    self.tag_counts[key] = int(count)
        self.irregular_plurals: dict[str, str] = {}
        with open(self.directory / "noun.exc", encoding="latin-1") as handle:
            for line in handle:
                plural, *bases = line.split()
                for base in bases:
                    self.irregular_plurals.setdefault(base, plural)

    def _data_line(self, line: str) -> None:
        fields = line.split(" | ")[0].split()
        offset, lexfile, count = int(fields[0]), int(fields[1]), int(fields[3], 16)
        words = [(fields[4 + 2 * i], int(fields[5 + 2 * i], 16)) for i in range(count)]
        synset = _Synset(lexfile, words)
        i = 4 + 2 * count
        for _ in range(int(fields[i])):
            symbol, target, pos = fields[i + 1], int(fields[i + 2]), fields[i + 3]
            i += 4
            if pos != "n":
                continue
            if symbol in ("~", "~i"):
                synset.hyponyms.append(target)
            elif symbol == "%p":
                synset.parts.append(target)
        self.synsets[offset] = synset

    def synset(self, name: str) -> int:
        """``building.n.01`` -> its offset in data.noun."""
        lemma, pos, number = name.rsplit(".", 2)
        if pos != "n" or lemma not in self.senses or int(number) > len(self.senses[lemma]):
            raise KeyError(f"no WordNet noun synset {name}")
        return self.senses[lemma][int(number) - 1]

    def hyponym_closure(self, offset: int) -> list[int]:
        """The synset and all its (instance) hyponyms, in a deterministic order."""
        seen, order, stack = set(), [], [offset]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(self.synsets[current].hyponyms))
        return order

    def tag_count(self, lemma: str, offset: int) -> int:
        """How often SemCor tagged ``lemma`` in this sense (0 when never)."""
        synset = self.synsets[offset]
        for written, lex_id in synset.words:
            base = re.sub(r"\(.*\)$", "", written)
            if base.lower() == lemma.lower():
                key = f"{base.lower()}%1:{synset.lexfile:02d}:{lex_id:02d}::"
                return self.tag_counts.get(key, 0)
        return 0

    def sense_rank(self, lemma: str, offset: int) -> int:
        senses = self.senses.get(lemma.lower(), [])
        return senses.index(offset) + 1 if offset in senses else 99

    def is_noun(self, lemma: str) -> bool:
        return lemma.replace(" ", "_").lower() in self.senses


@functools.lru_cache(maxsize=4)
def load_wordnet(directory: str | None = None) -> WordNet:
    return WordNet(directory or WORDNET_DIR)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Whole words of MiniLM's (BERT's uncased) word-piece vocabulary: frequent English words."""
    from models.weights import resolve_text_model

    vocab = Path(resolve_text_model("all-MiniLM-L6-v2")) / "vocab.txt"
    words = (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.islower())
