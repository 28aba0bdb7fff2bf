"""Human-written FAQs that Debian packages install: questions people wrote, answers in prose.

Six FAQs, each read from its installed file (nothing of theirs is committed to this repository):

| name     | package        | file                                                 |
| -------- | -------------- | ---------------------------------------------------- |
| `perl`   | `perl-doc`     | /usr/share/perl/<version>/pod/perlfaq1-9.pod (POD)   |
| `sqlite` | `sqlite3-doc`  | /usr/share/doc/sqlite3/faq.html                      |
| `r`      | `r-doc-html`   | /usr/share/doc/r-doc-html/manual/R-FAQ.html          |
| `git`    | `git-doc`      | /usr/share/doc/git-doc/gitfaq.txt (AsciiDoc)         |
| `ffmpeg` | `ffmpeg-doc`   | /usr/share/doc/ffmpeg/manual/faq.html                |
| `curl`   | `libcurl4-doc` | /usr/share/doc/libcurl4/FAQ.gz (plain text)          |

Each parser (training/data/faq_formats.py) turns its format into one outline (headings and
paragraphs); ``outline_entries`` (training/data/faq_entries.py) then makes an entry of every heading
a person would ask (``question_form``), its answer being the text under it up to the next heading of
its level or above: headings under it that are not questions ("Lexical scoping" under "What are the
differences between R and S?") stay part of the answer, those that are questions become entries of
their own. Code samples of up to two short lines stay in the answer
(they carry the words a question is about: ``my $reversed = reverse $string;``); longer blocks are
dropped, since no one asks a question by reading a program aloud.

Split by document (``DEV_FAQS``, ``TRAIN_FAQS``): Perl's and SQLite's FAQs are the human-written dev
set (``training/data/faq_devset.py``, pinned in ``training/devsets/faq-dev.jsonl``), the others may be
trained on (``faq_training_pairs``). Splitting by question instead would leak: one FAQ's answers share
their authors' wording, and its questions their phrasing.
"""

from __future__ import annotations

import glob
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from training.data.faq_entries import (FAQ_TITLES, MAX_CODE_CHARS, MAX_CODE_LINES, MIN_ANSWER_WORDS, FaqEntry,
                                       question_form, slug)
from training.data.faq_formats import PARSERS, html_blocks, pod_inline
from training.data.passage import LabeledPassage
from training.data.sources import MAX_WORDS, SourceMissing, clip_words

__all__ = ["DEV_FAQS", "FAQS", "FAQ_FILES", "FAQ_PACKAGES", "FAQ_TITLES", "MAX_CODE_CHARS", "MAX_CODE_LINES",
           "MIN_ANSWER_WORDS", "TRAIN_FAQS", "FaqEntry", "FaqMissing", "FaqPair", "faq_files", "faq_passages",
           "faq_training_pairs", "html_blocks", "load_faq", "load_faqs", "pod_inline", "question_form", "slug"]

DEV_FAQS = ("perl", "sqlite")
TRAIN_FAQS = ("r", "git", "ffmpeg", "curl")
FAQS = DEV_FAQS + TRAIN_FAQS

FAQ_PACKAGES = {"perl": "perl-doc", "sqlite": "sqlite3-doc", "r": "r-doc-html", "git": "git-doc",
                "ffmpeg": "ffmpeg-doc", "curl": "libcurl4-doc"}
# Where each package puts its FAQ, most likely first (globs: Perl's version, Debian's doc-dir moves).
FAQ_FILES: dict[str, tuple[str, ...]] = {
    "perl": ("/usr/share/perl/*/pod/perlfaq[1-9].pod", "/usr/share/perl5/pod/perlfaq[1-9].pod"),
    "sqlite": ("/usr/share/doc/sqlite3/faq.html", "/usr/share/doc/sqlite3-doc/faq.html"),
    "r": ("/usr/share/doc/r-doc-html/manual/R-FAQ.html", "/usr/share/R/doc/manual/R-FAQ.html"),
    "git": ("/usr/share/doc/git-doc/gitfaq.txt", "/usr/share/doc/git/gitfaq.txt"),
    "ffmpeg": ("/usr/share/doc/ffmpeg/manual/faq.html", "/usr/share/doc/ffmpeg-doc/faq.html"),
    "curl": ("/usr/share/doc/libcurl4*/FAQ.gz", "/usr/share/doc/libcurl4*/FAQ", "/usr/share/doc/curl/FAQ.gz"),
}


class FaqMissing(SourceMissing):
    """An FAQ's file is not installed; the message names the apt package to install."""


# --- Locating the files -------------------------------------------------------------------------------

def _version_key(path: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.findall(r"\d+|[a-z]+", path))


