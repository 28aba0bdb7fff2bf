"""The FAQ parsers, the pinned human-written dev set (`seal data faq-dev`) and the FAQ training pairs.

Most tests read small FAQ files written here in each package's format (POD, SQLite's HTML, texinfo
HTML, AsciiDoc, curl's text), so they run without the Debian doc packages; the last ones read the
installed packages (scripts/install-system-deps.sh installs them) and the committed pin.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import pytest

from training.data import faqs
from training.data.faq_devset import DEFAULT_PIN, build_faq_dev, faq_dev_questions, make_pin, read_pin, write_pin
from training.data.faq_questions import paraphrases, plain_words, quotes_answer
from training.data.faqs import (DEV_FAQS, FAQS, TRAIN_FAQS, FaqMissing, faq_passages, faq_training_pairs, load_faq,
                                question_form)

POD = """=head1 NAME

perlfaq4 - Data Manipulation

=head1 DESCRIPTION

Intro text that belongs to no question.

=head1 Data: Strings

=head2 How do I reverse a string?

(contributed by someone)

Use C<reverse()> in scalar context, as documented in
L<perlfunc/reverse>. The B<bold> and I<italic> words, E<lt>angleE<gt> and C<< $a <=> $b >>.

    my $reversed = reverse $string;

A longer example:

    sub long_example {
        my $x = 1;
        return $x;
    }

=over 4

=item * a listed point about L<the docs|perldoc>

=back

=head2 Perl Books

A section title with no question.

=head2 I copied the binary to another machine, but scripts don't work.

Rebuild it there.


=head2 Why is int() broken?

It is not broken; it truncates.

=head1 AUTHOR AND COPYRIGHT

Nobody asks this.
"""

SQLITE = """<html><body><ol>
<li><a href="#q1">How do I make a counter column?</a></li></ol>
<a name="q1"></a>
<p><b>(1) How do I make a counter column?</b></p>
<blockquote><p>Declare it as an <a href="x.html">INTEGER PRIMARY KEY</a> column.</p>
<blockquote><pre>
CREATE TABLE t1(
  a INTEGER PRIMARY KEY,
  b INTEGER,
  c TEXT
);
</pre></blockquote>
<p>It counts up by itself.</p></blockquote></li>
<a name="q2"></a>
<p><b>(2) Inserts are really slow</b></p>
<blockquote>Wrap them in one transaction.</blockquote></li>
</body></html>
"""

TEXINFO = """<html><body>
<div class="header"><p>Next: <a href="#x">Other</a></p></div>
<h2 class="chapter">2 Basics<span class="pull-right"><a class="anchor" href="#b">#</a> <a class="anchor" href="#toc">TOC</a></span></h2>
<h3 class="section">2.1 What are the differences between the two?<span class="pull-right"><a class="anchor" href="#d">#</a></span></h3>
<p>There are a few, listed below.</p>
<h4 class="subsection">2.1.1 Lexical scoping</h4>
<p>Scoping works differently here.</p>
<div class="example"><pre class="example">f &lt;- function(x) x
</pre></div>
<h4 class="subsection">2.1.2 How can the old behaviour be restored?</h4>
<p>Set the compatibility option.</p>
<h3 class="section">2.2 Citing the program</h3>
<p>Cite it like any software.</p>
<h3 class="section">2.3 How do I install it?</h3>
<p>Use your package manager &ndash; it&rsquo;s easiest.</p>
</body></html>
"""

GIT = """gitfaq(7)
=========

NAME
----
gitfaq - questions

Configuration
-------------

[[user-name]]
What should I put in `user.name`?::
\tYour personal name.  See linkgit:git-config[1].
+
----
git config user.name "A U Thor"
----
+
It is stored in every commit.

Common Issues
-------------

[[still-tracked]]
I asked Git to ignore files, yet they are still tracked::
\tUse `git rm --cached` on them first.
"""

CURL = """FAQ

 1. Philosophy
  1.1 What is it?

==============================================================================

