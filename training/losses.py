"""The training objectives, each a small function of tensors (no model code here)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def ctc_word_pieces(seq: torch.Tensor, seq_mask: torch.Tensor, vocab: torch.Tensor, blank: torch.Tensor,
                    targets: list[list[int]], scale: torch.Tensor | float) -> torch.Tensor:
    """CTC of the adapter output against the transcript's word pieces.

    Each adapter vector is scored against the (frozen) word-piece embeddings by cosine / temperature,
    plus a learned blank; so the adapter must put, at the right time, a vector pointing at the word
    piece being spoken: it has to read words from sound, not memorize a sentence vector.
    ``vocab`` (V, dim) rows are the allowed word pieces; ``targets`` index into those rows.
    ``scale`` multiplies the cosines (1 / temperature): a fixed 10 caps how sure a frame can be
    among 11k word pieces whose embeddings are themselves correlated, so stage 1 learns it.
    """
    classes = torch.cat([blank[None, :], vocab], dim=0)
    logits = F.normalize(seq.float(), dim=-1) @ F.normalize(classes.float(), dim=-1).T * scale
    log_probs = logits.log_softmax(-1).transpose(0, 1)  # (T, B, V + 1)
    flat = torch.tensor([t + 1 for target in targets for t in target], dtype=torch.long, device=seq.device)
    target_lengths = torch.tensor([len(t) for t in targets], dtype=torch.long, device=seq.device)
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
