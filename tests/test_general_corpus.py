"""General English for the speech side: corpora, the guard against evaluation text, new speakers and
channels, festival kept running, and a build that speaks sentences beside its questions."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from speech import have
from training.data.corpus import CORPORA, DevGuard, corpus_sentences, dev_questions, speakable


def test_speakable_keeps_plain_sentences_and_refuses_symbols_and_lengths() -> None:
    assert speakable("  The   parking was free.  ") == "The parking was free."
    assert speakable("Costs $5 & more") is None  # a voice says "dollars" and "and": other word pieces
    assert speakable("Too short") is None
    assert speakable(" ".join(["word"] * 30)) is None
    assert speakable("In 1969 and 1972 they flew") is None  # long numbers are read out as many words
    assert speakable("Usenet newsgroups: news:rec.games.computer.doom.announce and more") is None


def test_dev_guard_refuses_repeats_and_shared_four_word_runs() -> None:
    guard = DevGuard(["How much is a parking permit?", "When does the library open?"])
    assert not guard.allows("how much is a parking permit")  # the same question, other case and punctuation
    assert not guard.allows("Tell me when does the library open today")  # shares four words in a row
    assert guard.allows("When does the museum close?")  # three shared words are not a copy
    assert guard.allows("The parking permit was expensive.")


def test_every_pinned_dev_question_is_read_by_the_guard() -> None:
    from training.data.build import pinned_dev_question_files

    files = pinned_dev_question_files()
    names = {p.name for p in files}
    assert {"everyday.jsonl", "dev-set.jsonl"} <= names
    questions = dev_questions(files)
    everyday = [json.loads(line)["text"] for line in (Path(__file__).parents[1] / "training" / "devsets" / "everyday.jsonl")
                .read_text().splitlines() if line.strip()]
    assert set(everyday) <= set(questions) and len(questions) > len(everyday) + 250  # the template dev set's too


@pytest.mark.skipif(not Path("/usr/share/wordnet/data.noun").is_file(), reason="wordnet-base is not installed")
def test_corpus_draws_distinct_guarded_sentences_the_same_way_each_time() -> None:
    guard = DevGuard(["The parking was free"])
    first = corpus_sentences("wordnet-examples", 50, seed=3, guard=guard)
    assert first == corpus_sentences("wordnet-examples", 50, seed=3, guard=guard)
    assert len(first) == len(set(first)) == 50 and all(speakable(s) == s for s in first)
    assert first != corpus_sentences("wordnet-examples", 50, seed=4, guard=guard)
    taken = {s.lower() for s in first}
    more = corpus_sentences("wordnet-examples", 50, seed=3, taken=taken)
    assert not {s.lower() for s in more} & {s.lower() for s in first}  # another corpus never repeats a sentence
    with pytest.raises(ValueError, match="unknown corpus 'poems'"):
        corpus_sentences("poems", 5, seed=0)
    assert "everyday" in CORPORA


def test_speaker_and_channel_transforms_make_new_16k_audio() -> None:
    from training.data.transforms import CHANNELS, _sox, channel, speaker

    t = np.arange(16_000) / 16_000
    audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    moved, params = speaker(audio, random.Random(0))
    assert 0.86 <= params["vtlp"] <= 1.16 and -4 <= params["pitch_semitones"] <= 4
    assert moved.dtype == np.float32 and 0.8 < len(moved) / len(audio) < 1.25
    seen = set()
    for seed in range(30):
        out, made = channel(audio, random.Random(seed))
        seen.add(made["channel"])
        assert out.ndim == 1 and abs(len(out) / len(audio) - 1) < 0.2 and np.isfinite(out).all()
    assert seen == set(CHANNELS)
    with pytest.raises(RuntimeError, match="sox"):
        _sox(audio, ["no-such-effect"])


@pytest.mark.skipif(not have("festival"), reason="festival is not installed")
def test_festival_session_speaks_again_and_names_an_unknown_voice() -> None:
    from training.data.voices import Prosody, SynthesisError, speak

    first = speak("Where is the town hall?", "festival:kal_diphone")
    slower = speak("Where is the town hall?", "festival:kal_diphone", Prosody(rate=0.8))
    assert len(slower) > 1.1 * len(first)  # the same process takes each utterance's own prosody
    with pytest.raises(SynthesisError, match="no_such_voice"):
        speak("Hello", "festival:no_such_voice")
    assert len(speak("Still working?", "festival:ked_diphone")) > 8000  # an error leaves the session usable


def test_reserved_voices_and_families() -> None:
    from training.data.voices import dev_voices, family, is_reserved, train_voices

    assert is_reserved("flite:slt") and is_reserved("piper:joe") and is_reserved("festival:us-slt-hts")
    assert not any(is_reserved(v) for v in train_voices() + dev_voices())
    assert not set(train_voices()) & set(dev_voices())
    assert "flite:awb" in train_voices() and "festival:ked_diphone" in dev_voices()
    assert family("espeak:en-gb-scotland+m4") == "formant (espeak-ng)"
    assert family("flite:awb") == "statistical parametric (flite)" and family("festival:ked_diphone") == "diphone (festival)"


@pytest.mark.skipif(not (have("espeak") and Path("/usr/share/games/fortunes").is_dir()), reason="espeak-ng or fortunes missing")
def test_a_build_speaks_corpus_sentences_and_grows_them_once(tmp_path: Path) -> None:
    from training.data.build import BuildConfig, Builder, Extension

    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps({"id": f"p{i}", "text": f"A program to {t}.", "summary": f"a program to {t}"}) + "\n"
                          for i, t in enumerate(["play music", "edit text", "read mail", "draw maps"])))
    config = BuildConfig(out=str(tmp_path / "data"), sources=[f"jsonl:{kb}"], per_source=2, dev_per_source=1,
                         questions_per_passage=1, read_fraction=0.0, voices=["espeak:en-us"], dev_voices=["espeak:en-029"],
                         corpus={"fortunes": 3}, transforms=1.0)
    builder = Builder(config, log=lambda m: None)
    builder.run(workers=2)
    manifest = [json.loads(line) for line in (tmp_path / "data" / "manifest.jsonl").read_text().splitlines()]
    sentences = [r for r in manifest if r["kind"] == "sentence"]
    assert len(sentences) == 3 and all(r["passage_id"] == "" and r["source"] == "fortunes" for r in sentences)
    assert all(r["split"] == "train" for r in sentences)
    assert not any(k in r["augment"] for r in manifest if r["split"] == "dev" for k in ("vtlp", "channel"))

    grown = builder.extend(Extension([], 0, corpus={"fortunes": 5}))
    assert sum(i.kind == "sentence" for i in grown) == 5
    again = builder.extend(Extension([], 0, corpus={"fortunes": 5}))  # a re-run adds nothing
    assert [i.id for i in again] == [i.id for i in grown]


def _faqs_installed() -> bool:
    from training.data.faqs import FAQS, faq_files

    try:
        return all(faq_files(name) for name in FAQS)
    except Exception:
        return False


@pytest.mark.skipif(not (have("espeak") and _faqs_installed()), reason="espeak-ng or the FAQ doc packages missing")
def test_faq_extension_adds_the_training_faqs_once_and_never_the_dev_ones(tmp_path: Path) -> None:
    from training.data.build import BuildConfig, Builder, Extension, dev_question_guard, read_jsonl
    from training.data.faqs import DEV_FAQS, load_faqs

    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps({"id": f"p{i}", "text": f"A program to {t}.", "summary": f"a program to {t}"}) + "\n"
                          for i, t in enumerate(["play music", "edit text", "read mail"])))
    config = BuildConfig(out=str(tmp_path / "data"), sources=[f"jsonl:{kb}"], per_source=1, dev_per_source=1,
                         questions_per_passage=1, read_fraction=0.0, voices=["espeak:en-us"], dev_voices=["espeak:en-029"])
    builder = Builder(config, log=lambda m: None)
    items = builder.extend(Extension([], 0, faq=True))
    asked = [i for i in items if i.source == "faq"]
    passages = {p["id"] for p in read_jsonl(tmp_path / "data" / "passages.jsonl")}
    assert len(asked) > 300 and all(i.passage_id in passages for i in asked)
    assert not any(i.passage_id.startswith(("faq-perl", "faq-sqlite")) for i in asked)
    assert [i.id for i in builder.extend(Extension([], 0, faq=True))] == [i.id for i in items]  # once
    perl = next(iter(load_faqs(DEV_FAQS))).question
    assert not dev_question_guard().allows(perl)  # the FAQ dev set's headings are guarded though its pin holds ids
