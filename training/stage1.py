"""Stage 1, alignment: the speech side learns to say what the transcript says, token by token.

Aligned representation (stated in the model card): the adapter output sequence enters the frozen
text encoder (MiniLM) as input embeddings; its hidden states are matched to the hidden states of the
transcript's word pieces (length matched by linear interpolation, ``token_mse``), their mean-pooled
sentence vector to the transcript's (``pooled_mse``, the paper's objective), and the adapter output
itself must spell the transcript's word pieces under CTC (``ctc``). Pooled MSE alone lets a small
head memorize sentence vectors without learning to hear words (a pilot trained that way found the
right passage first for 6 % of held-out questions); the token-level terms make it map sound to word
pieces that the pretrained text encoder then composes.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from models.adapters import CTCHead
from models.text_tower import mean_pool
from training.datasets import Batch
from training.losses import ctc_word_pieces, length_matched_mse
from training.spec_augment import augment_states

MAX_TOKENS = 64


def run_top_layers(model, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The unfrozen top Whisper layers on cached lower-layer output (nothing to do when all are frozen)."""
    encoder = model.speech_encoder
    if model.config.train_encoder_layers == 0:
        return states
    hidden = encoder.run_layers(states, mask, encoder.num_layers - model.config.train_encoder_layers)
    return encoder.final_norm(hidden)


def training_sequence(trainer, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """Cached encoder states -> (SpecAugment on training steps) -> top layers -> adapter output and mask."""
    model = trainer.model
    states = batch.states.to(model.torch_dtype)
    if torch.is_grad_enabled():  # a training step (the towers stay in eval mode: no dropout in them)
        states = augment_states(states, batch.mask, trainer.config.augment)
    return model.adapt(run_top_layers(model, states, batch.mask), batch.mask)


def word_pieces(tokenizer, records: list[dict]) -> list[list[int]]:
    """Each transcript's word-piece ids (no [CLS]/[SEP]), cut at ``MAX_TOKENS``: the CTC targets."""
    return [tokenizer(r["text"], add_special_tokens=False)["input_ids"][:MAX_TOKENS] for r in records]


class Stage1:
    name = "stage1"

    def __init__(self, trainer, records: list[dict]) -> None:
        self.trainer, self.model, self.weights = trainer, trainer.model, trainer.config.loss
        self.records = records
        self.tokens = word_pieces(self.model.text.tokenizer, records)
        words = self.model.word_embeddings()
        if self.weights.ctc_vocab == "full":  # an empty vocabulary list means the head scores every word piece
            rows: list[int] = []
            self.targets = self.tokens
        elif self.weights.ctc_vocab == "corpus":  # only the pieces these transcripts use: cheaper, but nothing else is hearable
            rows = sorted({t for tokens in self.tokens for t in tokens})
            index = {token: row for row, token in enumerate(rows)}
            self.targets = [[index[t] for t in tokens] for tokens in self.tokens]
        else:
            raise ValueError(f"loss.ctc_vocab must be full or corpus, not {self.weights.ctc_vocab!r}")
        # with ctc_compress the head is part of the model (the speech side uses it); otherwise a
        # training-only head whose blank and scale live in the run state
        self.head = self.model.ctc_head if self.model.config.ctc_compress else CTCHead(words.shape[1]).to(trainer.device)
        if not (self.model.config.ctc_compress and self.model.trained):  # a trained head keeps its scale
            with torch.no_grad():
                self.head.log_scale.fill_(math.log(1.0 / self.weights.ctc_temperature))
        # the targets index these rows, so the head scores exactly them (the head has no per-row weights)
        self.head.vocab_ids = torch.tensor(rows, dtype=torch.long, device=trainer.device)
        self.head.log_scale.requires_grad_(self.weights.ctc_learn_temperature)
        if self.model.config.ctc_bias and self.head is self.model.ctc_head:  # one prior per class it scores
            self.head.use_bias(1 + (len(rows) or words.shape[0]))

    def extra_parameters(self) -> dict[str, torch.nn.Parameter]:
        if self.model.config.ctc_compress:
            return {}  # the head is one of the model's trained parts
        extras = {"ctc_blank": self.head.blank}
        if self.weights.ctc_learn_temperature:
            extras["ctc_log_scale"] = self.head.log_scale
        return extras

    def loss(self, batch: Batch) -> tuple[torch.Tensor, dict[str, float]]:
        model, w = self.model, self.weights
        texts = [self.records[i]["text"] for i in batch.indices]
        seq, seq_mask = training_sequence(self.trainer, batch)
        parts: dict[str, torch.Tensor] = {}
        if w.ctc:
            logits = self.head.logits(seq, model.word_embeddings())
            parts["ctc"] = ctc_word_pieces(logits, seq_mask, [self.targets[i] for i in batch.indices])
        if w.token_mse or w.pooled_mse:
            speech, speech_mask = model.speech_sequence(seq, seq_mask)
            with torch.no_grad():
                tokens = model.text.tokenize(texts)
                text = model.text.encoder(**tokens).last_hidden_state
            if w.token_mse:
                parts["token_mse"] = length_matched_mse(speech, speech_mask, text, tokens["attention_mask"].bool())
            if w.pooled_mse:
                parts["pooled_mse"] = F.mse_loss(mean_pool(speech, speech_mask).float(),
                                                 mean_pool(text, tokens["attention_mask"]).float())
        weights = {"ctc": w.ctc, "token_mse": w.token_mse, "pooled_mse": w.pooled_mse}
        total = sum(weights[k] * v for k, v in parts.items())
        metrics = {k: float(v.detach()) for k, v in parts.items()}
        if w.ctc and w.ctc_learn_temperature:
            metrics["ctc_scale"] = float(self.head.scale().detach())  # in the history, to see it settle
        return total, metrics
