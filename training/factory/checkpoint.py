"""A run folder's state: the checkpoint selection rule, last.pt and best.pt after every epoch, resuming
from a checkpoint, and the per-epoch log (log.json, log.csv, curve.png)."""

from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..engine import torch_load
from ..losses import JointLoss
from .optim import Schedule

SELECTION_RULES = {
    "ferplus-acc": "FERPlus valid accuracy",
    "mean-ferplus-acc-posed-bacc": "mean of FERPlus valid accuracy and posed-val balanced accuracy",
}


def selection_rule(select: str | None, posed: bool) -> str:
    """``--select``, by default the mean over both domains when the posed set is trained on."""
    rule = select or ("mean-ferplus-acc-posed-bacc" if posed else "ferplus-acc")
    if rule != "ferplus-acc" and not posed:
        raise SystemExit(f"--select {rule} needs --posed-dir")
    return rule


def selection_score(rule: str, row: dict[str, float]) -> float:
    if rule == "ferplus-acc":
        return row["valid_acc"]
    return (row["valid_acc"] + row["posed_val_bacc"]) / 2


class Checkpointer:
    """Where a run stands (next epoch, best score and epoch, history) and the files that keep it.

    Each epoch writes ``last.pt`` (through ``last.tmp``, so a crash never leaves half a file) and, when
    the selection score improves, ``best.pt``; both hold everything a resume needs, RNG states included."""

    def __init__(self, run: Path, rule: str) -> None:
        self.run = run
        self.rule = rule
        self.start = 1
        self.best_score = -1.0
        self.best_epoch = 0
        self.history: list[dict[str, float]] = []
        self.earlier_commands: list[str] = []

    def resume(
        self,
        path: str | os.PathLike,
        model: nn.Module,
        criterion: JointLoss,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule,
    ) -> dict[str, Any]:
        """Load a checkpoint's weights, centres, optimiser, schedule and RNG states; returns its meta."""
        ck = torch_load(path)
        # A resumed model was made by every command of the run, so all of them go into its card.
        self.earlier_commands = [*ck["meta"].get("earlier_commands", []), ck["meta"]["command"]]
        model.load_state_dict(ck["model"])
        criterion.load_state_dict(ck["criterion"])
        optimizer.load_state_dict(ck["optimizer"])
        schedule.load_state_dict(ck.get("scheduler"))
        self.start, self.best_score, self.best_epoch, self.history = (
            ck["epoch"] + 1,
            ck["best_acc"],
            ck["best_epoch"],
            ck["history"],
        )
        torch.set_rng_state(ck["rng"]["torch"])
        np.random.set_state(ck["rng"]["numpy"])
        random.setstate(ck["rng"]["python"])
        return ck["meta"]

    def add_epoch(self, row: dict[str, float]) -> bool:
        """Log an epoch's row with its selection score; True when the score is the best so far."""
        self.history.append(row)
        score = selection_score(self.rule, row)
        row["selection_score"] = score
        improved = score > self.best_score
        if improved:
            self.best_score, self.best_epoch = score, int(row["epoch"])
        return improved

    def save(
        self,
        model: nn.Module,
        criterion: JointLoss,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule,
        meta: dict[str, Any],
        improved: bool,
    ) -> None:
        """last.pt (and best.pt when ``improved``) for the latest epoch, then the logs; ``meta`` is the run card."""
        ck = {
            "model": model.state_dict(),
            "criterion": criterion.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": schedule.state_dict(),
            "epoch": int(self.history[-1]["epoch"]),
            "best_acc": self.best_score,
            "best_epoch": self.best_epoch,
            "history": self.history,
            "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()},
            "model_name": meta["args"]["model"],
            "num_classes": len(meta["classes"]),
            "in_chans": meta["args"]["in_chans"],
            "meta": meta,
        }
        torch.save(ck, self.run / "last.tmp")
        (self.run / "last.tmp").replace(self.run / "last.pt")
        if improved:
            torch.save(ck, self.run / "best.pt")
        write_logs(self.run, self.history)


def write_logs(run: Path, history: list[dict[str, float]]) -> None:
    (run / "log.json").write_text(json.dumps(history, indent=1))
    with open(run / "log.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]))
        w.writeheader()
        w.writerows(history)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ep = [h["epoch"] for h in history]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(ep, [h["train_ce"] for h in history], label="train CE")
    a1.plot(ep, [h["valid_loss"] for h in history], label="valid CE")
    a1.set_xlabel("epoch")
    a1.set_ylabel("loss")
    a1.legend()
    a2.plot(ep, [h["train_acc"] for h in history], label="train acc")
    a2.plot(ep, [h["valid_acc"] for h in history], label="valid acc")
    a2.set_xlabel("epoch")
    a2.set_ylabel("accuracy")
    a2.legend()
    fig.suptitle(run.name)
    fig.tight_layout()
    fig.savefig(run / "curve.png", dpi=100)
    plt.close(fig)
