"""One run = one config file (YAML or TOML) -> ``RunConfig``; unknown keys are errors, not surprises.

Sections: ``model`` (a ``SealConfig``: towers by name, adapter shape, which layers train), ``optim`` (batch, steps,
learning rate), ``loss`` (weights and temperatures of every objective), ``augment``
(SpecAugment on the cached encoder states). Command-line ``--set
optim.lr=3e-4`` overrides any field, so a sweep needs no file per point.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from models.config import SealConfig


@dataclass
class OptimSection:
    batch_size: int = 32
    grad_accum: int = 1  # optimizer step every N batches (effective batch = batch_size * grad_accum)
    epochs: float = 10.0
    max_steps: int | None = None  # optimizer steps; overrides epochs when set
    lr: float = 1e-3
    encoder_lr: float = 1e-5  # for the unfrozen top Whisper layers
    reader_lr: float = 3e-5  # for the speech side's reader layers (pretrained BERT layers: a fine-tuning rate)
    weight_decay: float = 0.01
    warmup_steps: int = 100
    clip_grad: float = 1.0


@dataclass
class LossSection:
    # stage 1 (alignment)
    ctc: float = 1.0  # CTC over the text tower's word pieces, read straight off the adapter output
    # "full": every word piece of the text tower (a word missing from the training text stays hearable);
    # "corpus": only the pieces the transcripts use (cheaper, but other words can never be emitted)
    ctc_vocab: str = "full"
    ctc_temperature: float = 0.1  # of the cosine word-piece scores; the starting value when learned
    ctc_learn_temperature: bool = True  # learned like CLIP's logit scale (capped at 1/100): a fixed 0.1 spelled worse
    token_mse: float = 5.0  # hidden states, speech length-matched to the tokens; 5 ~ 1 / their variance
    pooled_mse: float = 5.0  # the paper's MSE on the pooled sentence vector
    # stage 2 (retrieval)
    infonce: float = 1.0
    temperature: float = 0.05
    hard_negatives: int = 1  # mined per query with the text tower
    hard_negative_pool: int = 10  # nearest passages the negatives are drawn from
    cosent: float = 0.5
    cosent_scale: float = 20.0
    classify: float = 0.2
    class_temperature: float = 0.1
    distill: float = 1.0  # keep stage 1: MSE to the scaled text vector of the transcript
    transcript_nce: float = 0.0  # InfoNCE of each utterance against the batch's transcripts (its own is the positive)
    token_distill: float = 0.0  # MSE of the reader's states to the frozen text encoder's states of the transcript
    ctc_keep: float = 0.0  # keep stage 1's CTC (with ctc_compress): the adapter goes on spelling what it hears


@dataclass
class AugmentSection:
    # SpecAugment on the cached encoder states while training (training/spec_augment.py); off by default
    time_masks: int = 0  # spans zeroed per utterance
    time_mask_positions: int = 10  # widest span, in encoder positions of 20 ms
    channel_dropout: float = 0.0  # probability that a channel is dropped for a whole utterance


@dataclass
class RunConfig:
    stage: str = "stage1"
    data: str = "artifacts/train-data"  # a `seal data build` folder
    out: str = "artifacts/runs/stage1"
    init: str | None = None  # checkpoint to start from (stage 2: the stage 1 output)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    amp: bool = True  # mixed precision on CUDA (ignored on CPU)
    amp_dtype: str = "bfloat16"  # bfloat16 | float16 (float16 uses a gradient scaler)
    max_items: int | None = None  # use only the first N utterances (smoke runs)
    log_every: int = 10
    save_every: int = 200  # optimizer steps between resumable checkpoints
    workers: int = 0  # DataLoader workers
    session_minutes: float | None = None  # stop (with a saved state) after this long; re-run to go on
    session_steps: int | None = None  # the same, counted in optimizer steps
    dev_every: int = 200  # steps between dev retrieval checks (0: never); needs the build's dev set
    dev_max: int = 256  # dev questions used by the check
    features_dir: str | None = None  # default: <data>/features
    model: SealConfig = field(default_factory=SealConfig)  # the model's shape: the checkpoint's config.json
    optim: OptimSection = field(default_factory=OptimSection)
    loss: LossSection = field(default_factory=LossSection)
    augment: AugmentSection = field(default_factory=AugmentSection)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConfigError(ValueError):
    pass


# Keys that older configs (a run's saved config.yaml among them) hold but that no longer mean anything:
# read and dropped, so those files still load. model.init_adapter_scale rescaled a LayerNorm at the end of
# the MLP adapter, which the adapter never had: it never did anything.
RETIRED = {"model": {"init_adapter_scale"}}


def _build(cls, data: dict, where: str):
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'config'} must be a mapping, got {type(data).__name__}")
    data = {k: v for k, v in data.items() if k not in RETIRED.get(where, ())}
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join((where + '.' if where else '') + k for k in unknown)}; "
                          f"known: {', '.join(known)}")
    values = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        key = f"{where}.{name}".strip(".")
        values[name] = _build(type(default), value, key) if is_dataclass(default) else _typed(default, value, key)
    return cls(**values)


def _typed(default: Any, value: Any, key: str) -> Any:
    """YAML reads 3e-4 as a string (it wants 3.0e-4); numbers are numbers wherever the default is one."""
    if isinstance(default, bool) or value is None or not isinstance(value, str):
        return float(value) if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(default, (int, float)) or default is None:
        for kind in ((float,) if isinstance(default, float) else (int, float)):
            try:
                return kind(value)
            except ValueError:
                pass
        if default is not None:
            raise ConfigError(f"{key} must be a number, not {value!r}")
    return value


def _coerce(text: str) -> Any:
    return yaml.safe_load(text)  # "true" -> bool, "null" -> None, "8" -> int, "tiny.en" -> str


def load_config(path: str | Path | None, overrides: list[str] | None = None, **top: Any) -> RunConfig:
    """Read ``path`` (YAML or TOML), apply ``section.key=value`` overrides and keyword fields."""
    data: dict = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file (see training/configs/ for examples)")
        text = path.read_text()
        try:
            data = tomllib.loads(text) if path.suffix == ".toml" else (yaml.safe_load(text) or {})
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: not valid {path.suffix[1:].upper()} ({exc})") from None
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: write section.key=value, e.g. optim.lr=3e-4")
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _coerce(value)
    data.update({k: v for k, v in top.items() if v is not None})
    config = _build(RunConfig, data, "")
    if config.stage not in {"stage1", "stage2"}:
        raise ConfigError(f"stage must be stage1 or stage2, not {config.stage!r}")
    return config


def save_config(config: RunConfig, path: Path) -> None:
    path.write_text(yaml.safe_dump(config.to_dict(), sort_keys=False))
