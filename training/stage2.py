"""Stage 2, retrieval: spoken question -> its passage, by a multi-task contrastive objective.

- InfoNCE over the batch's passages plus hard negatives mined with the text tower (the passages
  nearest to the right one: the confusions retrieval actually faces), temperature configurable;
- CoSENT on graded pairs: the text tower's similarity between the true question text and each
  candidate passage is the grade, so near misses rank above unrelated passages;
- contrastive classification: each question against the embedded names of all classes (Debian
  sections, WordNet lexicographer files, parts of speech, manual sections);
- distillation: the pooled speech vector stays close to the scaled text vector of its transcript;
- transcript contrast (``transcript_nce``): each utterance's vector against every transcript in the
  batch, so it is nearest to its own words' text vector, for any English sentence;
- hidden-state distillation (``token_distill``): the states the speech side's reader produces match
  the frozen text encoder's states of the true transcript (length-matched), so the reader keeps doing
  what the text tower does with the words;
- optionally (``ctc_keep``, with CTC compression) stage 1's CTC on the transcript, so the word
  pieces the text encoder reads stay the ones spoken rather than whatever fits the training voices.

General English sentences (``kind: "sentence"``, no passage) take part in the distillation, transcript
and CTC terms only: they teach the speech side to keep the text tower's behaviour on any English,
while the question -> passage pairs teach retrieval on top.

The text tower is frozen, so passage, transcript and class-name vectors are computed once; only the
shared scaling layer (on both sides) and the speech side's trained parts learn.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from models.text_tower import mean_pool
from training.datasets import Batch, read_passages
from training.features import safe_name
from training.losses import contrastive_classification, cosent, ctc_word_pieces, info_nce, length_matched_mse
from training.stage1 import training_sequence, word_pieces


@torch.no_grad()  # not inference_mode: these tensors later meet trained ones in autograd
def text_vectors(model, texts: list[str], desc: str, show: bool, batch_size: int = 64) -> torch.Tensor:
    """Pooled, un-scaled text-tower vectors (the shared scaling is applied later, with gradients)."""
    out = []
    for start in tqdm(range(0, len(texts), batch_size), desc=desc, disable=not show or len(texts) < 256, unit="batch"):
        out.append(model.text(texts[start : start + batch_size]).float())
    return torch.cat(out)


def cached_text_vectors(model, texts: list[str], desc: str, show: bool, root: Path) -> torch.Tensor:
    """``text_vectors``, kept under ``root`` while the text tower is frozen: every stage 2 run and
    ablation on the same data, or on a grown build (``seal data extend``), encodes only the texts
    it has not seen instead of spending minutes re-encoding all of them."""
    if model.config.train_text_layers:  # fine-tuned text layers: the vectors belong to this run only
        return text_vectors(model, texts, desc, show)
    store = TextVectorStore(root / f"text-{safe_name(model.config.text_model)}" / "vectors.pt")
    return store.lookup(texts, lambda missing: text_vectors(model, missing, desc, show))


class TextVectorStore:
    """One text tower's vectors by text (SHA-1 of the text as key), in a single file that grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        saved = torch.load(path, weights_only=True) if path.is_file() else {"keys": [], "vectors": None}
        self.keys: list[str] = saved["keys"]
        self.vectors: torch.Tensor | None = saved["vectors"]

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def lookup(self, texts: list[str], encode) -> torch.Tensor:
        """Vectors of ``texts`` in order; ``encode(list_of_texts)`` makes the missing ones, which are saved."""
        keys = [self.key(t) for t in texts]
        row = {k: i for i, k in enumerate(self.keys)}
        missing = {k: t for k, t in zip(keys, texts) if k not in row}  # each new text once, in order
        if missing:
            made = encode(list(missing.values())).float().cpu()
            row.update({k: len(self.keys) + i for i, k in enumerate(missing)})
            self.keys += list(missing)
            self.vectors = made if self.vectors is None else torch.cat([self.vectors, made])
            self._save()
        if not texts:
            return torch.zeros(0, 0)
        return self.vectors[[row[k] for k in keys]]

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        torch.save({"keys": self.keys, "vectors": self.vectors}, tmp)
        tmp.replace(self.path)  # atomic: an interrupted run leaves no half file


