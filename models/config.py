"""``SealConfig``: the shape of a SEAL model, saved as a checkpoint's ``config.json``.

Light on purpose (no torch): a training run's ``model`` section is this same dataclass, so a config
file, a checkpoint and the model built from either name each field once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class SealConfig:
    whisper_model: str = "tiny.en"  # short name, HF id or path (see models/weights.py)
    text_model: str = "all-MiniLM-L6-v2"
    conv_kernel: int = 5
    conv_stride: int = 4  # 50 Hz encoder frames -> 12.5 vectors a second
    mlp_hidden: int | None = None  # default: 2 x text hidden size
    adapter_layers: int = 0  # transformer layers over the Conv1D adapter's output (models/adapters.py)
    through_text_encoder: bool = True
    add_special_tokens: bool = True  # wrap the speech sequence in [CLS] ... [SEP] like a sentence
    train_encoder_layers: int = 0  # top Whisper encoder layers fine-tuned (saved in the checkpoint)
    train_text_layers: int = 0  # top text-encoder layers fine-tuned (saved in the checkpoint)
    # top layers of the speech side's own copy of the text transformer fine-tuned (saved in the
    # checkpoint): it learns to read the soft, sometimes misheard word pieces, while passages and typed
    # queries keep the frozen tower, so stored vectors stay valid
    train_reader_layers: int = 0
    ctc_compress: bool = False  # the text encoder reads one soft word-piece embedding per piece heard (CTCHead)
    ctc_bias: bool = False  # the CTC head learns a prior per word piece (CTCHead.use_bias)
    # serving only: subtracted from the CTC blank's score when choosing the pieces heard (CTCHead.compress);
    # chosen per checkpoint on the everyday dev set with `seal eval` (docs/models.md); training ignores it
    ctc_blank_penalty: float = 0.0
    seed: int = 0  # initialisation of the adapters
    notes: dict = field(default_factory=dict)  # free-form provenance (training run, data sizes)

    @classmethod
    def from_dict(cls, data: dict) -> "SealConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def dev_eval(self) -> dict | None:
        """The checkpoint's own `seal eval` summary ({pipeline: {top1, top3, ...}}), if `seal train card` recorded one."""
        return self.notes.get("dev_eval")

    @property
    def behind_asr(self) -> bool:
        """Whether the checkpoint found the right passage first less often than ASR + text on its dev set
        (no record: False, the checkpoint is trusted)."""
        return self.trails_asr("seal")

    def trails_asr(self, pipeline: str) -> bool:
        """Whether ``pipeline`` (seal or fused) had a lower Top-1 than ASR in the recorded dev eval."""
        scores = self.dev_eval or {}
        mine, asr = scores.get(pipeline, {}).get("top1"), scores.get("asr", {}).get("top1")
        return mine is not None and asr is not None and mine < asr

    def default_card(self) -> str:
        """The few lines a checkpoint folder gets when training wrote no card (training/card.py writes one)."""
        return (
            "# SEAL checkpoint\n\n"
            f"- speech encoder: Whisper `{self.whisper_model}` (base weights, loaded by name)\n"
            f"- text tower: `{self.text_model}` (base weights, loaded by name)\n"
            f"- Conv1D adapter: kernel {self.conv_kernel}, stride {self.conv_stride}; "
            f"through text encoder: {self.through_text_encoder}\n"
            f"- fine-tuned top layers: Whisper {self.train_encoder_layers}, text {self.train_text_layers}\n\n"
            "`model.safetensors` holds only the trained tensors (adapters, shared scaling layer, fine-tuned layers).\n"
        )
