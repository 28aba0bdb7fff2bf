"""The SEAL model: a speech tower and a text tower that meet in one embedding space.

speech: audio -> log-mel (real frames) -> Whisper encoder -> Conv1D adapter -> MLP adapter
        -> [the text tower's own transformer, fed the adapter output as input embeddings]
        -> masked mean pooling -> shared scaling -> L2 norm
text:   text -> sentence encoder -> mean pooling -> shared scaling -> L2 norm

Feeding the adapter output through the text tower's transformer (``through_text_encoder``, the
default) means the adapters only have to turn sound into something like word-piece embeddings; the
pretrained text encoder still composes meaning. The shared scaling layer starts as the identity, so a
fresh model's text side equals the plain sentence encoder and passages indexed with either agree.

A checkpoint (models/checkpoint.py) is ``config.json`` (a ``SealConfig``) + ``model.safetensors`` holding only the trained
tensors (adapters, shared scaling, any fine-tuned top layers); base weights are named in the config
and loaded from their offline packages.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from models.adapters import AdapterTransformer, ConvAdapter, CTCHead, MLPAdapter, SharedScaling
from models.config import SealConfig
from models.engines import SpeechEngine, TorchEngine
from models.speech_encoder import SpeechEncoder
from models.text_tower import TextEmbedder, mean_pool

from models.text_side import CHECKPOINTS_DIR, DEFAULT_CHECKPOINT, text_side_key  # noqa: F401  (re-exported)
from models.checkpoint import CARD_NAME, CONFIG_NAME, WEIGHTS_NAME  # noqa: F401  (re-exported)
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def resolve_dtype(dtype: str | torch.dtype) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype == "auto":
        return torch.float32
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    return DTYPES[dtype]


class SealModel(nn.Module):
    def __init__(self, config: SealConfig | None = None, device: str = "cpu", dtype: str | torch.dtype = "float32",
                 cache_dir: Path | None = None) -> None:
        super().__init__()
        from models.weights import resolve_whisper_hf

        self.config = config or SealConfig()
        self.torch_dtype = resolve_dtype(dtype)
        self.speech_encoder = SpeechEncoder.from_pretrained(resolve_whisper_hf(self.config.whisper_model, cache_dir))
        self.text = TextEmbedder(self.config.text_model, device="cpu")
        enc_dim, txt_dim = self.speech_encoder.dim, self.text.dim
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.config.seed)  # a fresh model is the same in every process
            self.conv_adapter = ConvAdapter(enc_dim, enc_dim, self.config.conv_kernel, self.config.conv_stride)
            self.adapter_transformer = AdapterTransformer(enc_dim, self.config.adapter_layers) if self.config.adapter_layers else None
            self.mlp_adapter = MLPAdapter(enc_dim, txt_dim, self.config.mlp_hidden)
            self.ctc_head = CTCHead(txt_dim)
        if self.config.ctc_bias:
            self.ctc_head.use_bias(1 + self.text.encoder.embeddings.word_embeddings.num_embeddings)
        self.shared_scaling = SharedScaling(txt_dim)
        self.speech_reader: nn.Module | None = None
        if self.config.train_reader_layers:
            self.add_speech_reader(self.config.train_reader_layers)
        self.to(device=device, dtype=self.torch_dtype).eval()
        self.text.device_name = device
        self.device_name = device
        self.checkpoint_path: Path | None = None  # set by from_pretrained; None = untrained adapters
        self.engine: SpeechEngine = TorchEngine()  # how inference runs (models/engines.py): use_engine

    def use_engine(self, engine: SpeechEngine) -> "SealModel":
        """Run inference on ``engine`` (chosen once, by models/registry.py); training ignores it."""
        self.engine = engine
        self.text.use_transformer(engine.text_transformer(), passages=engine.passage_transformer())
        return self

    @property
    def quantization(self) -> str:
        return self.engine.quantization

    def add_adapter_layers(self, layers: int) -> None:
        """Put ``layers`` transformer layers over the Conv1D adapter's output; they start as the identity,
        so a trained checkpoint they are added to embeds exactly as before."""
        if layers <= self.config.adapter_layers:
            return
        self.adapter_transformer = AdapterTransformer(self.speech_encoder.dim, layers).to(self.device_name, self.torch_dtype)
        self.config.adapter_layers = layers

    def add_speech_reader(self, layers: int) -> None:
        """Give the speech side its own copy of the text transformer, whose top ``layers`` train."""
        self.config.train_reader_layers = layers
        if self.speech_reader is None:
            self.speech_reader = copy.deepcopy(self.text.encoder)

    @property
    def reader(self) -> nn.Module:
        """The (PyTorch) transformer that reads the speech sequence: the speech side's own copy or the text tower's."""
        return self.speech_reader if self.speech_reader is not None else self.text.encoder

    @property
    def trained(self) -> bool:
        """Whether trained weights were loaded (a fresh model's speech side is random)."""
        return self.checkpoint_path is not None

    @property
    def dev_eval(self) -> dict | None:
        return self.config.dev_eval

    @property
    def behind_asr(self) -> bool:
        return self.config.behind_asr

    # ----- sizes and trained parts ------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.shared_scaling.out_features

    def trained_prefixes(self) -> list[str]:
        """State-dict prefixes that a checkpoint stores (everything else is base weights)."""
        prefixes = ["conv_adapter.", "mlp_adapter.", "shared_scaling."]
        if self.config.adapter_layers:
            prefixes.append("adapter_transformer.")
        if self.config.ctc_compress:
            prefixes.append("ctc_head.")
        n_enc = self.speech_encoder.num_layers
        for i in range(n_enc - self.config.train_encoder_layers, n_enc):
            prefixes.append(f"speech_encoder.encoder.layers.{i}.")
        if self.config.train_encoder_layers:
            prefixes.append("speech_encoder.encoder.layer_norm.")
        n_txt = len(self.text.encoder.encoder.layer)
        for i in range(n_txt - self.config.train_text_layers, n_txt):
            prefixes.append(f"text.encoder.encoder.layer.{i}.")
        for i in range(n_txt - self.config.train_reader_layers, n_txt):
            prefixes.append(f"speech_reader.encoder.layer.{i}.")
        return prefixes

    def trainable_parameters(self) -> list[nn.Parameter]:
        """Freeze the base weights, unfreeze the trained parts, return the latter (for an optimizer)."""
        prefixes = tuple(self.trained_prefixes())
        params = []
        for name, param in self.named_parameters():
            param.requires_grad_(name.startswith(prefixes))
            if param.requires_grad:
                params.append(param)
        return params

    # ----- speech tower -----------------------------------------------------------------------
    def features(self, audio: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-mel batch (B, n_mels, frames) and mel lengths, on the model's device."""
        mel, lengths = self.speech_encoder.features(audio)
        return mel.to(self.device_name), lengths.to(self.device_name)

    def encode_speech(self, mel: torch.Tensor, mel_lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Whisper encoder output over the real frames: (B, T, enc_dim) and bool mask (B, T)."""
        return self.speech_encoder(mel.to(self.torch_dtype), mel_lengths)

    def adapt(self, hidden: torch.Tensor, mask: torch.Tensor,
              mlp_adapter: nn.Module | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Adapter output sequence in the text tower's hidden size, (B, T', dim), and its mask.

        This is what stage 1 aligns token by token (or with CTC) against the transcript.
        ``mlp_adapter``: an engine's (int8) copy to run instead of the model's own."""
        x, mask = self.conv_adapter(hidden, mask)
        if self.adapter_transformer is not None:
            x = self.adapter_transformer(x, mask)
        return (mlp_adapter if mlp_adapter is not None else self.mlp_adapter)(x), mask

    def speech_sequence(self, seq: torch.Tensor, mask: torch.Tensor,
                        logits: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The adapter output as the text tower sees it: optionally wrapped in [CLS]/[SEP] and
        passed through the text transformer; returns hidden states and mask before pooling.
        ``logits``: the CTC head's scores of ``seq`` if already computed (the onnx speech graph)."""
        if self.config.ctc_compress:
            penalty = 0.0 if torch.is_grad_enabled() else self.config.ctc_blank_penalty  # training sees the plain scores
            seq, mask = self.ctc_head.compress(seq, mask, self.word_embeddings(), logits=logits, blank_penalty=penalty)
        if not self.config.through_text_encoder:
            return seq, mask
        bert = self.text.encoder
        max_len = bert.config.max_position_embeddings - (2 if self.config.add_special_tokens else 0)
        seq, mask = seq[:, :max_len], mask[:, :max_len]
        if self.config.add_special_tokens:
            seq, mask = self._wrap_special(seq, mask)
        out = self.engine.speech_reader(self)(inputs_embeds=seq, attention_mask=mask.long())
        return out.last_hidden_state, mask

    def unheard_pieces(self, texts: list[str]) -> list[list[str]]:
        """Per text, the word pieces this model's CTC head cannot emit (outside the vocabulary stage 1
        gave it): with ``ctc_compress`` the speech side can never hand those to the reader, so a
        question that turns on one (often a rare headword) is out of SEAL's reach. Empty lists when the
        head chooses among the whole vocabulary or compression is off."""
        if not self.config.ctc_compress or not self.ctc_head.vocab_ids.numel():
            return [[] for _ in texts]
        known = set(self.ctc_head.vocab_ids.tolist())
        tok = self.text.tokenizer
        return [[tok.convert_ids_to_tokens(i) for i in tok(text, add_special_tokens=False)["input_ids"] if i not in known]
                for text in texts]

    def word_embeddings(self) -> torch.Tensor:
        """The text tower's (frozen) word-piece embeddings, which the CTC head chooses among."""
        return self.text.encoder.embeddings.word_embeddings.weight.detach()

    def _wrap_special(self, seq: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        tok = self.text.tokenizer
        words = self.text.encoder.embeddings.word_embeddings
        ids = torch.tensor([tok.cls_token_id, tok.sep_token_id], device=seq.device)
        cls, sep = words(ids).to(seq.dtype)
        batch, length, dim = seq.shape
        lengths = mask.sum(1)
        out = torch.zeros(batch, length + 2, dim, dtype=seq.dtype, device=seq.device)
        out[:, 0] = cls
        out[:, 1 : length + 1] = seq * mask.unsqueeze(-1).to(seq.dtype)
        out[torch.arange(batch, device=seq.device), lengths + 1] = sep
        new_mask = torch.arange(length + 2, device=seq.device)[None, :] < (lengths + 2)[:, None]
        return out, new_mask

    def speech_pooled_from_encoder(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Pooled, scaled, un-normalized speech vectors from (cached) encoder output, with gradients."""
        return self.speech_pooled_from_sequence(*self.adapt(hidden, mask))

    def speech_pooled_from_sequence(self, seq: torch.Tensor, seq_mask: torch.Tensor,
                                    logits: torch.Tensor | None = None) -> torch.Tensor:
        """The same from the adapter output (stage 2 also scores that sequence with the CTC head)."""
        states, states_mask = self.speech_sequence(seq, seq_mask, logits)
        return self.shared_scaling(mean_pool(states, states_mask))

    def speech_pooled(self, audio: list[np.ndarray]) -> torch.Tensor:
        """Audio -> pooled, scaled, un-normalized vectors (B, dim), with gradients if enabled."""
        hidden, mask = self.encode_speech(*self.features(audio))
        return self.speech_pooled_from_encoder(hidden, mask)

    # ----- text tower -------------------------------------------------------------------------
    def text_pooled(self, texts: list[str]) -> torch.Tensor:
        """Text -> pooled, scaled, un-normalized vectors (B, dim), with gradients if enabled."""
        return self.shared_scaling(self.text(texts))

    # ----- inference API ----------------------------------------------------------------------
    @torch.inference_mode()
    def embed_text(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalized float32 vectors (n, dim)."""
        out = [self._normalized(self.text_pooled(texts[i : i + batch_size])) for i in range(0, len(texts), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    @property
    def text_side_key(self) -> str:
        """``text_side_key`` of the checkpoint this model was loaded from (what its passage vectors depend on)."""
        return text_side_key(self.checkpoint_path, self.config.text_model)

    def shares_text_tower(self, text_embedder: Any) -> bool:
        """Whether ``text_embedder`` is this model's (frozen) text encoder, so one pass gives both vectors."""
        from models.weights import resolve_text_model

        name = getattr(text_embedder, "name", None)
        return (
            self.config.train_text_layers == 0
            and name is not None
            and str(resolve_text_model(name)) == str(resolve_text_model(self.config.text_model))
        )

    @torch.inference_mode()
    def embed_text_and_plain(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """SEAL vectors and the plain text tower's vectors from one encoder pass (ingestion needs both).

        Only equal to ``embed_text`` + ``TextEmbedder.encode`` while the text encoder is frozen; check
        ``shares_text_tower`` first. Runs the engine's passage transformer (``SEAL_PASSAGE_PRECISION``).
        """
        seal, plain = [], []
        for i in range(0, len(texts), batch_size):
            pooled = self.text(texts[i : i + batch_size], passages=True)
            seal.append(self._normalized(self.shared_scaling(pooled)))
            plain.append(self._normalized(pooled))
        if not seal:
            empty = np.zeros((0, self.dim), dtype=np.float32)
            return empty, empty
        return np.concatenate(seal), np.concatenate(plain)

    @torch.inference_mode()
    def embed_audio(self, audio: list[np.ndarray] | np.ndarray, batch_size: int = 16) -> np.ndarray:
        """L2-normalized float32 vectors (n, dim) for 16 kHz mono utterances (batched by length)."""
        if isinstance(audio, np.ndarray) and audio.ndim == 1:
            audio = [audio]
        order = sorted(range(len(audio)), key=lambda i: len(audio[i]))
        result = np.zeros((len(audio), self.dim), dtype=np.float32)
        size = 1 if self.engine.one_at_a_time else batch_size
        for start in range(0, len(order), size):
            idx = order[start : start + size]
            seq, mask, logits = self.engine.speech(self, *self.features([audio[i] for i in idx]))
            result[idx] = self._normalized(self.speech_pooled_from_sequence(seq, mask, logits))
        return result

    @torch.inference_mode()
    def embed_audio_timed(self, audio: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        """One utterance -> (vector (dim,), milliseconds per stage): ``features`` (log-mel), ``encoder``
        (the speech graph: Whisper's encoder, the adapters, the CTC scores), ``adapter`` (CTC
        compression, the reader, pooling)."""
        t0 = time.perf_counter()
        mel, lengths = self.features([audio])
        t1 = time.perf_counter()
        seq, mask, logits = self.engine.speech(self, mel, lengths)
        self._sync()
        t2 = time.perf_counter()
        vector = self._normalized(self.speech_pooled_from_sequence(seq, mask, logits))[0]
        t3 = time.perf_counter()
        return vector, {"features_ms": (t1 - t0) * 1e3, "encoder_ms": (t2 - t1) * 1e3, "adapter_ms": (t3 - t2) * 1e3}

    def _normalized(self, vectors: torch.Tensor) -> np.ndarray:
        return nn.functional.normalize(vectors.float(), dim=-1).cpu().numpy()

    def _sync(self) -> None:
        if self.device_name.startswith("cuda"):
            torch.cuda.synchronize()

    # ----- checkpoints ------------------------------------------------------------------------
    def trained_state_dict(self) -> dict[str, torch.Tensor]:
        prefixes = tuple(self.trained_prefixes())
        return {k: (v.detach().float() if v.is_floating_point() else v.detach()).cpu().contiguous()
                for k, v in self.state_dict().items() if k.startswith(prefixes)}

    def save_pretrained(self, directory: str | Path, card: str | None = None) -> Path:
        """Write config.json, model.safetensors (trained tensors only) and a model card README.md."""
        from models.checkpoint import save

        return save(self, Path(directory), card)

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, device: str = "cpu", dtype: str | torch.dtype = "float32",
                        cache_dir: Path | None = None) -> "SealModel":
        """Load a checkpoint folder; ``None`` means the shipped checkpoint (a fresh model if its folder is missing).
        ``cache_dir``: where converted base weights are kept (models/weights.py)."""
        from models.checkpoint import load

        return load(cls, path, device, dtype, cache_dir)
