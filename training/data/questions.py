"""Passages -> questions a person would ask out loud, by templates and paraphrase rules.

Each source has its own templates (asking for a package, a word, a command), some naming the
thing, most describing it, because a user who knew the name would rarely need to ask. Paraphrase
rules then vary the wording: contractions, synonyms, spoken fillers, dropped articles.
"""

from __future__ import annotations

import random
import re

from training.data.passage import LabeledPassage

TEMPLATES: dict[str, list[str]] = {
    "debian": [
        "Is there a package with {a_summary}?",
        "Which package provides {a_summary}?",
        "I'm looking for {a_summary}.",
        "Can you find me {a_summary}?",
        "What can I install to get {a_summary}?",
        "Where do I get {a_summary}?",
        "Do you know {a_summary}?",
        "I need {a_summary}, what should I install?",
        "Which Debian package is {a_summary}?",
        "What does the {title} package do?",
        "What is {title}?",
    ],
    "wordnet": [
        "What is the word for {summary}?",
        "What do you call {summary}?",
        "Is there a word that means {summary}?",
        "Which word means {summary}?",
        "What does {title} mean?",
        "What's the meaning of the word {title}?",
        "Define {title}.",
        "Tell me what {title} means.",
    ],
    "man": [
        "How do I {summary}?",
        "Which command can {summary}?",
        "What command would I use to {summary}?",
        "Is there a program to {summary}?",
        "How can I {summary} from the terminal?",
        "What does the {title} command do?",
        "What is {title} for?",
    ],
    # man pages whose NAME line is a noun phrase ("simple windowing shell"), not a verb phrase
    "man-noun": [
        "Which command is {a_summary}?",
        "Is there {a_summary} for the terminal?",
        "I need {a_summary} on the command line.",
        "What program is {a_summary}?",
        "What is {title}?",
    ],
}
TEMPLATES["gcide"] = TEMPLATES["wordnet"]

SYNONYMS = {
    "utility": ["tool", "program"], "tool": ["utility", "program"], "program": ["application", "tool"],
    "library": ["library", "module"], "files": ["documents", "files"], "display": ["show", "display"],
    "show": ["display", "print"], "print": ["show", "output"], "create": ["make", "create"],
    "remove": ["delete", "remove"], "delete": ["remove", "erase"], "application": ["app", "program"],
    "list": ["show", "list"], "change": ["modify", "change"], "manage": ["handle", "manage"],
    "large": ["big", "large"], "small": ["little", "small"], "quickly": ["fast", "quickly"],
}
CONTRACTIONS = [("What is", "What's"), ("I am", "I'm"), ("do not", "don't"), ("Where is", "Where's")]
FILLERS = ["", "", "", "", "Um, ", "So, ", "Hey, ", "Please tell me, ", "Quick question: ", "Okay, "]


def _article(phrase: str) -> str:
    first = phrase.split(" ")[0]
    if re.match(r"^(a|an|the|some|any)$", first, re.I) or (first.endswith("s") and not first.endswith("ss")):
        return phrase  # already determined, or plural ("utilities for ...")
    return ("an " if re.match(r"^[aeiou]", phrase, re.I) else "a ") + phrase


def _speakable(phrase: str) -> str:
    """Lower-case a leading capital unless it is an acronym; drop a trailing parenthetical."""
    phrase = re.sub(r"\([^)]*\)", " ", phrase).split(";")[0]
    phrase = " ".join(phrase.split()[:16]).rstrip(".,")  # nobody asks a 40-word question
    first = phrase.split(" ")[0] if phrase else ""
    if not first or first[1:] != first[1:].lower():
        return phrase  # an acronym or a CamelCase name keeps its capitals
    return phrase[0].lower() + phrase[1:]


def paraphrase(question: str, rng: random.Random) -> str:
    words = question.split(" ")
    for i, word in enumerate(words):
        core = word.strip("?.,").lower()
        if core in SYNONYMS and rng.random() < 0.3:
            words[i] = word.lower().replace(core, rng.choice(SYNONYMS[core]))
    out = " ".join(words)
    out = re.sub(r"\b([Aa]) (?=[aeio])", r"\1n ", out)  # "a application" after a synonym swap
    for full, short in CONTRACTIONS:
        if rng.random() < 0.5:
            out = out.replace(full, short)
    if rng.random() < 0.15:
        out = re.sub(r"\b(a|an|the) ", "", out, count=1)
    filler = rng.choice(FILLERS)
    if filler:
        out = filler + (out if re.match(r"^I\b", out) else out[0].lower() + out[1:])
    return out


def questions_for(passage: LabeledPassage, n: int, rng: random.Random) -> list[str]:
    """``n`` different questions about ``passage`` (fewer if its templates run out)."""
    summary = _speakable(passage.summary)
    if not summary:
        return []
    title = passage.title.replace("-", " ").replace("_", " ")
    fields = {"summary": summary, "a_summary": _article(summary), "title": title}
    kind = passage.source
    if kind == "man" and not _starts_with_verb(summary):
        kind = "man-noun"
    templates = TEMPLATES.get(kind, TEMPLATES["wordnet"])
    chosen = rng.sample(templates, min(n, len(templates)))
    return [paraphrase(t.format(**fields), rng) for t in chosen]


_VERBS: set[str] | None = None


def _starts_with_verb(phrase: str) -> bool:
    """Whether the first word can be a verb, by WordNet's verb index (when installed)."""
    global _VERBS
    if _VERBS is None:
        from training.data.sources import WORDNET_DIR

        index = WORDNET_DIR / "index.verb"
        _VERBS = {line.split(" ", 1)[0] for line in open(index) if not line.startswith(" ")} if index.is_file() else set()
    first = phrase.split(" ")[0].lower()
    return not _VERBS or first in _VERBS
