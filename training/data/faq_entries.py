"""What an FAQ entry is, which headings are questions, and how an FAQ's outline (headings,
paragraphs, short code) becomes entries: the part every format's parser shares
(training/data/faq_formats.py; the rules are in training/data/faqs.py's docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass

FAQ_TITLES = {"perl": "Perl FAQ", "sqlite": "SQLite FAQ", "r": "R FAQ", "git": "Git FAQ", "ffmpeg": "FFmpeg FAQ",
              "curl": "curl FAQ"}

MAX_CODE_LINES = 2  # longer code samples leave the answer text
MAX_CODE_CHARS = 120
MIN_ANSWER_WORDS = 3  # a heading whose text is all in its sub-questions has no answer of its own


@dataclass(frozen=True)
class FaqEntry:
    faq: str  # perl | sqlite | r | git | ffmpeg | curl
    id: str  # stable: faq-<faq>-<slug of the question> (git: its own anchor; perl: faq-perl-<part>-<slug>)
    section: str  # the FAQ's part or chapter it sits in
    question: str  # the heading as its authors wrote it, markup removed
    answer: str  # the text under it as prose, paragraphs separated by blank lines
    form: str  # "question" (asks) or "problem" (states a problem: "FTPS does not work")

    def to_kb(self) -> dict:
        """A knowledge-base JSONL record (docs/architecture.md); the question is not in it: only the answer."""
        title = f"{FAQ_TITLES[self.faq]}: {self.section}" if self.section else FAQ_TITLES[self.faq]
        return {"id": self.id, "text": self.answer, "title": title, "source": f"faq:{self.faq}"}


# --- Which headings are questions ------------------------------------------------------------------

_ASKING = re.compile(r"^(how|why|what|what's|which|where|when|who|whom|whose|can|could|is|are|was|were|does|do|did|"
                     r"doesn't|don't|isn't|aren't|should|shall|will|would|may|might|has|have|must|am)\b", re.I)
_PROBLEM = re.compile(r"\b(not work|does not|doesn't|do not|don't|did not|didn't|cannot|can't|won't|fails?|failed|"
                      r"(?:is|are) (?:really |very |so )?slow|is wrong|very bad|complains?|gives me|"
                      r"no apparent reason|not supported|non-functional|broken|but not|not there)\b", re.I)
_FIRST_PERSON = re.compile(r"^(I|I'm|I've|My)\b")
_ERROR_MESSAGE = re.compile(r"^[\w./+-]+: ")  # "curl: (1) SSL is disabled", "error: can't find a register ..."


def question_form(heading: str) -> str | None:
    """"question", "problem" or None (a section title: "Perl Books", "Lexical scoping", "Citing R").

    Kept: headings that ask (a "?" anywhere, or opening with a question word or an inverted auxiliary:
    How/Why/What/Which/Where/When/Who, Can/Is/Are/Does/Do/Should ..., "How to report a bug"), and
    problems as people state them ("I installed a package but the functions are not there", "FTPS
    does not work", "INSERT is really slow", "... type integer!"): that is how people ask for help.
    Left out: bare topics, and error messages quoted verbatim ("curl: (1) SSL is disabled, https: not
    supported"), which nobody says aloud.
    """
    text = heading.strip()
    if not text:
        return None
    if "?" in text or _ASKING.match(text):
        return "question"
    if _ERROR_MESSAGE.match(text):
        return None
    if _FIRST_PERSON.match(text) or _PROBLEM.search(text) or text.endswith("!"):
        return "problem"
    return None


# --- Shared outline -> entries -----------------------------------------------------------------------

@dataclass
class Block:
    kind: str  # "head" | "para" | "code"
    text: str
    level: int = 0  # headings only: 1 is the outermost
    anchor: str | None = None


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - ",
                         "\u00a0": " ", "\u2026": "...", "\u00ad": ""})


def clean_text(text: str) -> str:
    """One line of prose: ASCII quotes (what TTS and the tokenizer expect), single spaces."""
    return " ".join(text.translate(QUOTES).split())


def short_code(text: str) -> Block | None:
    """A code sample: kept (as its own paragraph) only when short; see MAX_CODE_LINES."""
    lines = [line.strip() for line in text.translate(QUOTES).splitlines() if line.strip()]
    if not lines or len(lines) > MAX_CODE_LINES or sum(map(len, lines)) > MAX_CODE_CHARS:
        return None
    return Block("code", " ".join(lines))


def slug(text: str, limit: int = 64) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "")).split()
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out or "entry"


def outline_entries(faq: str, blocks: list[Block], id_prefix: str, default_section: str = "",
             number: re.Pattern | None = None) -> list[FaqEntry]:
    """One entry per question heading; what its answer holds is in training/data/faqs.py's docstring."""
    if number is not None:
        for block in blocks:
            if block.kind == "head":
                block.text = number.sub("", block.text).strip()
    heads = [i for i, b in enumerate(blocks) if b.kind == "head"]
    end = {}
    for pos, i in enumerate(heads):
        end[i] = next((j for j in heads[pos + 1:] if blocks[j].level <= blocks[i].level), len(blocks))
    forms = {i: question_form(blocks[i].text) for i in heads}
    entries: list[FaqEntry] = []
    sections: list[tuple[int, str]] = []  # enclosing non-question headings: (level, text)
    for i in heads:
        head = blocks[i]
        while sections and sections[-1][0] >= head.level:
            sections.pop()
        if forms[i] is None:
            sections.append((head.level, head.text))
            continue
        paragraphs: list[str] = []
        j = i + 1
        while j < end[i]:
            block = blocks[j]
            if block.kind == "head" and forms[j] is not None:
                j = end[j]  # a question of its own, with its own answer
                continue
            paragraphs.append(block.text)
            j += 1
        answer = "\n\n".join(p for p in paragraphs if p)
        if len(answer.split()) < MIN_ANSWER_WORDS:
            continue
        section = sections[-1][1] if sections else default_section
        entries.append(FaqEntry(faq, head.anchor or f"{id_prefix}-{slug(head.text)}", section, head.text, answer, forms[i]))
    return _unique_ids(entries)


def _unique_ids(entries: list[FaqEntry]) -> list[FaqEntry]:
    """Two headings with the same slug (rare) get -2, -3 in document order, so ids stay stable."""
    seen: dict[str, int] = {}
    out = []
    for entry in entries:
        count = seen.get(entry.id, 0) + 1
        seen[entry.id] = count
        if count > 1:
            entry = FaqEntry(entry.faq, f"{entry.id}-{count}", entry.section, entry.question, entry.answer, entry.form)
        out.append(entry)
    return out
