"""`seal data build`: passages -> questions -> real TTS audio, a manifest, resumable, dev set disjoint."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import soundfile as sf

from typer.testing import CliRunner

from app.cli import app
from training.data.build import BuildConfig, Builder, Extension, read_jsonl
from training.data.passage import LabeledPassage
from training.data.questions import questions_for
from training.data.sources import _gcide_entry, _wordnet_line
from speech import have

pytestmark = pytest.mark.skipif(not have("espeak"), reason="espeak-ng is not installed")


def _kb(path: Path, n: int = 8) -> Path:
    topics = ["download files over HTTP", "edit text in a terminal", "compress archives", "play music files",
              "draw vector graphics", "check spelling", "browse the web", "read email", "manage disk partitions"]
    with open(path, "w") as handle:
        for i, topic in enumerate(topics[:n]):
            handle.write(json.dumps({"id": f"p{i}", "text": f"A program to {topic}. It is fast.", "label": f"c{i % 2}",
                                     "summary": f"a program to {topic}", "source": "debian"}) + "\n")
    return path


def _config(tmp_path: Path, **kw) -> BuildConfig:
    settings = dict(out=str(tmp_path / "set"), sources=[f"jsonl:{_kb(tmp_path / 'kb.jsonl')}"], per_source=6,
                    dev_per_source=2, questions_per_passage=1, read_fraction=0.5,
                    voices=["espeak:en-us", "espeak:en-gb+m3"], dev_voices=["espeak:en-029+f3"])
    return BuildConfig(**(settings | kw))


def test_build_makes_audio_manifest_and_a_disjoint_dev_set(tmp_path: Path) -> None:
    summary = Builder(_config(tmp_path), log=lambda m: None).run(workers=2)
    out = tmp_path / "set"
    assert summary["errors"] == 0 and summary["synthesized"] == summary["planned"] > 8
    manifest = read_jsonl(out / "manifest.jsonl")
    for record in manifest:
        audio, rate = sf.read(out / record["audio"])
        assert rate == 16_000 and len(audio) > 8000 and record["seconds"] > 0.5
    train_passages = {r["passage_id"] for r in manifest if r["split"] == "train"}
    kb = read_jsonl(out / "dev" / "kb.jsonl")
    queries = read_jsonl(out / "dev" / "queries.jsonl")
    assert len(kb) == 2 and len(queries) == 2
    assert not train_passages & {r["id"] for r in kb}, "dev passages must never be trained on"
    assert {q["voice"] for q in queries} == {"espeak:en-029+f3"}
    assert all((out / "dev" / q["audio"]).is_file() and q["relevant"][0] in {r["id"] for r in kb} for q in queries)


def test_a_rerun_skips_what_is_done_and_resumes_the_rest(tmp_path: Path) -> None:
    builder = Builder(_config(tmp_path), log=lambda m: None)
    items = builder.prepare()
    manifest = tmp_path / "set" / "manifest.jsonl"
    first = Builder(_config(tmp_path), log=lambda m: None)
    # make only the first three, as if the run had been interrupted
    with open(manifest, "w") as handle:
        for item in items[:3]:
            handle.write(json.dumps(first.synthesize_one(item)) + "\n")
    summary = Builder(_config(tmp_path), log=lambda m: None).run(workers=1)
    assert summary["synthesized"] == len(items) - 3
    assert len(read_jsonl(manifest)) == len(items) == len({r["id"] for r in read_jsonl(manifest)})


def test_other_settings_in_the_same_folder_are_refused(tmp_path: Path) -> None:
    Builder(_config(tmp_path), log=lambda m: None).prepare()
    with pytest.raises(ValueError, match="other settings"):
        Builder(_config(tmp_path, seed=5), log=lambda m: None).prepare()


def test_extend_adds_unused_passages_and_keeps_the_dev_set_and_what_was_made(tmp_path: Path) -> None:
    out = tmp_path / "set"
    Builder(_config(tmp_path, per_source=4), log=lambda m: None).run(workers=2)
    before = {name: (out / name).read_text() for name in ("manifest.jsonl", "dev/kb.jsonl", "dev/queries.jsonl")}
    old_passages = {r["id"] for r in read_jsonl(out / "passages.jsonl")}

    source = _config(tmp_path).sources[0]
    builder = Builder(_config(tmp_path, per_source=4), log=lambda m: None)
    builder.extend(Extension([source], per_source=7, questions_per_passage=1, read_fraction=1.0))
    summary = builder.run(workers=2)

    assert summary["errors"] == 0 and summary["synthesized"] >= 2
    new_passages = {r["id"] for r in read_jsonl(out / "passages.jsonl")} - old_passages
    dev = {r["id"] for r in read_jsonl(out / "dev" / "kb.jsonl")}
    assert len(new_passages) == 2 and not new_passages & dev  # 8 passages: 2 dev, 4 trained, 2 left
    assert (out / "manifest.jsonl").read_text().startswith(before["manifest.jsonl"])
    assert (out / "dev" / "kb.jsonl").read_text() == before["dev/kb.jsonl"]
    assert (out / "dev" / "queries.jsonl").read_text() == before["dev/queries.jsonl"]
    trained = {r["passage_id"] for r in read_jsonl(out / "manifest.jsonl") if r["split"] == "train"}
    assert new_passages <= trained and not trained & dev

    # the same extension again adds nothing; a plain re-run of the build still accepts the folder
    again = Builder(_config(tmp_path, per_source=4), log=lambda m: None)
    assert len(again.extend(Extension([source], per_source=7))) == len(read_jsonl(out / "plan.jsonl"))
    assert again.run(workers=1)["synthesized"] == 0


def test_extend_refuses_a_source_the_build_does_not_have(tmp_path: Path) -> None:
    builder = Builder(_config(tmp_path), log=lambda m: None)
    with pytest.raises(ValueError, match="new build"):
        builder.extend(Extension(["wordnet"], per_source=10))


def test_extend_without_a_build_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "extend", "--out", str(tmp_path / "none"), "--source", "wordnet", "--per-source", "9"])
    assert result.exit_code != 0 and "seal data build" in result.output


def test_reserved_speakers_are_refused(tmp_path: Path) -> None:
    config = _config(tmp_path)
    config.voices = ["flite:slt"]
    with pytest.raises(ValueError, match="reserved"):
        Builder(config)


def test_questions_read_like_questions() -> None:
    passage = LabeledPassage("deb:wget", "wget: retrieves files from the web.", "wget", "debian", "web",
                      "Retrieves files from the web")
    questions = questions_for(passage, 5, random.Random(0))
    assert len(set(questions)) == 5
    assert all(q.endswith(("?", ".")) and len(q.split()) >= 3 for q in questions)


def test_wordnet_and_gcide_records_parse() -> None:
    line = ("00217593 04 n 01 kill 1 002 @ 00217014 n 0000 + 00355365 v 0101 | the destruction of an enemy plane "
            'or ship or tank or missile; "the pilot reported two kills during the mission"  \n')
    passage = _wordnet_line(line)
    assert passage.label == "noun.act" and passage.summary.startswith("the destruction of an enemy plane")
    assert "the pilot reported two kills" in passage.text
    entry = ("Allocate \\Al\"lo*cate\\, v. t. [LL. allocatus, p. p. of allocare,\n   fr. L. ad + locare to place.]\n"
             "   1. To distribute or assign; to allot. --Burke.\n      [1913 Webster]\n\n   2. To localize. [R.]\n")
    passage = _gcide_entry("Allocate", entry)
    assert passage.label == "verb" and passage.summary == "To distribute or assign; to allot"


def test_a_missing_source_is_named_with_what_to_do(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    result = CliRunner().invoke(app, ["data", "build", "--out", str(tmp_path / "x"), "--source", f"jsonl:{tmp_path}/none.jsonl"])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "none.jsonl: no such file" in message
    result = CliRunner().invoke(app, ["data", "build", "--out", str(tmp_path / "y"), "--source", "wikipedia"])
    assert result.exit_code == 1 and "unknown source 'wikipedia'" in " ".join(result.output.split())


def _rewrite_source(path: Path, drop: set[str], add: int) -> None:
    """The same source some days later: a few passages gone, a few new (as Debian's lists do)."""
    records = [r for r in read_jsonl(path) if r["id"] not in drop]
    records += [{"id": f"new{i}", "text": f"A new program number {i}. It is new.", "label": "c0",
                 "summary": f"a new program number {i}", "source": "debian"} for i in range(add)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_a_pinned_dev_set_survives_a_changed_source(tmp_path: Path) -> None:
    first = Builder(_config(tmp_path, per_source=5, dev_per_source=3), log=lambda m: None)
    first.prepare()
    dev_set = tmp_path / "set" / "dev" / "dev-set.jsonl"
    pinned = read_jsonl(dev_set)
    dev_ids = [r["passage_id"] for r in pinned]
    asked = {r["passage_id"]: r["question"]["text"] for r in pinned if r["question"]}
    assert len(dev_ids) == 3 and len(asked) == 3

    gone_dev = dev_ids[0]
    config = _config(tmp_path, out=str(tmp_path / "later"), per_source=5, dev_set=str(dev_set))
    _rewrite_source(tmp_path / "kb.jsonl", drop={gone_dev, "p7"}, add=3)  # after _config, which writes the source
    messages: list[str] = []
    items = Builder(config, log=messages.append).prepare()

    later_dev = [r["id"] for r in read_jsonl(tmp_path / "later" / "dev" / "kb.jsonl")]
    assert later_dev == dev_ids[1:], "the same dev passages, less the one the source dropped"
    assert any("no longer in the source" in m for m in messages)
    questions = {i.passage_id: i.text for i in items if i.split == "dev"}
    assert questions == {pid: text for pid, text in asked.items() if pid != gone_dev}
    trained = {i.passage_id for i in items if i.split == "train"}
    assert trained and not trained & set(dev_ids)


def test_pinning_the_dev_set_it_was_made_with_changes_nothing(tmp_path: Path) -> None:
    Builder(_config(tmp_path), log=lambda m: None).prepare()
    again = Builder(_config(tmp_path, out=str(tmp_path / "again"), dev_set=str(tmp_path / "set" / "dev" / "dev-set.jsonl")),
                    log=lambda m: None)
    again.prepare()
    for name in ("plan.jsonl", "passages.jsonl", "dev/kb.jsonl", "dev/dev-set.jsonl"):
        assert (tmp_path / "again" / name).read_text() == (tmp_path / "set" / name).read_text(), name


def test_a_dev_set_asked_in_a_training_voice_is_refused(tmp_path: Path) -> None:
    Builder(_config(tmp_path), log=lambda m: None).prepare()
    config = _config(tmp_path, out=str(tmp_path / "other"), dev_set=str(tmp_path / "set" / "dev" / "dev-set.jsonl"),
                     voices=["espeak:en-us", "espeak:en-029+f3"], dev_voices=["espeak:en-gb+m3"])
    with pytest.raises(ValueError, match="trains on"):
        Builder(config, log=lambda m: None).prepare()


def test_a_missing_dev_set_file_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "build", "--out", str(tmp_path / "x"), "--source", f"jsonl:{_kb(tmp_path / 'kb.jsonl')}",
                                      "--dev-set", str(tmp_path / "nope.jsonl")])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "nope.jsonl: no such file" in message and "dev-set.jsonl" in message


def test_the_projects_pinned_dev_set_is_asked_in_held_out_voices_only() -> None:
    from training.data.build import PinnedDevSet
    from training.data.voices import dev_voices, is_reserved, train_voices

    pinned = PinnedDevSet.read(Path(__file__).parents[1] / "training" / "dev-set.jsonl")
    voices = {q["voice"] for q in pinned.questions.values()}
    assert sum(len(ids) for ids in pinned.passage_ids.values()) == 2000 and len(pinned.questions) == 300
    assert voices <= set(dev_voices()) and not voices & set(train_voices())
    assert not any(is_reserved(v) for v in voices)
    assert all(q["split"] == "dev" and q["passage_id"] in pinned.passage_ids[q["source"]] for q in pinned.questions.values())
