"""The training loop both stages share: a real tool's loop, not a notebook's.

Seeds; the frozen encoder's output cached once; AdamW with warmup + cosine decay; gradient
accumulation; mixed precision on CUDA (same command on CPU, where it is simply off); a progress bar
showing the loss; a history file and a loss-curve PNG; resumable checkpoints (``state.pt``: trained
tensors, optimizer, schedule, step) written atomically every ``save_every`` steps; and at the end a
SEAL checkpoint folder (``checkpoint/``: config.json, model.safetensors, README.md model card).
A stage (``training/stage1.py``, ``training/stage2.py``) supplies the data and the loss.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import torch
from tqdm import tqdm

from training.config import RunConfig, save_config
from training.datasets import Batch, FeatureDataset, collate, epoch_batches, read_manifest
from training.features import cache_dir, missing_features, precompute


class Stage(Protocol):
    name: str
    records: list[dict]

    def extra_parameters(self) -> dict[str, torch.nn.Parameter]: ...

    def loss(self, batch: Batch) -> tuple[torch.Tensor, dict[str, float]]: ...


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device cuda was asked for, but torch sees no CUDA GPU; use device: cpu or auto")
    return name


def build_model(config: RunConfig, device: str):
    """A fresh SEAL model from the config's towers and adapter shape, or the ``init`` checkpoint."""
    from models.seal import SealConfig, SealModel

    if config.init:
        model = SealModel.from_pretrained(config.init, device=device)
        # Layers the init checkpoint fine-tuned are no longer base weights: the encoder cache (base
        # weights) must stop below them, so they keep being computed live (and keep training).
        model.config.train_encoder_layers = max(model.config.train_encoder_layers, config.model.train_encoder_layers)
        if config.model.train_reader_layers > model.config.train_reader_layers:
            model.add_speech_reader(config.model.train_reader_layers)
        model.add_adapter_layers(config.model.adapter_layers)
        model.config.ctc_bias = model.config.ctc_bias or config.model.ctc_bias  # Stage1 sizes the bias to its vocabulary
        return model
    seal_config = SealConfig.from_dict(asdict(config.model))  # a copy: the model may grow it (add_adapter_layers)
    return SealModel(seal_config, device=device)


