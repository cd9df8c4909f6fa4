"""Training and inference loops shared by train, evaluate and bench."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from .losses import JointLoss


def torch_load(path: str | os.PathLike) -> dict:
    """torch.load of our own checkpoints (they hold RNG states, so not weights-only), any torch >= 1.13."""
    kwargs = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kwargs["weights_only"] = False
    return torch.load(path, **kwargs)


class HFlipAverage(nn.Module):
    """Test-time augmentation: the mean of the logits for the image and its mirror image."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.model(x) + self.model(torch.flip(x, dims=[3]))) / 2


def train_one_epoch(
    model: nn.Module,
    criterion: JointLoss,
    loader: Iterable,
    optimizer: torch.optim.Optimizer,
    soft_labels: bool = False,
    desc: str = "train",
    total: int | None = None,
    mininterval: float = 0.5,
    channels_last: bool = False,
    on_step: Callable[[], None] | None = None,
    forward: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None,
    gather: Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None,
    device: torch.device | None = None,
    distill: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None,
) -> dict[str, float]:
    """One pass over ``loader``. ``forward`` replaces ``model.forward_with_features`` (a DDP wrapper);
    ``gather`` gives the global batch's features and labels for the center update (every rank);
    ``distill(x, logits, loss)`` gives the loss with a teacher's term mixed in, and that term."""
    model.train()
    forward = forward or model.forward_with_features  # type: ignore[assignment]
    n = correct = 0
    sums = {"loss": 0.0, "ce": 0.0, "center": 0.0} | ({"distill": 0.0} if distill else {})
    bar = tqdm(loader, desc=desc, total=total, mininterval=mininterval, leave=False, dynamic_ncols=True)
    for x, y, soft in bar:
        if device is not None:
            x, y, soft = x.to(device, non_blocking=True), y.to(device), soft.to(device)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        logits, feats = forward(x)  # type: ignore[misc]
        loss, ce, center = criterion(logits, feats, y, soft if soft_labels else None)
        terms = {"loss": loss, "ce": ce, "center": center}
        if distill is not None:
            loss, terms["distill"] = distill(x, logits, loss)
            terms["loss"] = loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if on_step is not None:
            on_step()
        criterion.update_centers(*(gather(feats.detach(), y) if gather else (feats.detach(), y)))
        b = len(y)
        n += b
        correct += int((logits.argmax(1) == y).sum())
        for k, v in terms.items():
            sums[k] += float(v.detach()) * b
        bar.set_postfix(loss=f"{sums['loss'] / n:.4f}", acc=f"{correct / n:.4f}", refresh=False)
    bar.close()
    return {k: v / max(n, 1) for k, v in sums.items()} | {"acc": correct / max(n, 1), "images": n}


@torch.no_grad()
def predict(
    model: nn.Module,
    loader: Iterable,
    desc: str = "eval",
    channels_last: bool = False,
    device: torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Logits (N, K) and labels (N,) over a loader of (x, y) batches, in eval mode."""
    model.eval()
    out, labels = [], []
    for batch in tqdm(loader, desc=desc, leave=False, mininterval=2.0, dynamic_ncols=True):
        x, y = batch[0], batch[1]
        if device is not None:
            x = x.to(device)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        out.append(model(x).float().cpu().numpy())
        labels.append(np.asarray(y))
    if not out:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(out), np.concatenate(labels)
