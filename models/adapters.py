"""SEAL's adapters between the speech encoder and the text tower.

The Conv1D adapter shortens the encoder's 50 Hz sequence (stride ``s`` -> 50/s vectors a second,
closer to the rate of word pieces); the MLP adapter maps each vector into the text tower's hidden size,
so the result can enter the text tower's transformer as input embeddings.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

MAX_CTC_SCALE = 100.0  # CLIP's cap on a learned logit scale


class ConvAdapter(nn.Module):
    """Strided Conv1D over time; ``forward(x (B, T, C), mask (B, T)) -> (B, ceil(T/stride), C_out), mask``."""

    def __init__(self, in_dim: int, out_dim: int, kernel_size: int = 5, stride: int = 4) -> None:
        super().__init__()
        if kernel_size < stride:
            raise ValueError(f"conv adapter kernel {kernel_size} < stride {stride} would skip frames")
        self.kernel_size, self.stride = kernel_size, stride
        self.conv = nn.Conv1d(in_dim, out_dim, kernel_size, stride=stride)
        self.act = nn.GELU()

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        return (lengths + self.stride - 1) // self.stride

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x * mask.unsqueeze(-1).to(x.dtype)  # padding must not leak into the last real window
        out_len = -(-x.shape[1] // self.stride)
        # Centre the kernel on each stride window and pad the end so every real frame is covered
        left = (self.kernel_size - self.stride) // 2
        right = (out_len - 1) * self.stride + self.kernel_size - x.shape[1] - left
        x = nn.functional.pad(x.transpose(1, 2), (left, max(right, 0)))
        y = self.act(self.conv(x)).transpose(1, 2)[:, :out_len]
        lengths = self.output_lengths(mask.sum(1))
        new_mask = torch.arange(y.shape[1], device=y.device)[None, :] < lengths[:, None]
        return y, new_mask


class AdapterBlock(nn.Module):
    """A pre-norm transformer layer (self-attention + feed-forward) whose residual branches start at zero."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.out = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        for last in (self.out, self.ff[2]):  # identity at first: a checkpoint it is added to keeps its behaviour
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(batch, length, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        keep = None if mask is None else mask[:, None, None, :]  # padding is never attended to
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        x = x + self.out(attended.transpose(1, 2).reshape(batch, length, dim))
        return x + self.ff(self.norm2(x))


class AdapterTransformer(nn.Module):
    """Self-attention over the shortened sequence (after the Conv1D adapter, ~6 vectors a second).

    The frozen Whisper encoder was trained to be read by a decoder's cross-attention, not frame by
    frame; a few trained layers here let each position see its neighbours' sounds before the CTC
    head chooses a word piece. At this rate they cost a fraction of one Whisper layer."""

    def __init__(self, dim: int, layers: int, heads: int = 6) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(AdapterBlock(dim, heads) for _ in range(layers))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, mask)
        return x


