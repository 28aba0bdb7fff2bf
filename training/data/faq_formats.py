"""The six FAQs' formats -> outline -> entries: Perl's POD, HTML (SQLite's, and texinfo's output for R
and FFmpeg), git's AsciiDoc and curl's plain text. ``PARSERS`` maps each FAQ to its parser."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

from training.data.faq_entries import Block, FaqEntry, clean_text, outline_entries, short_code

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


def _pod_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    verbatim: list[str] = []
    skip_until: str | None = None

    def flush_code() -> None:
        if verbatim:
            # Verbatim text is literal POD, but a line that is only a link (L<https://...>) means the link
            block = short_code(re.sub(r"(?m)^\s*L<([^<>\s]+)>\s*$", r"\1", "\n".join(verbatim)))
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
                blocks.append(Block("head", clean_text(pod_inline(rest)), level=int(command[4:])))
            elif command == "item":
                item = re.sub(r"^(\*|\d+\.?)\s*", "", rest)
                if item:
                    blocks.append(Block("para", clean_text(pod_inline(item))))
            elif command == "begin":
                skip_until = rest.split(" ")[0]
            # =over =back =pod =cut =for =encoding: no text of their own
            continue
        blocks.append(Block("para", clean_text(pod_inline(para))))
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
        entries += outline_entries(faq, blocks, f"faq-perl-{part}", part_title)
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


def html_blocks(root) -> list[Block]:
    """Headings, paragraphs and code samples of an HTML element, in document order."""
    from bs4 import Comment, NavigableString

    blocks: list[Block] = []
    buffer: list[str] = []

    def flush() -> None:
        text = clean_text("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(Block("para", text))

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
            block = short_code(node.get_text())
            if block:
                blocks.append(block)
        elif re.fullmatch(r"h[1-6]", name):
            flush()
            parts = [str(s) for s in node.descendants if isinstance(s, NavigableString)
                     and not any(_skipped(p) for p in s.parents if p is not node and p.name)]
            text = clean_text("".join(parts))
            if text:
                blocks.append(Block("head", text, level=int(name[1])))
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
    return outline_entries(faq, html_blocks(soup.body or soup), f"faq-{faq}", number=_SECTION_NUMBER)


def _sqlite(faq: str, files: list[Path]) -> list[FaqEntry]:
    # Its questions are not HTML headings: <a name="qN"></a><p><b>(N) question</b></p><blockquote>answer</blockquote>
    soup = _soup(files[0])
    blocks: list[Block] = []
    for anchor in soup.find_all("a", attrs={"name": re.compile(r"^q\d+$")}):
        heading = anchor.find_next("p")
        answer = heading.find_next_sibling("blockquote") if heading else None
        if heading is None or answer is None:
            continue
        blocks.append(Block("head", clean_text(heading.get_text(" ")), level=1))
        blocks += html_blocks(answer)
    return outline_entries(faq, blocks, f"faq-{faq}", number=_SECTION_NUMBER)


# --- git: AsciiDoc -------------------------------------------------------------------------------------

def _asciidoc_inline(text: str) -> str:
    text = re.sub(r"linkgit:([\w.-]+)\[\d\]", r"\1", text)
    text = re.sub(r"link:\S+?\[([^\]]*)\]", r"\1", text)
    text = re.sub(r"<<[^,>]+,([^>]+)>>", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(?<!\w)[_*]([^_*]+)[_*](?!\w)", r"\1", text)
    return clean_text(text)


def _git(faq: str, files: list[Path]) -> list[FaqEntry]:
    lines = files[0].read_text(encoding="utf-8", errors="replace").splitlines()
    blocks: list[Block] = []
    paragraph: list[str] = []
    code: list[str] | None = None
    anchor: str | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Block("para", _asciidoc_inline(" ".join(paragraph))))
            paragraph.clear()

    underline = -1
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if number == underline:
            continue  # a section title's underline, not a code fence
        if code is not None:  # inside ---- ... ----
            if re.fullmatch(r"-{4,}", line):
                block = short_code("\n".join(code))
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
            blocks.append(Block("head", clean_text(line), level=1))
            underline = number + 1
        elif re.fullmatch(r"\[\[([\w-]+)\]\]", line):
            flush()
            anchor = line[2:-2]
        elif line.endswith("::") and not line.startswith((" ", "\t")):
            flush()
            blocks.append(Block("head", _asciidoc_inline(line[:-2]), level=2, anchor=f"faq-git-{anchor}" if anchor else None))
            anchor = None
        elif not line.strip() or line.strip() == "+":
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return outline_entries(faq, blocks, f"faq-{faq}")


# --- curl: plain text ----------------------------------------------------------------------------------

def _curl(faq: str, files: list[Path]) -> list[FaqEntry]:
    raw = files[0].read_bytes()
    text = (gzip.decompress(raw) if files[0].suffix == ".gz" else raw).decode("utf-8", "replace")
    body = text.split("\n=====", 1)[-1].split("\n", 1)[-1]  # after the table of contents
    lines = body.splitlines()
    blocks: list[Block] = []
    paragraph: list[str] = []
    chapter = 0

    def flush() -> None:
        if not paragraph:
            return
        indents = [len(l) - len(l.lstrip()) for l in paragraph]
        # The prose is indented two spaces; a paragraph indented five or more is a code or output sample.
        if min(indents) >= 5:
            block = short_code("\n".join(paragraph))
            if block:
                blocks.append(block)
        else:
            blocks.append(Block("para", clean_text(" ".join(paragraph))))
        paragraph.clear()

    for number, line in enumerate(lines):
        previous_blank = number == 0 or not lines[number - 1].strip()
        top = re.fullmatch(r"(\d+)\. (\S.*)", line)
        sub = re.fullmatch(r" {2,4}((\d+)\.\d+(?:\.\d+)*) (\S.*)", line)
        if top and previous_blank:
            flush()
            chapter = int(top.group(1))
            blocks.append(Block("head", clean_text(top.group(2)), level=1))
        # A numbered heading of the chapter we are in, after a blank line (the prose mentions
        # "FAQ entry 4.12" at the start of a line too, but inside chapter 3 and mid-paragraph).
        elif sub and previous_blank and int(sub.group(2)) == chapter:
            flush()
            blocks.append(Block("head", clean_text(sub.group(3)), level=1 + sub.group(1).count(".")))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return outline_entries(faq, blocks, f"faq-{faq}")


PARSERS = {"perl": _perl, "sqlite": _sqlite, "r": _texinfo_html, "git": _git, "ffmpeg": _texinfo_html, "curl": _curl}
