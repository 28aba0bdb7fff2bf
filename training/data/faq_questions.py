"""More ways to ask an FAQ's question, by rules, without the answer's words.

No language model runs here, so the variants come from rules over the FAQ heading alone: the
heading is what a person asked, and a person who does not know the answer asks it in other words.
Two kinds of rules:

1. ``plain_words``: code-like words become what someone who does not know them would say
   (``read.table()`` -> "the read table function", ``-F`` -> "the F option", ``tables/indices`` ->
   "tables or indices"); placeholders ("XXX") and parentheticals are dropped.
2. Frames by the heading's form: "How do I X?" -> "What's the way to X?", "Is it possible to X?";
   "Can I X?" -> "Am I allowed to X?"; "What is X?" -> "Tell me about X."; "Does A support B?" ->
   "Can A handle B?"; a stated problem -> "S. How do I fix it?"; any question -> "Quick question:
   ...". A heading of several sentences keeps its first ones as context and reframes the last.

Nothing here reads the answer, so no variant can quote it; ``quotes_answer`` checks that anyway (a
variant sharing four running words with the answer, one of them neither the heading's nor a frame's,
is dropped), so that a later rule that brings in words from elsewhere cannot leak the answer.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

_ACRONYM_OR_NAME = re.compile(r"^(I|[A-Z]|[A-Z]\w*[A-Z]\w*|R|SQLite|Git|FFmpeg|Perl|PHP\S*|Windows|Emacs|CRAN|S-PLUS)\b")
_NOT_VALUES = {"not", "to", "and", "or", "with", "in", "on", "for", "the", "a", "an", "is", "are", "does", "do", "option",
               "work", "works", "doesn't", "gives", "fails", "when", "from", "of"}
_NOT_DOTTED = {"com", "org", "net", "crt", "h", "c", "so", "txt", "html", "pl", "pm", "py", "exe", "dll", "jpg", "x"}


def plain_words(question: str) -> str:
    """The heading with its code-like words said in plain words; see the module docstring."""
    q = question.replace("`", "")
    # a function used as a verb ("when I source() a file"): the verb; otherwise read.table() -> the read table function
    q = re.sub(r"\b(I|you|we|to) ([a-z]\w*)\(\)", r"\1 \2", q)
    q = re.sub(r"\b(?:(the) )?([A-Za-z_][\w.]*)\(\)", lambda m: f"the {_split_identifier(m.group(2))} function", q)
    q = re.sub(r"\s*\((\w+(?:[ -]\w+)?)\)\s*$", r" for \1", q)  # "installed (Windows)" -> "installed for Windows"
    q = re.sub(r"\s*\([^()]*\)", "", q)  # other asides: (RFC 1928), (a.k.a. ...)
    q = re.sub(r"\b(to|do|support) (?:X{3,}|x{3,})\b", r"\1 something", q)  # "license to XXXX"
    q = re.sub(r"(\w+) \[[a-z]+\]", r"some \1", q)  # "support feature [xyz]"
    q = re.sub(r"(?<!\S)&(?!\S)", "an ampersand", q)
    q = re.sub(r"(?<!\S)%(?!\S)", "a percent sign", q)
    # a program's option: curl -X -> curl's X option; -f jpeg -> the f jpeg option; --nofork -> the nofork option
    q = re.sub(r"\b(curl|ffmpeg|git|perl|R) -{1,2}(\w[\w-]*)", r"\1's \2 option", q)
    q = re.sub(r"(?<!\S)-([a-z]) ([a-z]\w*)\b",  # an option with its value: -f jpeg -> the f jpeg option
               lambda m: m.group(0) if m.group(2) in _NOT_VALUES else f"the {m.group(1)} {m.group(2)} option", q)
    q = re.sub(r"(?<!\S)-{1,2}([A-Za-z][\w-]*)", r"the \1 option", q)
    # config keys and field names: http.postBuffer -> http post buffer; user.name -> user name
    q = re.sub(r"\b([A-Za-z]\w*)\.([A-Za-z_]\w*)\b",
               lambda m: m.group(0) if m.group(2).lower() in _NOT_DOTTED else
               f"{_split_identifier(m.group(1))} {_split_identifier(m.group(2))}", q)
    q = re.sub(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b", lambda m: _split_identifier(m.group(0)), q)
    q = re.sub(r"(?<=\w)/(?=\w)", " or ", q)  # tables/indices -> tables or indices
    q = re.sub(r"\s*\b(?:X{3,}|x{3,})\b|\s*\[[^\]]*\]", "", q)  # placeholders: codec XXX, feature [xyz]
    q = re.sub(r"[*{}$@%\\^]", " ", q)
    q = re.sub(r"\s+([?.,!;])(?=\s|$)", r"\1", " ".join(q.split()))
    return q


def _broken(text: str) -> bool:
    """Rules that left a gap ("How can I use , , to specify ...") make no question: keep the heading then."""
    return bool(re.search(r"[,;]\s*[,;]|\b(?:use|to|the|a|an) [,?.]|\bthe the\b", text))


def _split_identifier(name: str) -> str:
    """CURLOPT_WRITEDATA -> curlopt writedata, postBuffer -> post buffer, read.table -> read table."""
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return " ".join(re.split(r"[._\s]+", name)).lower().strip()


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is a name or acronym ("I", "R", "SQLite", "FTPS")."""
    return text if not text or _ACRONYM_OR_NAME.match(text) else text[0].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentences(text: str) -> tuple[str, str]:
    """(context, last sentence): "I've made a mistake in the last commit." + "How do I change it?";
    also a statement before a comma: "I have a GPL program," + "can I use the libcurl library?"."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip())
    context, last = " ".join(parts[:-1]), parts[-1]
    match = re.match(r"^((?:I|I'm|I've|My)\b[^,?]*), ((?:can|could|how|why|what|who|where|is|are|do|does)\b.*)$", last)
    if match:
        context, last = (f"{context} " if context else "") + match.group(1) + ".", _upper_first(match.group(2))
    return context, last


HOW = re.compile(r"^how (?:do|can|could|should|would|might|may) (?:i|you|we|one) (.+?)\??$", re.I)
HOW_TO = re.compile(r"^how to (.+?)\??$", re.I)
CAN_I = re.compile(r"^(?:can|could|may) i (.+?)\??$", re.I)
CAN_YOU = re.compile(r"^(?:can|could|will|would) you (?:please )?(.+?)\??$", re.I)
IS_THERE = re.compile(r"^(?:is|are) there (.+?)\??$", re.I)
WHAT_IS = re.compile(r"^what(?: is|'s| are) (.+?)\??$", re.I)
WHAT_ABOUT = re.compile(r"^what about (.+?)\??$", re.I)
HOW_PASSIVE = re.compile(r"^how (?:can|do|should|could) (.+?) be (\w+ed)( for .+)?\??$", re.I)
DOES_SUPPORT = re.compile(r"^(?:does|do) (\S+) (?:support|work with|have) (.+?)\??$", re.I)
WHY_DO_I = re.compile(r"^why (?:do|did) (i|you|we|they) (.+?)\??$", re.I)

HOW_PASSIVE_FRAMES = ["How do I {v} {o}{r}?", "What's the way to {v} {o}{r}?", "Is it possible to {v} {o}{r}?",
                      "I want to {v} {o}{r}. What do I do?"]
HOW_FRAMES = ["What's the way to {c}?", "Is it possible to {c}?", "Can you tell me how to {c}?",
              "I need to {c}. What do I do?", "Is there a way to {c}?", "What should I do to {c}?",
              "Any tips on how to {c}?", "I'm trying to {c}. Where do I start?"]
CAN_I_FRAMES = ["Am I allowed to {c}?", "Is it okay to {c}?", "Would it be possible to {c}?", "Is there any way to {c}?"]
CAN_YOU_FRAMES = ["Would you {c}?", "Any chance you could {c}?", "Is it possible for you to {c}?"]
IS_THERE_FRAMES = ["Do you know if there's {c}?", "I'm looking for {c}. Does it exist?", "Does anyone know whether there's {c}?"]
WHAT_IS_FRAMES = ["Can you explain {c}?", "Tell me about {c}.", "I'd like to know more about {c}.", "What do people mean by {c}?"]
WHAT_ABOUT_FRAMES = ["How about {c}?", "Tell me about {c}.", "Is there anything on {c}?"]
SUPPORT_FRAMES = ["Can {a} handle {b}?", "Will {a} work with {b}?", "Is {b} something {a} can deal with?"]
WHY_DO_I_FRAMES = ["How come {s} {c}?", "What's the reason {s} {c}?"]
PROBLEM_FRAMES = ["{S}. What can I do?", "{S}. Any idea why?", "Help, {s}.", "{S}. How do I fix it?",
                  "So, {s}. What's going on?", "I have a problem: {s}."]
ANY_FRAMES = ["Quick question: {q}", "I was wondering, {q}", "{Q} Do you know?", "Can you help me? {Q}",
              "Sorry to bother you, {q}", "{Q} I can't figure it out."]
CONTRACTIONS = [(r"\bWhat is\b", "What's"), (r"\bwhat is\b", "what's"), (r"\bdo not\b", "don't"),
                (r"\bdoes not\b", "doesn't"), (r"\bcannot\b", "can't"), (r"\bI am\b", "I'm"), (r"\bit is\b", "it's")]


def _frames(last: str, form: str) -> list[str]:
    """Rewrites of one sentence by its form, most specific first."""
    q = last.rstrip(" ?.!")
    out: list[str] = []
    if form == "problem":
        s = q
        out += [f.format(S=_upper_first(s), s=_lower_first(s)) for f in PROBLEM_FRAMES]
        return out
    for pattern, frames in ((HOW, HOW_FRAMES), (HOW_TO, HOW_FRAMES), (CAN_I, CAN_I_FRAMES), (CAN_YOU, CAN_YOU_FRAMES),
                            (IS_THERE, IS_THERE_FRAMES), (WHAT_ABOUT, WHAT_ABOUT_FRAMES), (WHAT_IS, WHAT_IS_FRAMES)):
        match = pattern.match(q)
        if match:
            out += [f.format(c=match.group(1)) for f in frames]
            break
    match = HOW_PASSIVE.match(q)
    verb = _base_verb(match.group(2)) if match else None
    if match and verb:
        out += [f.format(v=verb, o=match.group(1), r=match.group(3) or "") for f in HOW_PASSIVE_FRAMES]
    match = DOES_SUPPORT.match(q)
    if match:
        out += [f.format(a=match.group(1), b=match.group(2)) for f in SUPPORT_FRAMES]
    match = WHY_DO_I.match(q)
    if match:
        subject = "I" if match.group(1).lower() == "i" else match.group(1).lower()
        out += [f.format(s=subject, c=match.group(2)) for f in WHY_DO_I_FRAMES]
    return out


@lru_cache(maxsize=1)
def _wordnet_verbs() -> frozenset[str]:
    from training.data.sources import WORDNET_DIR

    index = WORDNET_DIR / "index.verb"
    if not index.is_file():
        return frozenset()
    return frozenset(line.split(" ", 1)[0] for line in open(index, encoding="utf-8") if not line.startswith(" "))


def _base_verb(participle: str) -> str | None:
    """installed -> install, used -> use, obtained -> obtain, by WordNet's verb index (None without
    wordnet-base: the passive frames are then left out, not guessed)."""
    verbs = _wordnet_verbs()
    word = participle.lower()
    for candidate in (word[:-2], word[:-1], word[:-3] if word[-3:-2] == word[-4:-3] else ""):
        if candidate and candidate in verbs:
            return candidate
    return None


def _contract(text: str, rng: random.Random) -> str:
    for pattern, short in CONTRACTIONS:
        if rng.random() < 0.5:
            text = re.sub(pattern, short, text)
    return text


def _tidy(text: str) -> str:
    text = re.sub(r"\?\s*\?", "?", " ".join(text.split()))
    text = re.sub(r"\.\s*\.", ".", text)
    return _upper_first(text)


def paraphrases(question: str, form: str, n: int, rng: random.Random) -> list[str]:
    """Up to ``n`` distinct rewrites of an FAQ heading, none equal to it (see the module docstring)."""
    plain = plain_words(question)
    if _broken(plain):
        plain = question
    context, last = _sentences(plain)
    lead = f"{context} " if context else ""
    specific = [lead + f for f in _frames(last, form)]
    whole = plain.rstrip()
    if not whole.endswith(("?", ".", "!")):
        whole += "?" if form == "question" else "."
    generic = [f.format(Q=_upper_first(whole), q=_lower_first(whole)) for f in ANY_FRAMES] if form == "question" else []
    rng.shuffle(specific)
    rng.shuffle(generic)
    # Mostly the form's own frames (they change the wording); the generic ones only wrap the heading.
    candidates = specific + generic
    if plain != question:
        candidates.insert(min(1, len(candidates)), whole)  # the heading in plain words is a variant too
    out: list[str] = []
    for candidate in candidates:
        text = _tidy(_contract(candidate, rng))
        if text.rstrip("?.! ").lower() != question.rstrip("?.! ").lower() and text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _frame_words() -> set[str]:
    frames = (HOW_PASSIVE_FRAMES + HOW_FRAMES + CAN_I_FRAMES + CAN_YOU_FRAMES + IS_THERE_FRAMES + WHAT_IS_FRAMES
              + WHAT_ABOUT_FRAMES + SUPPORT_FRAMES + WHY_DO_I_FRAMES + PROBLEM_FRAMES + ANY_FRAMES)
    return set(_words(" ".join(frames + [short for _, short in CONTRACTIONS])))


def quotes_answer(variant: str, question: str, answer: str, span: int = 4) -> bool:
    """Whether ``variant`` shares ``span`` running words with ``answer`` of which one is neither the
    heading's (or its plain-words form's) nor one of our frames' words: words taken from the answer."""
    own = set(_words(question)) | set(_words(plain_words(question))) | _frame_words()
    words = _words(variant)
    answer_words = _words(answer)
    answer_grams = {tuple(answer_words[i:i + span]) for i in range(len(answer_words) - span + 1)}
    return any(tuple(words[i:i + span]) in answer_grams and not set(words[i:i + span]) <= own
               for i in range(len(words) - span + 1))
