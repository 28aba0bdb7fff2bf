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

Each parser turns its format into one outline (headings and paragraphs); ``_entries`` then makes an
entry of every heading a person would ask (``question_form``), its answer being the text under it up
to the next heading of its level or above: headings under it that are not questions ("Lexical
scoping" under "What are the differences between R and S?") stay part of the answer, those that are
questions become entries of their own. Code samples of up to two short lines stay in the answer
(they carry the words a question is about: ``my $reversed = reverse $string;``); longer blocks are
dropped, since no one asks a question by reading a program aloud.

Split by document (``DEV_FAQS``, ``TRAIN_FAQS``): Perl's and SQLite's FAQs are the human-written dev
set (``training/data/faq_devset.py``, pinned in ``training/devsets/faq-dev.jsonl``), the others may be
trained on (``faq_training_pairs``). Splitting by question instead would leak: one FAQ's answers share
their authors' wording, and its questions their phrasing.
"""

from __future__ import annotations

import glob
import gzip
import html
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from training.data.passage import LabeledPassage
from training.data.sources import MAX_WORDS, SourceMissing, clip_words

DEV_FAQS = ("perl", "sqlite")
TRAIN_FAQS = ("r", "git", "ffmpeg", "curl")
FAQS = DEV_FAQS + TRAIN_FAQS

FAQ_PACKAGES = {"perl": "perl-doc", "sqlite": "sqlite3-doc", "r": "r-doc-html", "git": "git-doc",
                "ffmpeg": "ffmpeg-doc", "curl": "libcurl4-doc"}
FAQ_TITLES = {"perl": "Perl FAQ", "sqlite": "SQLite FAQ", "r": "R FAQ", "git": "Git FAQ", "ffmpeg": "FFmpeg FAQ",
              "curl": "curl FAQ"}
# Where each package puts its FAQ, most likely first (globs: Perl's version, Debian's doc-dir moves).
FAQ_FILES: dict[str, tuple[str, ...]] = {
    "perl": ("/usr/share/perl/*/pod/perlfaq[1-9].pod", "/usr/share/perl5/pod/perlfaq[1-9].pod"),
    "sqlite": ("/usr/share/doc/sqlite3/faq.html", "/usr/share/doc/sqlite3-doc/faq.html"),
    "r": ("/usr/share/doc/r-doc-html/manual/R-FAQ.html", "/usr/share/R/doc/manual/R-FAQ.html"),
    "git": ("/usr/share/doc/git-doc/gitfaq.txt", "/usr/share/doc/git/gitfaq.txt"),
    "ffmpeg": ("/usr/share/doc/ffmpeg/manual/faq.html", "/usr/share/doc/ffmpeg-doc/faq.html"),
    "curl": ("/usr/share/doc/libcurl4*/FAQ.gz", "/usr/share/doc/libcurl4*/FAQ", "/usr/share/doc/curl/FAQ.gz"),
}

MAX_CODE_LINES = 2  # longer code samples leave the answer text
MAX_CODE_CHARS = 120
MIN_ANSWER_WORDS = 3  # a heading whose text is all in its sub-questions has no answer of its own


class FaqMissing(SourceMissing):
    """An FAQ's file is not installed; the message names the apt package to install."""


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
class _Block:
    kind: str  # "head" | "para" | "code"
    text: str
    level: int = 0  # headings only: 1 is the outermost
    anchor: str | None = None


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - ",
                         "\u00a0": " ", "\u2026": "...", "\u00ad": ""})


def _clean(text: str) -> str:
    """One line of prose: ASCII quotes (what TTS and the tokenizer expect), single spaces."""
    return " ".join(text.translate(_QUOTES).split())


def _code(text: str) -> _Block | None:
    """A code sample: kept (as its own paragraph) only when short; see MAX_CODE_LINES."""
    lines = [line.strip() for line in text.translate(_QUOTES).splitlines() if line.strip()]
    if not lines or len(lines) > MAX_CODE_LINES or sum(map(len, lines)) > MAX_CODE_CHARS:
        return None
    return _Block("code", " ".join(lines))