class MLPAdapter(nn.Module):
    """Two-layer MLP to the text tower's hidden size."""

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int | None = None) -> None:
        super().__init__()
        hidden_dim = hidden_dim or 2 * out_dim
        self.net = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, out_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SharedScaling(nn.Linear):
    """The shared scaling layer: one linear map applied to both towers, initialised to the identity
    so an untrained model's text side is exactly the plain sentence encoder."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim, dim)
        with torch.no_grad():
            self.weight.copy_(torch.eye(dim))
            self.bias.zero_()


class CTCHead(nn.Module):
    """Reads word pieces off the adapter output: cosine to each word-piece embedding (and a learned
    blank) times a learned scale. Stage 1's CTC loss trains it; with ``ctc_compress`` the speech side
    uses it to hand the text encoder one soft word-piece embedding per spoken piece (CTC compression,
    Gaido et al. 2021): blank frames dropped, repeats merged, each kept frame replaced by the
    probability-weighted embeddings of its ``top_k`` likeliest pieces. The text encoder then reads
    inputs shaped like the ones it was trained on instead of one raw vector per 160 ms.
    """

    def __init__(self, dim: int, temperature: float = 0.1, top_k: int = 16) -> None:
        super().__init__()
        self.top_k = top_k
        self.blank = nn.Parameter(torch.randn(dim) * 0.02)
        self.log_scale = nn.Parameter(torch.tensor(math.log(1.0 / temperature)))
        # a learned prior per class (blank first, then every word piece of the text tower): how often a
        # piece is said, which a cosine to its embedding cannot express; empty until ``use_bias``
        self.register_parameter("bias", None)
        # rows of the word-embedding matrix the head chooses among (stage 1 sets the transcripts'
        # pieces); empty = the whole vocabulary
        self.register_buffer("vocab_ids", torch.zeros(0, dtype=torch.long))

    def use_bias(self, classes: int) -> None:
        """Add the per-class prior (zeros: the scores stay as they were), for ``classes`` = 1 + pieces."""
        if self.bias is None or self.bias.numel() != classes:
            self.bias = nn.Parameter(torch.zeros(classes, device=self.blank.device, dtype=self.blank.dtype))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        key = prefix + "vocab_ids"
        if key in state_dict:  # the saved vocabulary's size decides the buffer's
            self.vocab_ids = state_dict[key].detach().to(self.vocab_ids.device, torch.long).clone()
        if prefix + "bias" in state_dict:
            self.use_bias(state_dict[prefix + "bias"].numel())
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def scale(self) -> torch.Tensor:
        return self.log_scale.exp().clamp(max=MAX_CTC_SCALE)

    def vocab(self, word_embeddings: torch.Tensor) -> torch.Tensor:
        return word_embeddings[self.vocab_ids] if self.vocab_ids.numel() else word_embeddings

    def classes(self, word_embeddings: torch.Tensor) -> torch.Tensor:
        """Unit blank + word-piece rows times the scale, (1 + V, dim) in float32.

        Without gradients (serving) the matrix is kept until a weight changes: gathering and
        normalizing 11k rows on every utterance cost more than scoring the frames against them."""
        key = (word_embeddings.data_ptr(), word_embeddings._version, self.vocab_ids.data_ptr(), self.vocab_ids._version,
               self.blank._version, self.log_scale._version, str(word_embeddings.device))
        cached = getattr(self, "_classes", None)
        if cached is not None and cached[0] == key and not torch.is_grad_enabled():
            return cached[1]
        vocab = self.vocab(word_embeddings)
        matrix = F.normalize(torch.cat([self.blank[None].to(vocab.dtype), vocab]).float(), dim=-1) * self.scale()
        self._classes = (key, matrix) if not torch.is_grad_enabled() else None
        return matrix

    def logits(self, seq: torch.Tensor, word_embeddings: torch.Tensor) -> torch.Tensor:
        """(B, T, 1 + V): column 0 is the blank, column 1 + i is word piece ``vocab_ids[i]``."""
        scores = F.normalize(seq.float(), dim=-1) @ self.classes(word_embeddings).T
        return scores if self.bias is None else scores + self.bias.float()

    def compress(self, seq: torch.Tensor, mask: torch.Tensor, word_embeddings: torch.Tensor,
                 logits: torch.Tensor | None = None, blank_penalty: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, dim) adapter output -> (B, G, dim) soft word-piece embeddings, G = pieces heard.

        ``logits``: this head's scores of ``seq`` when already computed (the onnx engine's graph).
        ``blank_penalty``: subtracted from the blank's score when choosing which frames hold a piece
        (CTC decoding's insertion bonus): a frame whose best piece nearly beat the blank is kept, so a
        quietly spoken content word is not dropped. The soft embeddings themselves do not change."""
        logits = self.logits(seq, word_embeddings) if logits is None else logits
        choice = torch.cat([logits[..., :1] - blank_penalty, logits[..., 1:]], -1) if blank_penalty else logits
        best = choice.argmax(-1)
        vocab_size = logits.shape[-1] - 1
        top, index = logits[..., 1:].topk(min(self.top_k, vocab_size), dim=-1)
        rows = self.vocab_ids[index] if self.vocab_ids.numel() else index
        soft = (top.softmax(-1).unsqueeze(-1) * word_embeddings[rows].float()).sum(-2)  # (B, T, dim), differentiable
        keep = mask & (best != 0)
        previous = F.pad(best[:, :-1], (1, 0), value=0)
        start = keep & (best != previous)  # a new piece: after a blank or a different piece (CTC's rule)
        group = (start.long().cumsum(1) - 1).clamp(min=0)
        counts = start.sum(1)
        width = max(int(counts.max()) if counts.numel() else 0, 1)
        weight = keep.to(soft.dtype)
        out = soft.new_zeros(seq.shape[0], width, soft.shape[-1])
        out.scatter_add_(1, group[..., None].expand(-1, -1, soft.shape[-1]), soft * weight[..., None])
        frames = soft.new_zeros(seq.shape[0], width).scatter_add_(1, group, weight)
        out = out / frames.clamp(min=1.0)[..., None]
        new_mask = torch.arange(width, device=seq.device)[None, :] < counts[:, None]
        return out.to(seq.dtype), new_mask