def nearest(vectors: torch.Tensor, k: int, chunk: int = 2048) -> torch.Tensor:
    """Each row's ``k`` nearest other rows by cosine, (N, k)."""
    unit = F.normalize(vectors, dim=-1)
    k = max(0, min(k, len(unit) - 1))
    rows = []
    for start in range(0, len(unit), chunk):
        sims = unit[start : start + chunk] @ unit.T
        sims[torch.arange(sims.shape[0]), torch.arange(start, start + sims.shape[0])] = -2.0  # not itself
        rows.append(sims.topk(k, dim=1).indices)
    return torch.cat(rows) if rows else torch.zeros(0, k, dtype=torch.long)


def class_name(label: str) -> str:
    return label.replace(".", " ").replace("_", " ").replace("-", " ")


class Stage2:
    name = "stage2"

    def __init__(self, trainer, records: list[dict]) -> None:
        self.trainer, self.model, self.weights = trainer, trainer.model, trainer.config.loss
        passages = read_passages(trainer.data)
        self.records = [r for r in records if r["passage_id"] in passages or r["kind"] == "sentence"]
        if not any(r["passage_id"] in passages for r in self.records):
            raise ValueError(f"{trainer.data}: no utterance points at a passage in passages.jsonl")
        self.passage_ids = sorted({r["passage_id"] for r in self.records if r["passage_id"]} | set(passages))
        self.row = {pid: i for i, pid in enumerate(self.passage_ids)}
        self.classes = sorted({passages[pid]["label"] for pid in self.passage_ids})
        self.class_of = {c: i for i, c in enumerate(self.classes)}
        show, device = trainer.show_progress, trainer.device
        cache = trainer.features.parent  # beside the encoder cache: DATA/features/text-<model>/
        self.passages = cached_text_vectors(self.model, [passages[p]["text"] for p in self.passage_ids], "passage vectors",
                                            show, cache).to(device)
        self.transcripts = cached_text_vectors(self.model, [r["text"] for r in self.records], "transcript vectors",
                                               show, cache).to(device)
        self.prototypes = text_vectors(self.model, [class_name(c) for c in self.classes], "class vectors", show).to(device)
        self.neighbors = nearest(self.passages, self.weights.hard_negative_pool).cpu().numpy()
        self.rng = random.Random(trainer.config.seed)
        self.ctc_targets = self._ctc_targets() if self.weights.ctc_keep else None

    def _ctc_targets(self) -> list[list[int]]:
        """Each transcript's word pieces as rows of the CTC head's vocabulary (pieces it lacks are left out)."""
        if not self.model.config.ctc_compress:
            raise ValueError("loss.ctc_keep needs a checkpoint with model.ctc_compress (its CTC head is what is kept)")
        pieces = word_pieces(self.model.text.tokenizer, self.records)
        if not self.model.ctc_head.vocab_ids.numel():  # the head scores every word piece: targets are the ids
            return pieces
        row = {int(token): i for i, token in enumerate(self.model.ctc_head.vocab_ids.tolist())}
        return [[row[t] for t in p if t in row] for p in pieces]

    def extra_parameters(self) -> dict[str, torch.nn.Parameter]:
        return {}

    def candidates(self, positives: list[int]) -> tuple[list[int], list[int]]:
        """Distinct passage rows (the batch's positives, then hard negatives) and each query's target."""
        rows = list(dict.fromkeys(positives))
        taken = set(rows)
        for pos in positives:
            pool = [int(n) for n in self.neighbors[pos] if int(n) not in taken] if self.neighbors.size else []
            for negative in self.rng.sample(pool, min(self.weights.hard_negatives, len(pool))):
                rows.append(negative)
                taken.add(negative)
        where = {row: i for i, row in enumerate(rows)}
        return rows, [where[p] for p in positives]

    def loss(self, batch: Batch) -> tuple[torch.Tensor, dict[str, float]]:
        model, w = self.model, self.weights
        records = [self.records[i] for i in batch.indices]
        seq, seq_mask = training_sequence(self.trainer, batch)
        states, states_mask = model.speech_sequence(seq, seq_mask)
        query = model.shared_scaling(mean_pool(states, states_mask)).float()
        scale = model.shared_scaling
        transcripts = scale(self.transcripts[batch.indices]).float()
        parts: dict[str, torch.Tensor] = {}
        asked = [i for i, r in enumerate(records) if r["passage_id"] in self.row]  # utterances with a passage
        if asked:
            parts |= self._retrieval_losses(query[asked], [records[i] for i in asked], [batch.indices[i] for i in asked])
        if w.distill:
            parts["distill"] = F.mse_loss(query, transcripts)
        if w.transcript_nce:
            parts["transcript_nce"] = info_nce(query, transcripts, torch.arange(len(records), device=query.device),
                                               w.temperature)
        if w.token_distill:
            parts["token_distill"] = self._token_distill(states, states_mask, [r["text"] for r in records])
        if w.ctc_keep:
            logits = model.ctc_head.logits(seq, model.word_embeddings())
            parts["ctc"] = ctc_word_pieces(logits, seq_mask, [self.ctc_targets[i] for i in batch.indices])
        weights = {"infonce": w.infonce, "cosent": w.cosent, "classify": w.classify, "distill": w.distill,
                   "transcript_nce": w.transcript_nce, "token_distill": w.token_distill, "ctc": w.ctc_keep}
        total = sum(weights[k] * v for k, v in parts.items())
        return total, {k: float(v.detach()) for k, v in parts.items()}

    def _retrieval_losses(self, query: torch.Tensor, records: list[dict], indices: list[int]) -> dict[str, torch.Tensor]:
        """InfoNCE, CoSENT and classification for the utterances that ask about a passage."""
        w, scale = self.weights, self.model.shared_scaling
        positives = [self.row[r["passage_id"]] for r in records]
        rows, targets = self.candidates(positives)
        candidates = scale(self.passages[rows])
        target = torch.tensor(targets, device=query.device)
        parts: dict[str, torch.Tensor] = {}
        if w.infonce:
            parts["infonce"] = info_nce(query, candidates, target, w.temperature)
        if w.cosent:
            with torch.no_grad():
                transcripts = F.normalize(self.transcripts[indices], dim=-1)
                grades = transcripts @ F.normalize(self.passages[rows], dim=-1).T
                grades[torch.arange(len(targets)), target] = 1.0
            scores = F.normalize(query, dim=-1) @ F.normalize(candidates.float(), dim=-1).T
            parts["cosent"] = cosent(scores, grades, w.cosent_scale)
        if w.classify and len(self.classes) > 1:
            labels = torch.tensor([self.class_of[self.trainer_label(r)] for r in records], device=query.device)
            parts["classify"] = contrastive_classification(query, scale(self.prototypes), labels, w.class_temperature)
        return parts

    def _token_distill(self, states: torch.Tensor, states_mask: torch.Tensor, texts: list[str]) -> torch.Tensor:
        """MSE between the speech side's reader states and the frozen text encoder's states of the transcript."""
        model = self.model
        with torch.no_grad():
            tokens = model.text.tokenize(texts)
            text = model.text.encoder(**tokens).last_hidden_state
        return length_matched_mse(states, states_mask, text, tokens["attention_mask"].bool())

    def trainer_label(self, record: dict) -> str:
        return record["label"] if record["label"] in self.class_of else self.classes[0]