def slug(text: str, limit: int = 64) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "")).split()
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out or "entry"


def _entries(faq: str, blocks: list[_Block], id_prefix: str, default_section: str = "",
             number: re.Pattern | None = None) -> list[FaqEntry]:
    """One entry per question heading; see the module's docstring for what its answer holds."""
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
    parsers = {"perl": _perl, "sqlite": _sqlite, "r": _texinfo_html, "git": _git, "ffmpeg": _texinfo_html,
               "curl": _curl}
    return parsers[faq](faq, files)


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


# --- Perl: POD -----------------------------------------------------------------------------------------

_POD_ENTITIES = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/", "quot": '"', "amp": "&", "apos": "'"}


def pod_inline(text: str) -> str:
    """Plain text of POD with formatting codes (B<> I<> C<> F<> S<> L<> E<> X<> Z<>, also C<< ... >>)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        match = re.compile(r"([BICFSLEXZ])(<+)").match(text, i)
        if not match:
            out.append(text[i])
            i += 1
            continue
        code, brackets = match.group(1), len(match.group(2))
        start = match.end()
        if brackets == 1:  # single brackets nest: C<$a E<lt> $b>
            depth, j = 1, start
            while j < len(text) and depth:
                if re.match(r"[A-Z]<(?!<)", text[j:j + 2]):
                    depth += 1
                    j += 2
                    continue
                if text[j] == ">":
                    depth -= 1
                j += 1
            inner, i = text[start:j - 1] if depth == 0 else text[start:], j
        else:  # C<< ... >>: ends at whitespace + the same number of closing brackets
            close = re.compile(r"\s" + ">" * brackets).search(text, start)
            stop = close.start() if close else len(text)
            inner, i = text[start:stop].strip(), (close.end() if close else len(text))
        out.append(_pod_code(code, inner))
    return "".join(out)


def _pod_code(code: str, inner: str) -> str:
    if code == "E":
        if inner in _POD_ENTITIES:
            return _POD_ENTITIES[inner]
        if re.fullmatch(r"0x[0-9a-fA-F]+|\d+", inner):
            return chr(int(inner, 0))
        return html.unescape(f"&{inner};")
    if code in {"X", "Z"}:
        return ""
    if code == "L":
        text, bar, target = inner.partition("|")
        if bar:
            return pod_inline(text)
        if re.match(r"\w+:[^:\s]\S*$", inner):  # a URL
            return inner
        name, slash, section = inner.partition("/")
        if slash:
            section = pod_inline(section).strip('"')
            return f'"{section}" in {pod_inline(name)}' if name else f'"{section}"'
        return pod_inline(inner)
    return pod_inline(inner)


def _pod_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    verbatim: list[str] = []
    skip_until: str | None = None

    def flush_code() -> None:
        if verbatim:
            # Verbatim text is literal POD, but a line that is only a link (L<https://...>) means the link
            block = _code(re.sub(r"(?m)^\s*L<([^<>\s]+)>\s*$", r"\1", "\n".join(verbatim)))
            if block:
                blocks.append(block)
            verbatim.clear()

    for para in re.split(r"\n(?:[ \t]*\n)+", text):
        if not para.strip():
            continue
        if skip_until:
            if re.match(rf"^=end\s+{re.escape(skip_until)}", para):
                skip_until = None
            continue
        if para[0] in " \t":
            verbatim.append(para)
            continue
        flush_code()
        if para.startswith("="):
            command, _, rest = para[1:].partition(" ")
            command = command.split("\n")[0]
            rest = " ".join(rest.split())
            if command.startswith("head") and command[4:].isdigit():
                blocks.append(_Block("head", _clean(pod_inline(rest)), level=int(command[4:])))
            elif command == "item":
                item = re.sub(r"^(\*|\d+\.?)\s*", "", rest)
                if item:
                    blocks.append(_Block("para", _clean(pod_inline(item))))
            elif command == "begin":
                skip_until = rest.split(" ")[0]
            # =over =back =pod =cut =for =encoding: no text of their own
            continue
        blocks.append(_Block("para", _clean(pod_inline(para))))
    flush_code()
    # "(contributed by brian d foy)": a byline, not an answer
    return [b for b in blocks if not (b.kind == "para" and re.fullmatch(r"\(contributed by [^)]*\)\.?", b.text))]


def _perl(faq: str, files: list[Path]) -> list[FaqEntry]:
    entries = []
    for path in files:
        part = re.search(r"perlfaq(\d)", path.name).group(1)
        blocks = _pod_blocks(path.read_text(encoding="utf-8", errors="replace"))
        # perlfaqN's questions sit under "=head1 DESCRIPTION" (1-3, 8-9) or under topic head1s ("Data: Strings");
        # the NAME line ("perlfaq1 - General Questions About Perl") names the part.
        name = next((blocks[i + 1].text for i, b in enumerate(blocks[:-1]) if b.kind == "head" and b.text == "NAME"), "")
        part_title = name.split(" - ", 1)[-1] if name else f"perlfaq{part}"
        for block in blocks:
            if block.kind == "head" and block.level == 1 and block.text == "DESCRIPTION":
                block.text = part_title
        entries += _entries(faq, blocks, f"faq-perl-{part}", part_title)
    return entries


# --- HTML (SQLite, and texinfo's output for R and FFmpeg) ---------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "tr", "td", "th", "br", "hr",
               "section", "body", "center", "tbody", "thead", "caption", "form", "header", "footer", "main"}
_SKIP_TAGS = {"script", "style", "head", "nav", "title", "noscript"}


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")


def _skipped(tag) -> bool:
    classes = set(tag.get("class") or [])
    # texinfo's per-node navigation bar, FFmpeg's "# TOC" links in headings, the table of contents
    return tag.name in _SKIP_TAGS or bool(classes & {"header", "pull-right", "anchor", "copiable-anchor", "contents",
                                                     "shortcontents", "nav-panel"})


def html_blocks(root) -> list[_Block]:
    """Headings, paragraphs and code samples of an HTML element, in document order."""
    from bs4 import Comment, NavigableString

    blocks: list[_Block] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(_Block("para", text))

    def walk(node) -> None:
        if isinstance(node, Comment):
            return
        if isinstance(node, NavigableString):
            buffer.append(str(node))
            return
        if _skipped(node):
            return
        name = node.name
        if name == "pre":
            flush()
            block = _code(node.get_text())
            if block:
                blocks.append(block)
        elif re.fullmatch(r"h[1-6]", name):
            flush()
            parts = [str(s) for s in node.descendants if isinstance(s, NavigableString)
                     and not any(_skipped(p) for p in s.parents if p is not node and p.name)]
            text = _clean("".join(parts))
            if text:
                blocks.append(_Block("head", text, level=int(name[1])))
        elif name in _BLOCK_TAGS:
            flush()
            for child in node.children:
                walk(child)
            flush()
        else:
            for child in node.children:
                walk(child)

    walk(root)
    flush()
    return blocks


_SECTION_NUMBER = re.compile(r"^\(?\d+(?:\.\d+)*\)?\.?\s+")


def _texinfo_html(faq: str, files: list[Path]) -> list[FaqEntry]:
    soup = _soup(files[0])
    return _entries(faq, html_blocks(soup.body or soup), f"faq-{faq}", number=_SECTION_NUMBER)


def _sqlite(faq: str, files: list[Path]) -> list[FaqEntry]:
    # Its questions are not HTML headings: <a name="qN"></a><p><b>(N) question</b></p><blockquote>answer</blockquote>
    soup = _soup(files[0])
    blocks: list[_Block] = []
    for anchor in soup.find_all("a", attrs={"name": re.compile(r"^q\d+$")}):
        heading = anchor.find_next("p")
        answer = heading.find_next_sibling("blockquote") if heading else None
        if heading is None or answer is None:
            continue
        blocks.append(_Block("head", _clean(heading.get_text(" ")), level=1))
        blocks += html_blocks(answer)
    return _entries(faq, blocks, f"faq-{faq}", number=_SECTION_NUMBER)


# --- git: AsciiDoc -------------------------------------------------------------------------------------

def _asciidoc_inline(text: str) -> str:
    text = re.sub(r"linkgit:([\w.-]+)\[\d\]", r"\1", text)
    text = re.sub(r"link:\S+?\[([^\]]*)\]", r"\1", text)
    text = re.sub(r"<<[^,>]+,([^>]+)>>", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(?<!\w)[_*]([^_*]+)[_*](?!\w)", r"\1", text)
    return _clean(text)


def _git(faq: str, files: list[Path]) -> list[FaqEntry]:
    lines = files[0].read_text(encoding="utf-8", errors="replace").splitlines()
    blocks: list[_Block] = []
    paragraph: list[str] = []
    code: list[str] | None = None
    anchor: str | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(_Block("para", _asciidoc_inline(" ".join(paragraph))))
            paragraph.clear()

    underline = -1
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if number == underline:
            continue  # a section title's underline, not a code fence
        if code is not None:  # inside ---- ... ----
            if re.fullmatch(r"-{4,}", line):
                block = _code("\n".join(code))
                if block:
                    blocks.append(block)
                code = None
            else:
                code.append(line)
        elif re.fullmatch(r"-{4,}", line):
            flush()
            code = []
        elif re.fullmatch(r"-{3,}|={3,}", following) and len(line.strip()) > 2 and abs(len(following) - len(line)) <= 2:
            flush()
            blocks.append(_Block("head", _clean(line), level=1))
            underline = number + 1
        elif re.fullmatch(r"\[\[([\w-]+)\]\]", line):
            flush()
            anchor = line[2:-2]
        elif line.endswith("::") and not line.startswith((" ", "\t")):
            flush()
            blocks.append(_Block("head", _asciidoc_inline(line[:-2]), level=2, anchor=f"faq-git-{anchor}" if anchor else None))
            anchor = None
        elif not line.strip() or line.strip() == "+":
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return _entries(faq, blocks, f"faq-{faq}")


# --- curl: plain text ----------------------------------------------------------------------------------

def _curl(faq: str, files: list[Path]) -> list[FaqEntry]:
    raw = files[0].read_bytes()
    text = (gzip.decompress(raw) if files[0].suffix == ".gz" else raw).decode("utf-8", "replace")
    body = text.split("\n=====", 1)[-1].split("\n", 1)[-1]  # after the table of contents
    lines = body.splitlines()
    blocks: list[_Block] = []
    paragraph: list[str] = []
    chapter = 0

    def flush() -> None:
        if not paragraph:
            return
        indents = [len(l) - len(l.lstrip()) for l in paragraph]
        # The prose is indented two spaces; a paragraph indented five or more is a code or output sample.
        if min(indents) >= 5:
            block = _code("\n".join(paragraph))
            if block:
                blocks.append(block)
        else:
            blocks.append(_Block("para", _clean(" ".join(paragraph))))
        paragraph.clear()

    for number, line in enumerate(lines):
        previous_blank = number == 0 or not lines[number - 1].strip()
        top = re.fullmatch(r"(\d+)\. (\S.*)", line)
        sub = re.fullmatch(r" {2,4}((\d+)\.\d+(?:\.\d+)*) (\S.*)", line)
        if top and previous_blank:
            flush()
            chapter = int(top.group(1))
            blocks.append(_Block("head", _clean(top.group(2)), level=1))
        # A numbered heading of the chapter we are in, after a blank line (the prose mentions
        # "FAQ entry 4.12" at the start of a line too, but inside chapter 3 and mid-paragraph).
        elif sub and previous_blank and int(sub.group(2)) == chapter:
            flush()
            blocks.append(_Block("head", _clean(sub.group(3)), level=1 + sub.group(1).count(".")))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return _entries(faq, blocks, f"faq-{faq}")


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
