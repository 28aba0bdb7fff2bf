"""Text sources installed through apt, each turned into passages with class labels.

- ``debian``: package synopses and long descriptions (``Translation-en`` lists) with their Section;
- ``wordnet``: synset glosses and examples (``wordnet-base``) with the lexicographer file as class;
- ``gcide``: the Collaborative International Dictionary of English (``dict-gcide``), part of speech as class;
- ``man``: manual pages, NAME and the start of DESCRIPTION, section 1 or 8 as class.

The Python documentation and Debian's FAQ and reference manuals are reserved for independent
evaluation, so anything from the packages that ship them is skipped here; so are the manuals of
Perl and SQLite, whose FAQs are the human-written dev set (``training/data/faqs.py``).
"""

from __future__ import annotations

import glob
import gzip
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from training.data.passage import LabeledPassage

RESERVED = re.compile(r"^(python3?(\.\d+)?-doc|debian-faq.*|debian-reference.*)$")
DEV_MANUALS = re.compile(r"^(perl|sqlite)", re.I)  # the FAQ dev set's own documentation
APT_LISTS = Path("/var/lib/apt/lists")
WORDNET_DIR = Path("/usr/share/wordnet")
GCIDE_DIR = Path("/usr/share/dictd")
MAN_DIR = Path("/usr/share/man")
MAX_WORDS = 90  # passages stay well inside MiniLM's 256-token window

# What the user must install for each source (shown when one is missing).
APT_PACKAGES = {
    "debian": "run `seal data fetch-debian` (apt-get update with the English long descriptions, into SEAL_DATA_DIR/apt-lists)",
    "wordnet": "apt-get install wordnet-base",
    "gcide": "apt-get install dict-gcide",
    "man": "apt-get install man-db manpages (and the packages whose manuals you want)",
}

WORDNET_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()
POS_NAMES = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}


class SourceMissing(RuntimeError):
    """A source's files are not on this machine; the message says what to install."""


def clip_words(text: str, limit: int = MAX_WORDS) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" ..." if len(words) > limit else "")


SOURCES = ("debian", "wordnet", "gcide", "man")


def load_source(name: str, limit: int | None = None, apt_lists: Path | None = None) -> Iterator[LabeledPassage]:
    """Passages of a named source, or of ``jsonl:PATH`` (knowledge-base records, optional ``label``/``summary``).

    ``apt_lists``: the caller's own copy of apt's lists for ``debian`` (``fetch_debian_lists``), tried
    before the system's; None: the system's /var/lib/apt/lists only."""
    loaders = {"debian": lambda: debian_passages(apt_lists), "wordnet": wordnet_passages, "gcide": gcide_passages,
               "man": man_passages}
    if name.startswith("jsonl:"):
        passages = jsonl_passages(Path(name[6:]))
    elif name in loaders:
        passages = loaders[name]()
    else:
        raise ValueError(f"unknown source {name!r}; choose from {', '.join(loaders)} or jsonl:PATH")
    for count, passage in enumerate(passages):
        if limit is not None and count >= limit:
            return
        yield passage


def jsonl_passages(path: Path) -> Iterator[LabeledPassage]:
    """Your own passages: ``{"id", "text", "title"?, "source"?, "label"?, "summary"?}`` per line."""
    import json

    if not path.is_file():
        raise SourceMissing(f"{path}: no such file")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if "id" not in record or not record.get("text"):
            raise ValueError(f"{path} line {number}: needs \"id\" and \"text\"")
        text = str(record["text"])
        summary = str(record.get("summary") or re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0])
        yield LabeledPassage(str(record["id"]), clip_words(text), str(record.get("title") or record["id"]),
                      str(record.get("source") or "jsonl"), str(record.get("label") or "jsonl"), summary)


# --- Debian package descriptions -------------------------------------------------------------------

def _apt_cat(path: Path) -> str:
    """apt's lists are compressed (lz4 here); apt-helper reads any of its formats."""
    result = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", str(path)], capture_output=True, check=True)
    return result.stdout.decode("utf-8", "replace")


def _stanzas(text: str) -> Iterator[dict[str, str]]:
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith(" ") and key:
                fields[key] += "\n" + line[1:]
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            yield fields


