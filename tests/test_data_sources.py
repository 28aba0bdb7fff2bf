"""Where the debian source reads apt's lists: the caller names its own copy (``apt_lists``), tried
before the system's; training/data reads no app settings. A build does not record that folder."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from training.data.build import Builder, BuildConfig, load_build_config
from training.data.sources import APT_LISTS, SourceMissing, apt_lists_dir, load_source

PACKAGES = """Package: hello
Section: devel
Tag: role::program

Package: hello-doc
Section: doc
"""
TRANSLATION = """Package: hello
Description-md5: 0
Description-en: example package that greets the world
 The GNU hello program produces a familiar, friendly greeting.
 .
 It is an example of GNU coding standards.
"""


def _lists(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "deb.example_dists_x_main_binary-amd64_Packages").write_text(PACKAGES)
    (folder / "deb.example_dists_x_main_i18n_Translation-en").write_text(TRANSLATION)
    return folder


def test_debian_passages_come_from_the_lists_folder_the_caller_names(tmp_path: Path) -> None:
    lists = _lists(tmp_path / "apt-lists")
    assert apt_lists_dir(lists) == lists
    passages = list(load_source("debian", apt_lists=lists))
    assert [(p.id, p.label, p.summary) for p in passages] == [("deb:hello", "devel", "example package that greets the world")]
    assert "friendly greeting" in passages[0].text and passages[0].extra == {"tags": "role::program"}


def test_without_english_lists_both_folders_are_named(tmp_path: Path) -> None:
    if glob.glob(str(APT_LISTS / "*_i18n_Translation-en*")):
        assert apt_lists_dir(tmp_path) == APT_LISTS  # the system's lists are the fallback
        return
    with pytest.raises(SourceMissing, match=f"no Translation-en lists in {tmp_path} or {APT_LISTS}: run `seal data fetch-debian`"):
        list(load_source("debian", apt_lists=tmp_path))


def test_a_build_does_not_record_where_the_lists_are(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps({"id": f"p{i}", "text": f"A program to do thing {i}. It is fast."}) + "\n"
                          for i in range(6)))
    out = tmp_path / "build"
    voices = dict(voices=["espeak:en-us"], dev_voices=["espeak:en-029+f3"])
    config = BuildConfig(out=str(out), sources=[f"jsonl:{kb}"], per_source=4, dev_per_source=1,
                         apt_lists=str(tmp_path / "apt-lists"), **voices)
    items = Builder(config, log=lambda m: None).prepare()
    assert "apt_lists" not in json.loads((out / "build.json").read_text())
    # the same build, read with the lists elsewhere (or none): resumed, not refused as other settings
    again = load_build_config(out, apt_lists=tmp_path / "elsewhere")
    assert again.apt_lists == str(tmp_path / "elsewhere")
    assert Builder(again, log=lambda m: None).prepare() == items
    assert Builder(load_build_config(out), log=lambda m: None).prepare() == items
