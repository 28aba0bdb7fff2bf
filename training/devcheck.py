"""Retrieval on the dev set during training: held-out passages, held-out voices, no Qdrant needed.

Every ``dev_every`` steps the dev questions' cached encoder output goes through the speech side, the
dev passages through the (frozen) text tower and the shared scaling, and Top-1/Top-10/MRR by cosine
go into the history next to the losses (the same numbers `seal eval` gives for the seal pipeline
on the same questions and passages). It is the number that says whether training generalizes;
the training loss alone cannot (loss 0.7 went with Top-1 6 % once).

With a CTC head (``ctc_compress``) it also reports ``dev_per``: the word-piece error rate of the head's
greedy reading of the dev questions, i.e. how well the speech side hears words it was not trained
on in voices it never heard.
"""

from __future__ import annotations

import json

import torch
import torch.nn.functional as F

from training.datasets import collate, read_manifest
from training.features import precompute


class DevCheck:
    def __init__(self, trainer, limit: int = 256) -> None:
        self.trainer, self.model = trainer, trainer.model
        data = trainer.data
        passages_path = data / "dev" / "passages.jsonl"
        self.records = read_manifest(data, "dev", kinds=("query",), max_items=limit, seed=0)
        passages = [json.loads(line) for line in passages_path.read_text().splitlines() if line.strip()]
        self.passage_ids = [p["id"] for p in passages]
        precompute(self.model, self.records, data, trainer.features, trainer.frozen_layer)
        with torch.no_grad():
            texts = [p["text"] for p in passages]
            self.base = torch.cat([self.model.text(texts[i : i + 64]).float() for i in range(0, len(texts), 64)])
        self.targets = torch.tensor([self.passage_ids.index(r["passage_id"]) for r in self.records])
        tokenizer = self.model.text.tokenizer
        self.pieces = [tokenizer(r["text"], add_special_tokens=False)["input_ids"] for r in self.records]

    @classmethod
    def maybe(cls, trainer, limit: int) -> "DevCheck | None":
        data = trainer.data
        if not (data / "dev" / "passages.jsonl").is_file():
            return None
        try:
            return cls(trainer, limit)
        except ValueError:  # no dev utterances in this build
            return None

    @torch.no_grad()
    def __call__(self) -> dict[str, float]:
        from training.stage1 import run_top_layers

        model, device = self.model, self.trainer.device
        passages = F.normalize(model.shared_scaling(self.base.to(device)).float(), dim=-1)
        ranks, errors, pieces = [], 0, 0
        for start in range(0, len(self.records), 32):
            items = [(i, self.trainer.dataset_item(self.records[i])) for i in range(start, min(start + 32, len(self.records)))]
            batch = collate(items).to(device)
            states = run_top_layers(model, batch.states.to(model.torch_dtype), batch.mask)
            seq, seq_mask = model.adapt(states, batch.mask)
            if model.config.ctc_compress:
                heard = greedy_pieces(model.ctc_head.logits(seq, model.word_embeddings()), seq_mask, model.ctc_head.vocab_ids)
                truth = self.pieces[start : start + len(items)]
                errors += sum(edit_distance(h, t) for h, t in zip(heard, truth))
                pieces += sum(map(len, truth))
            query = F.normalize(model.speech_pooled_from_sequence(seq, seq_mask).float(), dim=-1)
            scores = query @ passages.T
            target = self.targets[start : start + len(items)].to(device)
            own = scores.gather(1, target[:, None])
            ranks += (1 + (scores > own).sum(1)).tolist()
        n = max(len(ranks), 1)
        result = {"dev_top1": round(sum(r == 1 for r in ranks) / n, 4), "dev_top10": round(sum(r <= 10 for r in ranks) / n, 4),
                  "dev_mrr": round(sum(1 / r for r in ranks if r <= 10) / n, 4)}  # MRR@10, as `seal eval` reports it
        if pieces:
            result["dev_per"] = round(errors / pieces, 4)
        return result


def greedy_pieces(logits: torch.Tensor, mask: torch.Tensor, vocab_ids: torch.Tensor) -> list[list[int]]:
    """CTC's greedy reading: the best class per frame, repeats merged, blanks (column 0) dropped; word-piece ids."""
    best = logits.argmax(-1).masked_fill(~mask, 0)
    out = []
    for row in best.tolist():
        merged = [c for i, c in enumerate(row) if c and (i == 0 or c != row[i - 1])]
        out.append([int(vocab_ids[c - 1]) if vocab_ids.numel() else c - 1 for c in merged])
    return out


def edit_distance(a: list[int], b: list[int]) -> int:
    """Levenshtein distance between two sequences (insertions, deletions and substitutions cost 1)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