class Trainer:
    def __init__(self, config: RunConfig, log: Callable[[str], None] = print, progress: bool = True) -> None:
        self.config, self.log, self.show_progress = config, log, progress
        self.out = Path(config.out)
        self.data = Path(config.data)
        self.device = resolve_device(config.device)
        self.history: list[dict] = []
        self.step = 0

    # ----- setup -------------------------------------------------------------------------------
    def setup(self, make_stage: Callable) -> None:
        cfg = self.config
        seed_everything(cfg.seed)
        self.out.mkdir(parents=True, exist_ok=True)
        save_config(cfg, self.out / "config.yaml")
        self.model = build_model(cfg, self.device)
        self.model.eval()  # frozen towers: no dropout; gradients still flow to the trained parts
        self.frozen_layer = self.model.speech_encoder.num_layers - self.model.config.train_encoder_layers
        records = read_manifest(self.data, "train", max_items=cfg.max_items, seed=cfg.seed)
        self.features = cache_dir(Path(cfg.features_dir) if cfg.features_dir else self.data / "features",
                                  self.model.config.whisper_model, self.frozen_layer)
        todo = missing_features(records, self.features)  # the bar starts at what is cached already
        with tqdm(total=len(records), initial=len(records) - len(todo), desc="caching encoder output",
                  disable=not self.show_progress, unit="utt") as bar:
            made = precompute(self.model, todo, self.data, self.features, self.frozen_layer, progress=bar.update)
        self.log(f"encoder cache: {self.features} ({made} new, {len(records) - made} reused)")
        self.stage = make_stage(self, records)
        self.dataset = FeatureDataset(self.stage.records, self.features)
        self._optimizer()
        from training.devcheck import DevCheck

        self.dev = DevCheck.maybe(self, cfg.dev_max) if cfg.dev_every else None
        if self.dev:
            self.log(f"dev check every {cfg.dev_every} steps: {len(self.dev.records)} questions, {len(self.dev.passage_ids)} passages")

    def dataset_item(self, record: dict):
        import numpy as np

        from training.features import feature_path

        return np.load(feature_path(self.features, record["id"]))

    def _optimizer(self) -> None:
        cfg = self.config.optim
        self.model.trainable_parameters()  # freezes the base weights, unfreezes the trained parts
        trainable = {n: p for n, p in self.model.named_parameters() if p.requires_grad}
        encoder = [p for n, p in trainable.items() if n.startswith("speech_encoder.")]
        reader = [p for n, p in trainable.items() if n.startswith("speech_reader.")]
        rest = [p for n, p in trainable.items() if not n.startswith(("speech_encoder.", "speech_reader."))]
        self.extras = self.stage.extra_parameters()
        groups = [{"params": rest + list(self.extras.values()), "lr": cfg.lr}]
        if encoder:
            groups.append({"params": encoder, "lr": cfg.encoder_lr})
        if reader:
            groups.append({"params": reader, "lr": cfg.reader_lr})
        self.optimizer = torch.optim.AdamW(groups, weight_decay=cfg.weight_decay)
        self.seconds = [r.get("seconds", 0.0) for r in self.stage.records]
        per_epoch = len(epoch_batches(self.seconds, cfg.batch_size, self.config.seed, 0))
        self.batches_per_epoch = per_epoch
        self.total_steps = cfg.max_steps or max(1, math.ceil(cfg.epochs * per_epoch / cfg.grad_accum))
        warmup = min(cfg.warmup_steps, max(1, self.total_steps // 10))  # never more than a tenth of the run

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, self.total_steps - warmup))))

        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, schedule)
        self.amp = self.config.amp and self.device.startswith("cuda")
        self.amp_dtype = torch.float16 if self.config.amp_dtype == "float16" else torch.bfloat16
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp and self.amp_dtype == torch.float16)
        self.n_params = sum(p.numel() for group in groups for p in group["params"])

    # ----- checkpoints -------------------------------------------------------------------------
    def state_path(self) -> Path:
        return self.out / "state.pt"

    def save(self) -> None:
        state = {
            "step": self.step,
            "trained": self.model.trained_state_dict(),
            "extras": {k: v.detach().cpu() for k, v in self.extras.items()},
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "history": self.history,
            "rng": {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state(),
                    "stage": self.stage.rng.getstate() if hasattr(self.stage, "rng") else None},
        }
        tmp = self.state_path().with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(self.state_path())  # never a half-written checkpoint, even if killed mid-save
        self.plot()

    def resume(self) -> bool:
        path = self.state_path()
        if not path.is_file():
            return False
        state = torch.load(path, map_location="cpu", weights_only=False)
        self.model.load_state_dict(state["trained"], strict=False)
        self.model.to(self.device)
        with torch.no_grad():
            for name, value in state["extras"].items():
                self.extras[name].copy_(value.to(self.device))
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.history, self.step = state["history"], state["step"]
        # steps logged after the last save are redone, so the log restarts from the saved history
        (self.out / "history.jsonl").write_text("".join(json.dumps(h) + "\n" for h in self.history))
        random.setstate(state["rng"]["python"])
        np.random.set_state(state["rng"]["numpy"])
        torch.set_rng_state(state["rng"]["torch"])
        if state["rng"].get("stage") is not None and hasattr(self.stage, "rng"):
            self.stage.rng.setstate(state["rng"]["stage"])  # the same hard negatives as an uninterrupted run
        self.log(f"resumed from {path} at step {self.step}/{self.total_steps}")
        return True

    def plot(self) -> None:
        if not self.history:
            return
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        # learned scales (ctc_scale) are not losses: they would squash the loss axis
        keys = [k for k in self.history[-1] if k not in {"step", "lr", "seconds"} and not k.startswith("dev_") and not k.endswith("_scale")]
        dev = [h for h in self.history if "dev_top1" in h]
        fig, axes = plt.subplots(1, 2 if dev else 1, figsize=(12 if dev else 8, 4.5), squeeze=False)
        ax = axes[0][0]
        steps = [h["step"] for h in self.history]
        for key in keys:
            ax.plot(steps, [h.get(key, float("nan")) for h in self.history], label=key, lw=2 if key == "loss" else 1)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss")
        ax.set_yscale("log")
        ax.set_title(f"{self.config.stage}: {self.out.name}")
        ax.legend()
        if dev:
            right = axes[0][1]
            for key in ("dev_top1", "dev_top10", "dev_mrr", "dev_per"):
                if key in dev[-1]:  # dev_per: word-piece error rate of the CTC head's greedy reading
                    right.plot([h["step"] for h in dev], [h[key] for h in dev], marker="o", label=key.removeprefix("dev_"))
            right.set_ylim(0, 1)
            right.set_xlabel("optimizer step")
            right.set_title("dev retrieval (held-out passages and voices)")
            right.legend()
        fig.tight_layout()
        fig.savefig(self.out / "loss.png", dpi=100)
        plt.close(fig)

    # ----- the loop ----------------------------------------------------------------------------
    def batches(self, start_micro: int):
        """Micro-batches from global position ``start_micro`` on, epoch after epoch, in a fixed order."""
        size, per_epoch = self.config.optim.batch_size, self.batches_per_epoch
        micro = start_micro
        while True:
            epoch, offset = divmod(micro, per_epoch)
            plan = epoch_batches(self.seconds, size, self.config.seed, epoch)[offset:]
            loader = torch.utils.data.DataLoader(self.dataset, batch_sampler=plan, collate_fn=collate,
                                                 num_workers=self.config.workers)
            for batch in loader:
                yield batch
            micro = (epoch + 1) * per_epoch

    def train(self) -> dict:
        cfg = self.config
        accum = cfg.optim.grad_accum
        started = time.perf_counter()
        self.log(f"{cfg.stage}: {len(self.dataset)} utterances, {self.n_params / 1e6:.2f} M trained parameters, "
                 f"{self.total_steps} steps of {cfg.optim.batch_size} x {accum}, device {self.device}"
                 + (f", AMP {cfg.amp_dtype}" if self.amp else ""))
        running: dict[str, list[float]] = {}
        bar = tqdm(total=self.total_steps, initial=self.step, desc=cfg.stage, disable=not self.show_progress, unit="step")
        stream = self.batches(self.step * accum)
        first_step = self.step
        while self.step < self.total_steps:
            if self._session_over(first_step, started):
                self.save()
                bar.close()
                self.log(f"session budget reached at step {self.step}/{self.total_steps}; run the same command to go on")
                # a usable checkpoint too (mid-schedule), e.g. to evaluate or to start the next stage from
                return self.finish(time.perf_counter() - started, finished=False)
            self.optimizer.zero_grad(set_to_none=True)
            for _ in range(accum):
                batch = next(stream).to(self.device)
                with torch.autocast("cuda", dtype=self.amp_dtype, enabled=self.amp):
                    loss, parts = self.stage.loss(batch)
                self.scaler.scale(loss / accum).backward()
                for key, value in ({"loss": float(loss.detach())} | parts).items():
                    running.setdefault(key, []).append(value)
            self.scaler.unscale_(self.optimizer)
            params = [p for group in self.optimizer.param_groups for p in group["params"]]
            torch.nn.utils.clip_grad_norm_(params, cfg.optim.clip_grad)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.scheduler.step()
            self.step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(running['loss']):.4f}")
            if self.step % cfg.log_every == 0 or self.step == self.total_steps:
                record = {"step": self.step, "lr": self.scheduler.get_last_lr()[0],
                          "seconds": round(time.perf_counter() - started, 1)}
                record |= {k: round(float(np.mean(v)), 5) for k, v in running.items()}
                if self.dev and (self.step % cfg.dev_every == 0 or self.step == self.total_steps):
                    record |= self.dev()
                    heard = f", piece error rate {record['dev_per']:.3f}" if "dev_per" in record else ""
                    bar.write(f"step {self.step}: dev Top-1 {record['dev_top1']:.3f}, Top-10 {record['dev_top10']:.3f}{heard}")
                self.history.append(record)
                with open(self.out / "history.jsonl", "a") as handle:
                    handle.write(json.dumps(record) + "\n")
                running = {}
            if self.step % cfg.save_every == 0 or self.step == self.total_steps:
                self.save()
        bar.close()
        return self.finish(time.perf_counter() - started)

    def _session_over(self, first_step: int, started: float) -> bool:
        cfg = self.config
        if cfg.session_steps is not None and self.step - first_step >= cfg.session_steps:
            return True
        return cfg.session_minutes is not None and time.perf_counter() - started >= 60 * cfg.session_minutes

    def finish(self, seconds: float, finished: bool = True) -> dict:
        from training.card import model_card

        self.model.config.notes = {"stage": self.config.stage, "steps": self.step, "run": str(self.out)}
        summary = {"stage": self.config.stage, "steps": self.step, "finished": finished, "state": str(self.state_path()),
                   "seconds_this_session": round(seconds, 1),
                   "first": self.history[0] if self.history else None, "last": self.history[-1] if self.history else None,
                   "checkpoint": str(self.out / "checkpoint"), "loss_plot": str(self.out / "loss.png")}
        card = model_card(self.model, self.config, self.history, self.data, utterances=len(self.dataset), device=self.device)
        self.model.save_pretrained(self.out / "checkpoint", card=card)
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        self.log(f"checkpoint: {self.out / 'checkpoint'}; loss curve: {self.out / 'loss.png'}")
        return summary


def run(config: RunConfig, log: Callable[[str], None] = print, progress: bool = True, resume: bool = True) -> dict:
    """Train one stage as configured; resumes from ``<out>/state.pt`` when it exists and ``resume``."""
    from training.stage1 import Stage1
    from training.stage2 import Stage2

    trainer = Trainer(config, log=log, progress=progress)
    trainer.setup(Stage1 if config.stage == "stage1" else Stage2)
    if resume:
        trainer.resume()
    elif trainer.state_path().exists():
        trainer.state_path().unlink()
        (trainer.out / "history.jsonl").unlink(missing_ok=True)
    if trainer.step >= trainer.total_steps:
        log(f"{config.out} already finished {trainer.step} steps; raise optim.max_steps/epochs to train further")
        return trainer.finish(0.0)
    return trainer.train()
