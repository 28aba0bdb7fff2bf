"""Everyday spoken questions and requests, the kind people put to a town's or a general-knowledge
voice assistant, as training text for SEAL's speech tower (issue 18, item 0: general English first).

``everyday_sentences(n, seed, exclude)`` fills several hundred hand-written question and request
frames (what / when / where / how much / how long / can I / do I need / is there / I need / I lost /
my X is broken ..., and statements; ``frames.txt``) with slot words that make sense in them, then
varies the wording the way people talk (contractions, "um", "so", "hey", "please", "quick question").

Slot words come mostly from WordNet's noun hierarchy (``wordnet-base``): all hyponyms of a few
roots per slot type (``building.n.01`` and ``facility.n.01`` for places, ``dish.n.02`` for dishes,
``illness.n.01`` for illnesses, ``vehicle.n.01`` ...) and, for parts of things, the part meronyms
of ``building.n.01`` or ``car.n.01``. A lemma is kept when it is lower case, one or two words, and
common: its sense in that tree has a tag count in ``cntlist.rev`` (SemCor), or the sense is the
lemma's first (most frequent) one and every word of it is a whole word of MiniLM's vocabulary
(a frequent English word). A short ``DROP`` list removes what the filter lets through but nobody
would ask a town's assistant about (military, obscene, dated), and a short ``ADD`` list names a few
everyday lemmas the counts miss (each must be a WordNet noun under that slot's roots; a test checks).
Hand-written lists only where WordNet has no category: weekdays, months, clock times, prices,
durations, town services and problems, modern gadgets and online accounts. The slot types and
these lists are ``slots.yaml``.

Evaluation questions are never reproduced: ``exclude`` takes sentences (the pinned dev questions)
and every candidate whose normalized form (lower case, contractions expanded, no punctuation)
equals one of them, or shares any 4-word sequence with one of them, is dropped.

The code, by job: ``wordnet.py`` reads WordNet's database files; ``slots.py`` turns the slot types
into slot words with their plurals and articles; ``spoken.py`` is the spoken variation and the
normal form; ``generator.py`` fills the frames (``everyday_sentences``) and reports on them.
"""

from training.data.everyday.generator import (FRAMES, FRAMES_FILE, MAX_WORDS, MIN_WORDS, NGRAM, SLOT, SPEAKABLE,
                                              Frame, everyday_sentences, frames, main, read_frames, stats,
                                              vocabulary_report)
from training.data.everyday.slots import (ADD, ARTICLE, CATEGORIES, COUNT, DROP, MASS, SLOTS_FILE, Category, Slots,
                                          Word, load_slots)
from training.data.everyday.spoken import (CLOSERS_QUESTION, CLOSERS_STATEMENT, CONTRACTIONS, EXPANSIONS, OPENERS,
                                           normalize)
from training.data.everyday.wordnet import (INSTALL_HINT, WORDNET_DIR, WORDNET_FILES, WordNet, WordNetMissing,
                                            common_words, load_wordnet)

__all__ = [
    "ADD", "ARTICLE", "CATEGORIES", "CLOSERS_QUESTION", "CLOSERS_STATEMENT", "CONTRACTIONS", "COUNT", "DROP",
    "EXPANSIONS", "FRAMES", "FRAMES_FILE", "INSTALL_HINT", "MASS", "MAX_WORDS", "MIN_WORDS", "NGRAM", "OPENERS",
    "SLOT", "SLOTS_FILE", "SPEAKABLE", "WORDNET_DIR", "WORDNET_FILES", "Category", "Frame", "Slots", "Word",
    "WordNet", "WordNetMissing", "common_words", "everyday_sentences", "frames", "load_slots", "load_wordnet",
    "main", "normalize", "read_frames", "stats", "vocabulary_report",
]
