"""The training objectives, each a small function of tensors (no model code here)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def ctc_word_pieces(logits: torch.Tensor, seq_mask: torch.Tensor, targets: list[list[int]]) -> torch.Tensor:
    """CTC of the adapter output against the transcript's word pieces.

    ``logits`` (B, T, 1 + V) are the CTC head's scores (models/adapters.py ``CTCHead.logits``: cosine
    to each word-piece embedding and a learned blank, times a learned scale); column 0 is the blank and
    ``targets`` index the V word pieces. So the adapter must put, at the right time, a vector pointing
    at the word piece being spoken: it has to read words from sound, not memorize a sentence vector.
    """
    log_probs = logits.float().log_softmax(-1).transpose(0, 1)  # (T, B, V + 1)
    flat = torch.tensor([t + 1 for target in targets for t in target], dtype=torch.long, device=logits.device)
    target_lengths = torch.tensor([len(t) for t in targets], dtype=torch.long, device=logits.device)
    input_lengths = seq_mask.sum(1).long()
    return F.ctc_loss(log_probs, flat, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=True)


def length_matched_mse(speech: torch.Tensor, speech_mask: torch.Tensor, text: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
    """MSE between token-level hidden states after stretching the speech sequence to the text's length.

    Speech runs at a steady frame rate and word pieces follow in the same order, so linear
    interpolation of the speech states onto the token count is a monotonic alignment that needs no
    labels; it is exact at both ends and approximate inside.
    """
    losses = []
    for i in range(speech.shape[0]):
        s = speech[i, : int(speech_mask[i].sum())]
        t = text[i, : int(text_mask[i].sum())]
        stretched = F.interpolate(s.T[None].float(), size=t.shape[0], mode="linear", align_corners=True)[0].T
        losses.append(F.mse_loss(stretched, t.float()))
    return torch.stack(losses).mean()


def info_nce(queries: torch.Tensor, candidates: torch.Tensor, positive: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy of each query over all candidates (in-batch passages + mined hard negatives)."""
    logits = F.normalize(queries.float(), dim=-1) @ F.normalize(candidates.float(), dim=-1).T / temperature
    return F.cross_entropy(logits, positive)


def cosent(scores: torch.Tensor, labels: torch.Tensor, scale: float = 20.0) -> torch.Tensor:
    """CoSENT (Su, 2022): for every pair with label_a > label_b in a row, cos_a should beat cos_b.

    ``scores`` and ``labels`` are (B, M): each query's cosine and graded target with M candidates.
    log(1 + sum exp(scale * (cos_b - cos_a))) over ordered pairs, computed row by row.
    """
    diff = scale * (scores[:, None, :] - scores[:, :, None])  # [i, a, b] = cos_b - cos_a
    ordered = labels[:, :, None] > labels[:, None, :] + 1e-6  # label_a > label_b
    diff = diff.masked_fill(~ordered, float("-inf")).flatten()
    zero = torch.zeros(1, device=scores.device, dtype=diff.dtype)
    return torch.logsumexp(torch.cat([zero, diff]), dim=0)


def contrastive_classification(queries: torch.Tensor, prototypes: torch.Tensor, labels: torch.Tensor, temperature: float) -> torch.Tensor:
    """Each query against every class's embedded name: cross-entropy toward its own class."""
    logits = F.normalize(queries.float(), dim=-1) @ F.normalize(prototypes.float(), dim=-1).T / temperature
    return F.cross_entropy(logits, labels)