1. Philosophy

  1.1 What is it?

  A tool to transfer data. Entries are numbered; see FAQ entry
  4.12 for certificates, which is not a heading here.

        curl https://example.com/one
        curl https://example.com/two
        curl https://example.com/three

  1.2 curl: (1) SSL is disabled

  An error message as a heading.

2. Running Problems

  2.1 FTPS does not work

  Check the port.
"""


def write_fixtures(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """One small FAQ per package format, and FAQ_FILES pointed at them."""
    pod_dir = root / "perl" / "5.99.0" / "pod"
    pod_dir.mkdir(parents=True)
    (pod_dir / "perlfaq4.pod").write_text(POD)
    (pod_dir / "perlfaq1.pod").write_text("=head1 NAME\n\nperlfaq1 - General\n\n=head1 DESCRIPTION\n\n"
                                          "=head2 What is Perl?\n\nA programming language.\n")
    paths = {"perl": pod_dir / "perlfaq4.pod", "sqlite": root / "faq.html", "r": root / "R-FAQ.html",
             "git": root / "gitfaq.txt", "ffmpeg": root / "ffmpeg-faq.html", "curl": root / "FAQ.gz"}
    paths["sqlite"].write_text(SQLITE)
    paths["r"].write_text(TEXINFO)
    paths["ffmpeg"].write_text(TEXINFO.replace("the two", "ffmpeg and avconv"))
    paths["git"].write_text(GIT)
    paths["curl"].write_bytes(gzip.compress(CURL.encode()))
    files = {faq: (str(path),) for faq, path in paths.items()}
    files["perl"] = (str(root / "perl" / "*" / "pod" / "perlfaq[1-9].pod"),)
    monkeypatch.setattr(faqs, "FAQ_FILES", files)
    return paths


@pytest.fixture
def fixture_faqs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return write_fixtures(tmp_path / "faqs", monkeypatch)


# --- parsers -------------------------------------------------------------------------------------

def test_pod_entries_strip_formatting_codes_and_long_code_but_keep_short_code(fixture_faqs) -> None:
    entries = {e.id: e for e in load_faq("perl")}
    entry = entries["faq-perl-4-how-do-i-reverse-a-string"]
    assert entry.question == "How do I reverse a string?" and entry.section == "Data: Strings"
    assert 'Use reverse() in scalar context, as documented in "reverse" in perlfunc.' in entry.answer
    assert "The bold and italic words, <angle> and $a <=> $b." in entry.answer
    assert "my $reversed = reverse $string;" in entry.answer  # one line of code: kept
    assert "long_example" not in entry.answer  # five lines: dropped
    assert "a listed point about the docs" in entry.answer
    assert "contributed by" not in entry.answer and "Perl Books" not in entry.answer
    assert not any(code in entry.answer for code in ("C<", "L<", "B<", "I<", "E<"))


def test_pod_section_titles_are_skipped_and_problems_kept_after_several_blank_lines(fixture_faqs) -> None:
    entries = load_faq("perl")
    assert [e.question for e in entries] == [
        "What is Perl?", "How do I reverse a string?",
        "I copied the binary to another machine, but scripts don't work.", "Why is int() broken?"]
    assert entries[0].section == "General" and entries[0].id == "faq-perl-1-what-is-perl"
    assert [e.form for e in entries] == ["question", "question", "problem", "question"]
    assert entries[-1].answer == "It is not broken; it truncates."  # nothing of AUTHOR AND COPYRIGHT


def test_sqlite_questions_come_from_bold_paragraphs_with_blockquote_answers(fixture_faqs) -> None:
    first, second = load_faq("sqlite")
    assert first.question == "How do I make a counter column?"
    assert first.answer == "Declare it as an INTEGER PRIMARY KEY column.\n\nIt counts up by itself."
    assert second.question == "Inserts are really slow" and second.form == "problem"


def test_texinfo_subsections_that_are_not_questions_stay_in_the_answer(fixture_faqs) -> None:
    entries = {e.question: e for e in load_faq("r")}
    assert set(entries) == {"What are the differences between the two?", "How can the old behaviour be restored?",
                            "How do I install it?"}  # "Citing the program" is a topic, not a question
    differences = entries["What are the differences between the two?"].answer
    assert "Lexical scoping" in differences and "Scoping works differently here." in differences
    assert "f <- function(x) x" in differences
    assert "compatibility option" not in differences  # a sub-question has its own entry
    assert entries["How do I install it?"].answer == "Use your package manager - it's easiest."
    assert entries["How do I install it?"].section == "Basics"  # no "# TOC" anchors, no number


def test_git_entries_use_the_faq_anchors_as_ids_and_keep_code_fences_apart_from_titles(fixture_faqs) -> None:
    entries = load_faq("git")
    assert [e.id for e in entries] == ["faq-git-user-name", "faq-git-still-tracked"]
    assert entries[0].question == "What should I put in user.name?" and entries[0].section == "Configuration"
    assert entries[0].answer == ('Your personal name. See git-config.\n\ngit config user.name "A U Thor"\n\n'
                                 "It is stored in every commit.")
    assert entries[1].form == "problem" and entries[1].section == "Common Issues"


def test_curl_headings_need_their_chapter_and_error_message_headings_are_skipped(fixture_faqs) -> None:
    entries = load_faq("curl")
    assert [e.question for e in entries] == ["What is it?", "FTPS does not work"]
    assert "4.12 for certificates" in entries[0].answer  # a mention, not a heading
    assert "example.com" not in entries[0].answer  # three lines of commands: dropped
    assert entries[1].section == "Running Problems"


@pytest.mark.parametrize("heading, form", [
    ("How do I reverse a string?", "question"), ("How to report a bug", "question"),
    ("Is there Emacs support for R?", "question"), ("curl's ECCN number?", "question"),
    ("I installed a package but the functions are not there", "problem"), ("FTPS does not work", "problem"),
    ("INSERT is really slow - I can only do few dozen INSERTs per second", "problem"),
    ("SQLite lets me insert a string into a database column of type integer!", "problem"),
    ("Perl Books", None), ("Lexical scoping", None), ("Install Related Problems", None),
    ("curl: (1) SSL is disabled, https: not supported", None), ("error: can't find a register", None),
])
def test_question_form_keeps_questions_and_stated_problems_only(heading: str, form: str | None) -> None:
    assert question_form(heading) == form


def test_a_missing_faq_package_is_named_with_the_apt_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faqs, "FAQ_FILES", {**faqs.FAQ_FILES, "sqlite": (str(tmp_path / "none.html"),),
                                            "curl": (str(tmp_path / "FAQ.gz"),)})
    with pytest.raises(FaqMissing, match="apt-get install sqlite3-doc"):
        load_faq("sqlite")
    with pytest.raises(FaqMissing, match=r"apt-get install sqlite3-doc libcurl4-doc"):
        list(faqs.load_faqs(["perl", "sqlite", "curl"]))


# --- the pinned dev set --------------------------------------------------------------------------

def distractor_source(tmp_path: Path) -> str:
    path = tmp_path / "distractors.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Distractor passage number {i} about nothing."}) + "\n"
                            for i in range(10)))
    return f"jsonl:{path}"


def test_faq_dev_build_writes_kb_and_queries_from_ids_only(fixture_faqs, tmp_path: Path) -> None:
    source = distractor_source(tmp_path)
    pin = tmp_path / "pin.jsonl"
    write_pin(make_pin(seed=1, per_source=4, sources=[source], log=lambda m: None), pin)
    pin_text = pin.read_text()
    assert "Declare it as" not in pin_text and "How do I" not in pin_text and "Distractor passage" not in pin_text

    summary = build_faq_dev(tmp_path / "out", pin, log=lambda m: None)
    kb = [json.loads(line) for line in (tmp_path / "out" / "kb.jsonl").read_text().splitlines()]
    queries = [json.loads(line) for line in (tmp_path / "out" / "queries.jsonl").read_text().splitlines()]
    kb_ids = {r["id"] for r in kb}
    assert len(kb_ids) == len(kb) == summary["kb"] == 4 + sum(len(load_faq(f)) for f in FAQS)
    assert {r["source"] for r in kb} == {f"faq:{f}" for f in FAQS} | {"jsonl"}
    assert all(set(q["relevant"]) <= kb_ids for q in queries)
    assert {q["faq"] for q in queries} == set(DEV_FAQS)
    assert len(queries) == summary["queries"] == len(load_faq("perl")) + len(load_faq("sqlite"))
    question = next(q for q in queries if q["relevant"] == ["faq-sqlite-how-do-i-make-a-counter-column"])
    assert question["text"] == "How do I make a counter column?"
    assert summary["missing_answers"] == [] and summary["missing_distractors"] == {}


def test_faq_dev_build_reports_answers_and_distractors_no_longer_found(fixture_faqs, tmp_path: Path) -> None:
    source = distractor_source(tmp_path)
    pin = tmp_path / "pin.jsonl"
    records = make_pin(per_source=3, sources=[source], log=lambda m: None)
    records.append({"kind": "answer", "id": "faq-perl-4-a-question-since-removed", "faq": "perl", "split": "dev",
                    "form": "question"})
    records.append({"kind": "distractor", "id": "d-gone", "source": source})
    write_pin(records, pin)
    summary = build_faq_dev(tmp_path / "out", pin, log=lambda m: None)
    assert summary["missing_answers"] == ["faq-perl-4-a-question-since-removed"]
    assert summary["missing_distractors"] == {source: ["d-gone"]}
    queries = (tmp_path / "out" / "queries.jsonl").read_text()
    assert "a-question-since-removed" not in queries


def test_faq_dev_questions_give_the_pinned_dev_headings_for_the_training_guard(fixture_faqs, tmp_path: Path) -> None:
    pin = tmp_path / "pin.jsonl"
    write_pin(make_pin(per_source=2, sources=[distractor_source(tmp_path)], log=lambda m: None), pin)
    questions = faq_dev_questions(pin)
    assert questions == [e.question for f in DEV_FAQS for e in load_faq(f)]
    assert "How do I install it?" not in questions  # a training FAQ's heading


def test_seal_data_faq_dev_names_the_missing_package(fixture_faqs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    monkeypatch.setattr(faqs, "FAQ_FILES", {**faqs.FAQ_FILES, "r": (str(tmp_path / "missing.html"),)})
    result = CliRunner().invoke(app, ["data", "faq-dev", "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "apt-get install r-doc-html" in " ".join(result.output.split())


# --- training pairs ------------------------------------------------------------------------------

def test_training_pairs_come_only_from_the_training_faqs(fixture_faqs) -> None:
    pairs = faq_training_pairs(paraphrases=3)
    assert {p.faq for p in pairs} == set(TRAIN_FAQS)
    dev_text = {e.answer for f in DEV_FAQS for e in load_faq(f)} | {e.question for f in DEV_FAQS for e in load_faq(f)}
    assert not any(p.passage_id.startswith(("faq-perl", "faq-sqlite")) or p.question in dev_text for p in pairs)
    assert {p.id for p in faq_passages()} == {p.passage_id for p in pairs}
    for dev in DEV_FAQS:
        with pytest.raises(ValueError, match="never trained on"):
            faq_training_pairs(faqs=[dev])
        with pytest.raises(ValueError, match="never trained on"):
            faq_passages(faqs=["r", dev])


def test_training_paraphrases_differ_from_the_heading_and_never_quote_the_answer(fixture_faqs) -> None:
    pairs = faq_training_pairs(paraphrases=3, seed=5)
    assert pairs == faq_training_pairs(paraphrases=3, seed=5)  # deterministic
    headings = {p.passage_id: p.question for p in pairs if p.origin == "heading"}
    answers = {e.id: e.answer for f in TRAIN_FAQS for e in load_faq(f)}
    rewritten = [p for p in pairs if p.origin == "paraphrase"]
    assert rewritten
    for pair in rewritten:
        assert pair.question != headings[pair.passage_id]
        assert not quotes_answer(pair.question, headings[pair.passage_id], answers[pair.passage_id])


@pytest.mark.parametrize("heading, expected", [
    ("How do I install it?", "What's the way to install it?"),
    ("Can I use R for commercial purposes?", "Am I allowed to use R for commercial purposes?"),
    ("What is CRAN?", "Tell me about CRAN."),
    ("Does curl support SOCKS?", "Can curl handle SOCKS?"),
    ("FTPS does not work", "FTPS does not work. How do I fix it?"),
    ("I have a GPL program, can I use the libcurl library?", "I have a GPL program. Am I allowed to use the libcurl library?"),
])
def test_paraphrase_frames_follow_the_heading_form(heading: str, expected: str) -> None:
    form = question_form(heading)
    variants = paraphrases(heading, form, 20, random.Random(0))
    assert expected in variants or expected.replace("does not", "doesn't") in variants
    assert heading not in variants


@pytest.mark.parametrize("heading, plain", [
    ("Why is read.table() so inefficient?", "Why is the read table function so inefficient?"),
    ("Why is the output not printed when I source() a file?", "Why is the output not printed when I source a file?"),
    ("Why does my posting using -F not work?", "Why does my posting using the F option not work?"),
    ("What does `http.postBuffer` really do?", "What does http post buffer really do?"),
    ("How do I list all tables/indices?", "How do I list all tables or indices?"),
    ("How can R be installed (Windows)", "How can R be installed for Windows"),
    ("Does curl support SOCKS (RFC 1928) ?", "Does curl support SOCKS?"),
])
def test_plain_words_say_code_like_words_the_way_a_person_would(heading: str, plain: str) -> None:
    assert plain_words(heading) == plain


def test_quotes_answer_catches_a_rewrite_that_borrows_the_answers_words() -> None:
    answer = "Declare the column as an integer primary key and it counts up by itself."
    assert quotes_answer("How do I declare the column as an integer key?", "How do I make a counter?", answer)
    assert not quotes_answer("What's the way to make a counter?", "How do I make a counter?", answer)


# --- the installed packages and the committed pin --------------------------------------------------

def _installed(faq: str) -> bool:
    try:
        faqs.faq_files(faq)
        return True
    except FaqMissing:
        return False


needs_packages = pytest.mark.skipif(not all(_installed(f) for f in FAQS),
                                    reason="the FAQ doc packages are not installed "
                                           "(scripts/install-system-deps.sh: perl-doc sqlite3-doc r-doc-html git-doc "
                                           "ffmpeg-doc libcurl4-doc)")


@needs_packages
@pytest.mark.parametrize("faq, at_least", [("perl", 290), ("sqlite", 25), ("r", 70), ("git", 18), ("ffmpeg", 38),
                                           ("curl", 75)])
def test_installed_faqs_parse_into_clean_question_entries(faq: str, at_least: int) -> None:
    entries = load_faq(faq)
    assert len(entries) >= at_least
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        assert question_form(entry.question) and len(entry.answer.split()) >= 3
        # (a literal "</dev/null" or an HTML sample in a kept code line is content, not markup)
        assert not re.search(r"\b[BICLEFSXZ]<\S|linkgit:|&[a-z]+;|</?(?:p|a|b|i|em|code|samp|pre|div|span|li)>", entry.answer)


@needs_packages
def test_the_committed_pin_splits_by_document_and_matches_the_installed_faqs() -> None:
    records = read_pin(DEFAULT_PIN)
    answers = [r for r in records if r["kind"] == "answer"]
    assert {r["faq"] for r in answers if r["split"] == "dev"} == set(DEV_FAQS)
    assert {r["faq"] for r in answers if r["split"] == "train"} == set(TRAIN_FAQS)
    assert not any("text" in r or "question" in r for r in records)  # ids and metadata only
    installed = {e.id for e in faqs.load_faqs(FAQS)}
    found = sum(r["id"] in installed for r in answers)
    assert found >= 0.95 * len(answers), f"only {found} of {len(answers)} pinned answers are in the installed FAQs"
    distractors = [r for r in records if r["kind"] == "distractor"]
    assert len(distractors) >= 2000 and len({r["id"] for r in distractors}) == len(distractors)