def faq_files(faq: str) -> list[Path]:
    """The installed file(s) of one FAQ; raises FaqMissing naming the package when there are none."""
    if faq not in FAQ_FILES:
        raise ValueError(f"unknown FAQ {faq!r}; choose from {', '.join(FAQS)}")
    for pattern in FAQ_FILES[faq]:
        found = sorted(glob.glob(pattern), key=_version_key)
        if not found:
            continue
        if faq == "perl":
            # /usr/share/perl/5.36 is a link to 5.36.0: keep the newest real directory's nine files
            newest = Path(found[-1]).resolve().parent
            return sorted((p for p in newest.glob("perlfaq[1-9].pod")), key=lambda p: p.name)
        return [Path(found[-1])]
    raise FaqMissing(f"the {FAQ_TITLES[faq]} is not installed (looked for {', '.join(FAQ_FILES[faq])}): "
                     f"apt-get install {FAQ_PACKAGES[faq]}")


def load_faq(faq: str) -> list[FaqEntry]:
    """Every question entry of one FAQ, in document order."""
    files = faq_files(faq)
    return PARSERS[faq](faq, files)


def load_faqs(faqs: tuple[str, ...] | list[str] = FAQS) -> Iterator[FaqEntry]:
    """Entries of several FAQs; all missing packages are named in one error, before any is read."""
    missing = []
    for faq in faqs:
        try:
            faq_files(faq)
        except FaqMissing:
            missing.append(faq)
    if missing:
        packages = " ".join(FAQ_PACKAGES[f] for f in missing)
        raise FaqMissing(f"FAQ(s) not installed: {', '.join(FAQ_TITLES[f] for f in missing)}: apt-get install {packages}")
    for faq in faqs:
        yield from load_faq(faq)


# --- Training pairs from the training FAQs ------------------------------------------------------------

class FaqPair(NamedTuple):
    question: str  # the FAQ's heading, or a rewrite of it (origin)
    passage_id: str  # the answer's id: the same id the FAQ dev knowledge base uses
    answer_text: str  # the answer, cut to the training passages' length (sources.MAX_WORDS)
    faq: str
    origin: str  # "heading" (as its authors wrote it) or "paraphrase" (faq_questions.paraphrases)


def _refuse_dev(faqs: tuple[str, ...] | list[str]) -> None:
    leaking = [f for f in faqs if f in DEV_FAQS]
    if leaking:
        raise ValueError(f"{', '.join(leaking)}: the FAQ dev set's documents (DEV_FAQS) are never trained on; "
                         f"train on {', '.join(TRAIN_FAQS)}")
    unknown = [f for f in faqs if f not in FAQS]
    if unknown:
        raise ValueError(f"unknown FAQ(s) {unknown}; choose from {', '.join(TRAIN_FAQS)}")


def faq_training_pairs(paraphrases: int = 3, seed: int = 0, faqs: tuple[str, ...] | list[str] = TRAIN_FAQS,
                       max_words: int = MAX_WORDS) -> list[FaqPair]:
    """(question, passage id, answer text, faq, origin) for every question of the training FAQs.

    Each entry gives its heading plus up to ``paraphrases`` rewrites (rules, not the answer's words:
    training/data/faq_questions.py), all pointing at the same answer. Asking for a dev FAQ (Perl,
    SQLite) is an error. Deterministic for a given seed and installed FAQ.
    """
    from training.data.faq_questions import paraphrases as rewrite, quotes_answer

    _refuse_dev(faqs)
    pairs: list[FaqPair] = []
    for entry in load_faqs(faqs):
        text = clip_words(" ".join(entry.answer.split()), max_words)
        pairs.append(FaqPair(entry.question, entry.id, text, entry.faq, "heading"))
        rng = random.Random(f"{seed}:{entry.id}")
        for variant in rewrite(entry.question, entry.form, paraphrases, rng):
            if not quotes_answer(variant, entry.question, entry.answer):
                pairs.append(FaqPair(variant, entry.id, text, entry.faq, "paraphrase"))
    # A rewrite that comes out the same for two entries ("How can R be installed?" from its Windows and
    # Mac sub-questions, were their qualifiers dropped) would teach one question two answers: drop it.
    owners: dict[str, set[str]] = {}
    for pair in pairs:
        owners.setdefault(pair.question.lower().rstrip("?. "), set()).add(pair.passage_id)
    return [p for p in pairs if p.origin == "heading" or len(owners[p.question.lower().rstrip("?. ")]) == 1]


def faq_passages(faqs: tuple[str, ...] | list[str] = TRAIN_FAQS, max_words: int = MAX_WORDS) -> list[LabeledPassage]:
    """The training FAQs' answers as data-build passages: class label = the FAQ, summary = its heading."""
    _refuse_dev(faqs)
    return [LabeledPassage(e.id, clip_words(" ".join(e.answer.split()), max_words), e.to_kb()["title"], "faq", e.faq,
                    e.question, {"form": e.form}) for e in load_faqs(faqs)]
