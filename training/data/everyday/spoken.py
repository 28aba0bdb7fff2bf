"""Spoken variation: what people put in front of a question and after it, and how they shorten it;
and the normal form (contractions expanded, no punctuation) sentences are compared in."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

# Spoken variation: what people put in front and after, and how they shorten.
OPENERS = (
    ("", 40), ("Um, ", 4), ("Uh, ", 3), ("So, ", 4), ("Hey, ", 4), ("Hi, ", 2), ("Okay, ", 3),
    ("Excuse me, ", 2), ("Sorry, ", 1), ("Quick question, ", 3), ("Hello, ", 1), ("Hmm, ", 1),
    ("Well, ", 1), ("Right, ", 1), ("Oh, ", 1), ("Hey there, ", 1), ("Um, so ", 2), ("Can you tell me, ", 1),
    ("I was wondering, ", 1), ("Just wondering, ", 1), ("Hey, quick question, ", 1), ("Hi there, ", 1),
    ("Okay so ", 1), ("Sorry to bother you, ", 1), ("Yeah, ", 1), ("Hey assistant, ", 1),
)
CLOSERS_QUESTION = (("", 30), (", please", 2), (" please", 1), (", thanks", 2), (", thank you", 1),
                    (" by any chance", 1), (", do you know", 1))
CLOSERS_STATEMENT = (("", 20), (", please", 2), (", thanks", 2), (". Can you help", 2),
                     (". What should I do", 1), (". Any ideas", 1), (", thank you", 1))
CONTRACTIONS = (
    (r"\bWhat is\b", "What's"), (r"\bwhat is\b", "what's"), (r"\bWhere is\b", "Where's"),
    (r"\bwhere is\b", "where's"), (r"\bHow is\b", "How's"), (r"\bWho is\b", "Who's"),
    (r"\bWhen is\b", "When's"), (r"\bThere is\b", "There's"), (r"\bthere is\b", "there's"),
    (r"\bI am\b", "I'm"), (r"\bI would\b", "I'd"), (r"\bI will\b", "I'll"), (r"\bdo not\b", "don't"),
    (r"\bdoes not\b", "doesn't"), (r"\bis not\b", "isn't"), (r"\bcannot\b", "can't"),
    (r"\bI have (got|been|lost|had|broken|forgotten)\b", r"I've \1"), (r"\bit is\b(?=\s\w)", "it's"),
    (r"\bIt is\b", "It's"), (r"\bthat is\b(?=\s\w)", "that's"), (r"\bare not\b", "aren't"),
    (r"\bwill not\b", "won't"), (r"\bhas not\b", "hasn't"), (r"\bhave not\b", "haven't"),
)
EXPANSIONS = tuple((re.compile(short), long) for short, long in (
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "can not"), (r"\bcannot\b", "can not"),
    (r"\bshan't\b", "shall not"), (r"n't\b", " not"), (r"'m\b", " am"), (r"'re\b", " are"),
    (r"'ve\b", " have"), (r"'ll\b", " will"), (r"'d\b", " would"),
    (r"\b(it|that|what|where|when|who|how|there|here|he|she|this)'s\b", r"\1 is"),
))

def normalize(text: str) -> str:
    """Lower case, contractions expanded, punctuation dropped, single spaces: for comparisons."""
    text = text.lower().replace("\u2019", "'")
    for pattern, long in EXPANSIONS:
        text = pattern.sub(long, text)
    text = re.sub(r"'s\b", "s", text).replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def vary(sentence: str, rng: random.Random) -> str:
    """Spoken variants: contractions, an opener ("um", "hey", "quick question"), a closer."""
    if rng.random() < 0.5:
        for pattern, short in CONTRACTIONS:
            sentence = re.sub(pattern, short, sentence)
    end = sentence[-1]
    body = sentence[:-1]
    closer = _weighted(rng, CLOSERS_QUESTION if end == "?" else CLOSERS_STATEMENT)
    if closer.startswith(". "):
        body, end = body + closer, "?"
    else:
        body += closer
    opener = _weighted(rng, OPENERS)
    if opener:
        first = body.split(" ")[0]
        keep = first in ("I", "I'm", "I'd", "I've", "I'll") or (first[:1].isupper() and first[1:2].isupper())
        if not keep and not (first in ("Christmas", "Easter") or first[0].isdigit()):
            body = body[0].lower() + body[1:]
        body = opener + body
    return body + end

