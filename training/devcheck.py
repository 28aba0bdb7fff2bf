"""Retrieval on the dev set during training: held-out passages, held-out voices, no Qdrant needed.

Every ``dev_every`` steps the dev questions' cached encoder output goes through the speech side, the
dev passages through the (frozen) text tower and the shared scaling, and Top-1/Top-10/MRR by cosine
go into the history next to the losses (the same numbers `seal eval` gives for the seal pipeline
on the same questions and passages). It is the number that says whether training generalizes;
the training loss alone cannot (issue 5: loss 0.7, Top-1 6 %).
"""

from __future__ import annotations

import json
from pathlib import Path

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
        ranks = []
        for start in range(0, len(self.records), 32):
            items = [(i, self.trainer.dataset_item(self.records[i])) for i in range(start, min(start + 32, len(self.records)))]
            batch = collate(items).to(device)
            states = run_top_layers(model, batch.states.to(model.torch_dtype), batch.mask)
            query = F.normalize(model.speech_pooled_from_encoder(states, batch.mask).float(), dim=-1)
            scores = query @ passages.T
            target = self.targets[start : start + len(items)].to(device)
            own = scores.gather(1, target[:, None])
            ranks += (1 + (scores > own).sum(1)).tolist()
        n = max(len(ranks), 1)
        return {"dev_top1": round(sum(r == 1 for r in ranks) / n, 4), "dev_top10": round(sum(r <= 10 for r in ranks) / n, 4),
                "dev_mrr": round(sum(1 / r for r in ranks if r <= 10) / n, 4)}  # MRR@10, as `seal eval` reports it
