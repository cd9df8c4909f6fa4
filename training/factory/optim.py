"""The optimiser (Adam, the pretrained body optionally at a smaller learning rate) and the learning-rate
schedule: constant or cosine per epoch, or, with a warm-up, a linear warm-up then cosine per step."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..models.a_mobilenet import CBAM


def param_groups(model: nn.Module, lr: float, body_lr_mult: float) -> list[dict[str, Any]]:
    """The pretrained body at ``lr * body_lr_mult``; CBAM blocks and the head, which start new, at ``lr``."""
    new = {id(p) for m in model.modules() if isinstance(m, CBAM) for p in m.parameters()}
    new |= {id(p) for name, p in model.named_parameters() if not name.startswith("features.")}
    body = [p for p in model.parameters() if id(p) not in new]
    fresh = [p for p in model.parameters() if id(p) in new]
    return [{"params": body, "lr": lr * body_lr_mult, "name": "body"}, {"params": fresh, "lr": lr, "name": "new"}]


def create_optimizer(model: nn.Module, args: argparse.Namespace) -> torch.optim.Adam:
    # One group unless the body's rate differs: a checkpoint's optimizer state has as many groups.
    grouped = args.body_lr_mult != 1.0
    params = param_groups(model, args.lr, args.body_lr_mult) if grouped else model.parameters()
    return torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)


def lr_factor(step: int, steps_per_epoch: int, epochs: int, warmup_epochs: float, cosine: bool) -> float:
    """Per-step multiplier of the base learning rates: linear warm-up, then cosine (or constant)."""
    warm = max(1, round(warmup_epochs * steps_per_epoch))
    total = max(1, steps_per_epoch * epochs)
    f = min(1.0, (step + 1) / warm)
    return f * (0.5 * (1 + math.cos(math.pi * min(step, total) / total)) if cosine else 1.0)


@dataclass
class Schedule:
    """The learning-rate scheduler (None: constant) and whether it steps per batch or per epoch."""

    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    per_step: bool

    @property
    def on_step(self) -> Callable[[], None] | None:
        """Called after every optimiser step by the training loop."""
        return self.scheduler.step if self.per_step and self.scheduler is not None else None

    def end_epoch(self) -> None:
        if self.scheduler is not None and not self.per_step:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any] | None:
        return self.scheduler.state_dict() if self.scheduler else None

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if self.scheduler is not None and state:
            self.scheduler.load_state_dict(state)


def create_schedule(optimizer: torch.optim.Optimizer, args: argparse.Namespace, steps_per_epoch: int) -> Schedule:
    if args.warmup_epochs > 0:
        cosine = args.schedule == "cosine"
        # A plain function, not a callable object: LambdaLR then keeps no lambda state in the checkpoint.
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: lr_factor(step, steps_per_epoch, args.epochs, args.warmup_epochs, cosine)
        )
        return Schedule(scheduler, per_step=True)
    if args.schedule == "cosine":
        return Schedule(torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs), per_step=False)
    return Schedule(None, per_step=False)
