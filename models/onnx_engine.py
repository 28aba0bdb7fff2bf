"""onnxruntime for the CPU inference paths (``SEAL_ENGINE=onnx``, the CPU default).

One spoken question at a time, PyTorch's eager mode spends much of its time between operators: the
text transformer that reads the CTC pieces (~15 positions) took 11-12 ms in fp32 or int8 and 6 ms
in onnxruntime; Whisper's encoder, the adapters and the CTC scores of a 4 s question 49 vs 37 ms
(2 cores, docs/models.md). So the fixed parts of the model are exported once, in fp32, to two graphs:

- ``speech.onnx``: log-mel (1, n_mels, frames) -> adapter sequence (1, T', dim) and, with CTC
  compression, the CTC head's scores (1, T', 1 + V): Whisper's encoder, Conv1D, MLP, CTC head;
- ``reader.onnx``: the text tower's transformer, ``inputs_embeds`` + attention mask -> hidden states.
  The SEAL speech side feeds it the compressed pieces; the text tower (passages, typed queries, ASR
  transcripts) feeds it its own word-piece embeddings, the same input ``input_ids`` would give. A checkpoint
  with ``train_reader_layers`` reads speech with its own fine-tuned copy: a second reader graph.

What depends on the data (dropping blank frames, merging repeats) stays in PyTorch between the two.
Both graphs give the PyTorch model's vectors to a cosine of 0.9999999 (tests/test_onnx_engine.py).
Graphs are written under ``<cache>/onnx/``, keyed by a hash of the trained tensors, the config, the
base models and the library versions, so a new checkpoint gets new graphs and later processes reuse
them. Exporting takes ~35 s on 2 cores, once (three graphs when the checkpoint has its own speech reader).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import warnings
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import torch
from torch import nn

from models.engines import SpeechOutput, TorchEngine, Transformer

if TYPE_CHECKING:
    from models.seal import SealModel
    from models.text_tower import TextEmbedder

log = logging.getLogger(__name__)

ENGINES = ("auto", "torch", "onnx")
MIN_MEL_FRAMES = 4  # shorter clips (under ~40 ms) take the PyTorch path


class OnnxUnavailable(RuntimeError):
    pass


def _versions() -> str:
    import onnxruntime

    return f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}"


def _session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, torch.get_num_threads())
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    # Each session has its own threads; spinning after a run (the default) they took the cores from
    # the next session and from PyTorch's steps in between: 61 ms instead of 30 for the speech graph.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _export(module: nn.Module, args: tuple, path: Path, names: tuple[list[str], list[str]], dynamic: dict) -> None:
    """torch.export -> ONNX, quietly (the exporter prints its steps) and atomically."""
    try:
        import onnx  # noqa: F401  (the exporter needs both; a clear error beats its import traceback)
        import onnxscript  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailable(f"exporting to ONNX needs the `onnx` and `onnxscript` packages ({exc}); run `make install`") from exc
    tmp = path.with_suffix(".tmp.onnx")
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)  # e.g. one line per torchvision op it will not need
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            torch.onnx.export(module.eval(), args, str(tmp), input_names=names[0], output_names=names[1],
                              dynamic_shapes=dynamic, dynamo=True, optimize=True, external_data=False, verbose=False)
    finally:
        exporter_log.setLevel(level)
    tmp.replace(path)


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()[:20]


def _export_once(path: Path, what: str, export) -> None:
    if path.is_file():
        return
    from models.weights import _file_lock

    path.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(path):  # two processes starting at once export once
        if not path.is_file():
            log.warning("exporting %s to onnxruntime, once per checkpoint (all graphs: ~35 s on 2 cores): %s", what, path)
            export()


class _SpeechGraph(nn.Module):
    """The speech side up to the CTC scores, for one utterance with no padding."""

    def __init__(self, model: "SealModel") -> None:
        super().__init__()
        self.encoder, self.conv, self.mlp = model.speech_encoder, model.conv_adapter, model.mlp_adapter
        self.transformer = model.adapter_transformer
        self.with_ctc = model.config.ctc_compress
        if self.with_ctc:
            with torch.no_grad():
                self.register_buffer("classes", model.ctc_head.classes(model.word_embeddings()).detach().clone())
                bias = model.ctc_head.bias
                self.register_buffer("bias", (bias.detach().float() if bias is not None else torch.zeros(len(self.classes))).clone())

    def forward(self, mel: torch.Tensor):
        lengths = torch.full((1,), mel.shape[2], dtype=torch.long)
        hidden, _ = self.encoder.embed(mel, lengths)
        for layer in self.encoder.encoder.layers:  # every position is real: no attention mask
            hidden = layer(hidden, None)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        hidden = self.encoder.final_norm(hidden)
        # ConvAdapter.forward without its data-dependent padding arithmetic: padding the end by a
        # whole kernel + stride and keeping ceil(T / stride) outputs gives the same windows.
        conv, frames = self.conv, hidden.shape[1]
        out_len = (frames + conv.stride - 1) // conv.stride
        left = (conv.kernel_size - conv.stride) // 2
        x = nn.functional.pad(hidden.transpose(1, 2), (left, conv.kernel_size + conv.stride - 1 - left))
        x = conv.act(conv.conv(x)).transpose(1, 2)[:, :out_len]
        if self.transformer is not None:
            x = self.transformer(x, None)  # one utterance, no padding: every position attends to all
        seq = self.mlp(x)
        if not self.with_ctc:
            return seq
        return seq, nn.functional.normalize(seq, dim=-1) @ self.classes.T + self.bias


class _ReaderGraph(nn.Module):
    def __init__(self, bert: nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.bert(inputs_embeds=embeds, attention_mask=mask).last_hidden_state


class OnnxReader:
    """A text transformer on onnxruntime, called like the Hugging Face model it was exported from
    (``inputs_embeds``, ``attention_mask`` -> ``.last_hidden_state``), so it can stand in for it."""

    def __init__(self, session, path: Path) -> None:
        self.session = session
        self.path = path  # the graph file: an int8 copy is written beside it

    def __call__(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        (hidden,) = self.session.run(None, {"embeds": inputs_embeds.float().contiguous().numpy(),
                                            "mask": attention_mask.long().contiguous().numpy()})
        return SimpleNamespace(last_hidden_state=torch.from_numpy(hidden))


_readers: dict[str, OnnxReader] = {}


def onnx_reader(bert: nn.Module, name: str, cache_dir: Path, trained: dict[str, torch.Tensor] | None = None) -> OnnxReader:
    """A (frozen) text transformer on onnxruntime; one per model, shared in the process.

    ``trained``: the tensors fine-tuning changed (a checkpoint's own speech reader), part of the key."""
    key = _digest(name, _versions(), json.dumps(bert.config.to_dict(), sort_keys=True, default=str),
                  *(k.encode() + t.numpy().tobytes() for k, t in sorted((trained or {}).items())))
    path = Path(cache_dir) / f"reader-{key}" / "reader.onnx"

    def export() -> None:
        embeds, mask = torch.zeros(2, 6, bert.config.hidden_size), torch.ones(2, 6, dtype=torch.long)
        batch, tokens = torch.export.Dim("batch", min=1, max=1024), torch.export.Dim("tokens", min=2, max=512)
        _export(_ReaderGraph(bert), (embeds, mask), path, (["embeds", "mask"], ["hidden"]),
                {"embeds": {0: batch, 1: tokens}, "mask": {0: batch, 1: tokens}})

    if str(path) not in _readers:
        what = f"the speech side's fine-tuned reader ({name})" if trained else f"the text transformer ({name})"
        _export_once(path, what, export)
        _readers[str(path)] = OnnxReader(_session(path), path)
    return _readers[str(path)]


def int8_reader(fp32: OnnxReader) -> OnnxReader:
    """The same transformer with its weights in dynamic int8 (per output channel), for bulk passage
    embedding (``SEAL_PASSAGE_PRECISION=int8``): twice the chunks per CPU second on this 2-core CPU,
    vectors at cosine 0.995 to fp32's, one dev question in 136 (everyday) and 332 (FAQ) lost by the
    ``text`` pipeline (docs/benchmarks.md). Written once beside the fp32 graph."""
    source = fp32.path
    path = source.with_name(source.stem + "-int8.onnx")
    if str(path) not in _readers:
        def quantize() -> None:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = path.with_suffix(".tmp.onnx")
            quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            tmp.replace(path)

        _export_once(path, "an int8 copy of the text transformer (passages)", quantize)
        _readers[str(path)] = OnnxReader(_session(path), path)
    return _readers[str(path)]


class OnnxSpeechPath:
    """SEAL's speech graph for one utterance on onnxruntime: log-mel -> adapter output and CTC scores."""

    def __init__(self, model: "SealModel", cache_dir: Path) -> None:
        if model.device_name != "cpu" or model.torch_dtype != torch.float32:
            raise OnnxUnavailable("the onnx engine runs fp32 on a CPU; on a GPU the PyTorch path runs fp16")
        self.model = model
        trained = model.trained_state_dict()
        # what shapes the graph: not the notes (a card update) nor what runs after it (the blank penalty)
        shape = {k: v for k, v in asdict(model.config).items() if k not in ("notes", "ctc_blank_penalty")}
        key = _digest(json.dumps(shape, sort_keys=True, default=str), _versions(),
                      json.dumps(model.speech_encoder.encoder.config.to_dict(), sort_keys=True, default=str),
                      *(name.encode() + t.numpy().tobytes() for name, t in sorted(trained.items())))
        path = Path(cache_dir) / f"speech-{key}" / "speech.onnx"

        def export() -> None:
            mel = torch.zeros(1, model.speech_encoder.n_mels, 400)
            outputs = ["seq", "logits"] if model.config.ctc_compress else ["seq"]
            frames = torch.export.Dim("frames", min=MIN_MEL_FRAMES, max=model.speech_encoder.max_frames)
            _export(_SpeechGraph(model), (mel,), path, (["mel"], outputs), {"mel": {2: frames}})

        _export_once(path, "the SEAL speech path", export)
        self.path = path
        self.session = _session(path)

    def fits(self, mel: torch.Tensor) -> bool:
        return mel.shape[0] == 1 and mel.shape[2] >= MIN_MEL_FRAMES

    def sequence(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Adapter output (1, T', dim), its mask and the CTC scores (None without compression)."""
        outputs = self.session.run(None, {"mel": mel.float().contiguous().numpy()})
        seq = torch.from_numpy(outputs[0])
        logits = torch.from_numpy(outputs[1]) if len(outputs) > 1 else None
        return seq, torch.ones(seq.shape[:2], dtype=torch.bool), logits


class OnnxEngine:
    """The onnxruntime engine of a SEAL model (``SpeechEngine``, models/engines.py): the speech graph,
    the reader of the speech sequence and the text side's transformer, all built (or exported) here,
    so a failure leaves the model on PyTorch, whole."""

    name = "onnx"
    quantization = "none"  # onnxruntime runs the fp32 graphs
    one_at_a_time = True  # no padding, and a CPU gains little from batches

    def __init__(self, model: "SealModel", cache_dir: Path, passage_precision: str = "fp32") -> None:
        cache_dir = Path(cache_dir)
        self.graph = OnnxSpeechPath(model, cache_dir)
        trained = model.trained_state_dict()
        self.reader: OnnxReader | None = None
        if model.config.through_text_encoder:
            own = {k: v for k, v in trained.items() if k.startswith("speech_reader.")}
            self.reader = onnx_reader(model.reader, model.config.text_model, cache_dir, own)
        # The text side (typed queries, passages at ingestion) on the same graph as the text tower's (a
        # checkpoint that fine-tuned text layers gets its own): a short query is about twice as fast as in
        # PyTorch eager; a batch of long passages costs the same CPU time in both (docs/benchmarks.md).
        text_trained = {k: v for k, v in trained.items() if k.startswith("text.")}
        self._text = onnx_reader(model.text.encoder, model.config.text_model, cache_dir, text_trained)
        self._passages = int8_reader(self._text) if passage_precision == "int8" else self._text
        self._fallback = TorchEngine()

    def speech(self, model: "SealModel", mel: torch.Tensor, lengths: torch.Tensor) -> SpeechOutput:
        if not self.graph.fits(mel):  # a batch, or a clip under ~40 ms: PyTorch
            return self._fallback.speech(model, mel, lengths)
        return self.graph.sequence(mel)

    def speech_reader(self, model: "SealModel") -> Transformer:
        return self.reader if self.reader is not None else model.reader

    def text_transformer(self) -> OnnxReader:
        return self._text

    def passage_transformer(self) -> OnnxReader:
        return self._passages


def text_transformer(embedder: "TextEmbedder", cache_dir: Path, passage_precision: str = "fp32") -> "TextEmbedder":
    """Run ``embedder``'s inference on onnxruntime (fp32; passages in int8 when asked)."""
    if embedder.device_name != "cpu":
        raise OnnxUnavailable("the onnx engine runs on a CPU")
    fp32 = onnx_reader(embedder.encoder, embedder.name, Path(cache_dir))
    return embedder.use_transformer(fp32, passages=int8_reader(fp32) if passage_precision == "int8" else fp32)


def resolve_engine(engine: str, device: str, dtype: str) -> str:
    """``auto``: onnx for fp32 on a CPU when onnxruntime is installed, else torch."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    if device != "cpu" or dtype != "float32":
        return "torch"
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return "torch"
    return "onnx"