def _long_description(body: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\.\s*(?:\n|$)", body)]
    return " ".join(p for p in paragraphs if p)


def fetch_debian_lists(apt_lists: Path) -> Path:
    """apt-get update into ``apt_lists``, with the English long descriptions.

    A folder of our own (the caller's, e.g. the data folder's ``apt-lists``): a plain `apt-get update`
    elsewhere on the machine (without Acquire::Languages=en) deletes the Translation-en files from
    /var/lib/apt/lists."""
    (apt_lists / "partial").mkdir(parents=True, exist_ok=True)
    cmd = ["apt-get", "update", "-q", "-o", "Acquire::Languages=en", "-o", f"Dir::State::Lists={apt_lists}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceMissing(f"`{' '.join(cmd)}` failed (run it as root or with sudo): {result.stderr.strip()[-300:]}")
    return apt_lists


def apt_lists_dir(apt_lists: Path | None = None) -> Path:
    """The first of ``apt_lists`` (our own copy, when given) and the system's lists that has the
    English long descriptions."""
    candidates = ([apt_lists] if apt_lists is not None else []) + [APT_LISTS]
    for candidate in candidates:
        if glob.glob(str(candidate / "*_i18n_Translation-en*")):
            return candidate
    raise SourceMissing(f"no Translation-en lists in {' or '.join(map(str, candidates))}: {APT_PACKAGES['debian']}")


def debian_passages(apt_lists: Path | None = None) -> Iterator[LabeledPassage]:
    lists = apt_lists_dir(apt_lists)
    translations = sorted(glob.glob(str(lists / "*_i18n_Translation-en*")))
    sections: dict[str, tuple[str, str]] = {}
    for path in sorted(glob.glob(str(lists / "*_binary-*_Packages*"))):
        for st in _stanzas(_apt_cat(Path(path))):
            if "Package" in st:
                sections[st["Package"]] = (st.get("Section", "misc").split("/")[-1], " ".join(st.get("Tag", "").split()))
    seen: set[str] = set()
    for path in translations:
        for st in _stanzas(_apt_cat(Path(path))):
            name, desc = st.get("Package"), st.get("Description-en")
            if not name or not desc or RESERVED.match(name) or name in seen:
                continue
            synopsis, _, body = desc.partition("\n")
            long_text = _long_description(body)
            key = long_text[:200]  # -dev/-doc/-data siblings share a long description: keep the first
            if not long_text or key in seen:
                continue
            seen.update({name, key})
            section, tags = sections.get(name, ("misc", ""))
            text = clip_words(f"{name}: {synopsis.strip()}. {long_text}")
            yield LabeledPassage(f"deb:{name}", text, name, "debian", section, synopsis.strip(), {"tags": tags})


# --- WordNet ---------------------------------------------------------------------------------------

def wordnet_passages() -> Iterator[LabeledPassage]:
    files = [WORDNET_DIR / f"data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
    if not all(f.is_file() for f in files):
        raise SourceMissing(f"WordNet data files missing in {WORDNET_DIR}: {APT_PACKAGES['wordnet']}")
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  "):
                    continue  # licence header
                passage = _wordnet_line(line)
                if passage:
                    yield passage


def _wordnet_line(line: str) -> LabeledPassage | None:
    head, _, gloss = line.partition(" | ")
    parts = head.split()
    offset, lexfile, pos, count = parts[0], int(parts[1]), parts[2], int(parts[3], 16)
    words = [parts[4 + 2 * i].replace("_", " ") for i in range(count)]
    words = [re.sub(r"\(\w+\)$", "", w) for w in words]
    definition, *examples = [g.strip() for g in gloss.strip().split(";")]
    examples = [e.strip('" ') for e in examples if e.startswith('"')]
    definition = definition.strip()
    if not definition:
        return None
    label = WORDNET_LEXNAMES[lexfile] if lexfile < len(WORDNET_LEXNAMES) else "wordnet"
    text = f"{', '.join(words)} ({POS_NAMES[pos]}): {definition}."
    if examples:
        text += " For example: " + "; ".join(examples[:2]) + "."
    return LabeledPassage(f"wn:{offset}{pos}", clip_words(text), words[0], "wordnet", label, definition,
                   {"pos": POS_NAMES[pos], "synonyms": words[1:4]})


# --- GCIDE -----------------------------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_GCIDE_POS = {"n.": "noun", "v. t.": "verb", "v. i.": "verb", "v.": "verb", "a.": "adjective", "adj.": "adjective",
              "adv.": "adverb"}


def _b64(value: str) -> int:
    number = 0
    for char in value:
        number = number * 64 + _B64.index(char)
    return number


def _gcide_clean(text: str) -> str:
    text = re.sub(r"\[1913 Webster\]|\[WordNet[^\]]*\]|\[PJC\]|\[Obs\.\]|\[R\.\]", " ", text)
    text = re.sub(r"\{([^}]*)\}", r"\1", text)
    text = re.sub(r"--\s*[A-Z][\w. ]*\.?", " ", text)  # quoted authors: --Bacon.
    text = re.sub(r"\[[^\]]*\]", " ", text)
    return " ".join(text.split())


def gcide_passages() -> Iterator[LabeledPassage]:
    index, data = GCIDE_DIR / "gcide.index", GCIDE_DIR / "gcide.dict.dz"
    if not index.is_file() or not data.is_file():
        raise SourceMissing(f"GCIDE missing in {GCIDE_DIR}: {APT_PACKAGES['gcide']}")
    blob = gzip.open(data).read()  # dictzip is gzip-compatible
    seen: set[str] = set()
    for line in index.read_text(encoding="utf-8", errors="replace").splitlines():
        word, offset, size = line.split("\t")[:3]
        if word.startswith("00") or not word.isalpha() or word.lower() in seen:
            continue
        entry = blob[_b64(offset) : _b64(offset) + _b64(size)].decode("utf-8", "replace")
        passage = _gcide_entry(word, entry)
        if passage:
            seen.add(word.lower())
            yield passage


def _gcide_entry(word: str, entry: str) -> LabeledPassage | None:
    first_line, _, rest = entry.partition("\n")
    pos = next((name for mark, name in _GCIDE_POS.items() if re.search(rf"[\s,]{re.escape(mark)}", first_line)), None)
    # Etymologies are bracketed and may span lines; drop them before cutting the entry into senses.
    rest = re.sub(r"\[[^\]]*\]", " ", first_line.split("[", 1)[1] + "\n" + rest if "[" in first_line else rest)
    rest = rest.split("]", 1)[1] if "[" in first_line and "]" in rest else rest
    senses = re.split(r"\n\s*\d+\.\s", "\n" + rest)
    senses = [_gcide_clean(s) for s in senses if _gcide_clean(s)]
    senses = [s for s in senses if not s.startswith(("Syn:", "Note:", "Etym:")) and len(s.split()) >= 3
              and not re.search(r"[?*\\\"{}|<>=]", s)]  # markup left over: not something to speak
    if not pos or not senses:
        return None
    definition = re.sub(r"^\([^)]*\)\s*", "", senses[0]).split(". ")[0].rstrip(".")
    text = clip_words(f"{word.lower()} ({pos}): " + " ".join(s.rstrip(".") + "." for s in senses[:3]))
    return LabeledPassage(f"gcide:{word.lower()}", text, word.lower(), "gcide", pos, definition, {"pos": pos})


# --- Manual pages ----------------------------------------------------------------------------------

_ROFF_ESCAPES = [(r"\\f(\(..|\[[^\]]*\]|.)", ""), (r"\\\((em|en)", " - "), (r"\\-", "-"), (r"\\&", ""),
                 (r"\\e", "\\\\"), (r"\\\(..", ""), (r"\\[*n]\(?..", ""), (r'\\"', ""), (r"\\.", "")]


def _roff_text(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.startswith((".\\\"", "'\\\"")):
            continue
        if line.startswith("."):
            macro, _, args = line[1:].partition(" ")
            if macro not in {"B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM", "Nm", "Nd", "Ar", "Fl"}:
                continue
            line = args.replace('"', "")
        for pattern, repl in _ROFF_ESCAPES:
            line = re.sub(pattern, repl, line)
        out.append(line)
    return " ".join(" ".join(out).split())


def _man_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = re.match(r"^\.(SH|Sh)\s+\"?([^\"]+)\"?", line)
        if match:
            current = match.group(2).strip().upper()
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def man_passages() -> Iterator[LabeledPassage]:
    pages = sorted(glob.glob(str(MAN_DIR / "man[18]" / "*.gz")))
    if not pages:
        raise SourceMissing(f"no manual pages in {MAN_DIR}: {APT_PACKAGES['man']}")
    seen: set[str] = set()
    for page in pages:
        try:
            text = gzip.open(page).read().decode("utf-8", "replace")
        except (OSError, EOFError):
            continue
        if text.startswith(".so "):
            continue  # an alias page pointing to another
        sections = _man_sections(text)
        name_line = _roff_text(sections.get("NAME", []))
        description = _roff_text(sections.get("DESCRIPTION", []))
        name, sep, what = name_line.partition(" - ")
        name = name.split(",")[0].strip()
        if not sep or not what or not description or " " in name or name in seen or DEV_MANUALS.match(name):
            continue
        seen.add(name)
        section = Path(page).parent.name[-1]
        label = "user command" if section == "1" else "administration command"
        passage_text = clip_words(f"{name}: {what.strip()}. {description}")
        yield LabeledPassage(f"man:{name}.{section}", passage_text, name, "man", label, what.strip().rstrip("."))
