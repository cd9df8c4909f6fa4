"""Losses: center loss (Wen et al. 2016, paper Eq. 7-10), soft-label cross-entropy, and their sum."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class CenterLoss(nn.Module):
    """Center loss with centers updated by their own rate ``alpha`` (paper Eq. 7-9).

    ``reduction="sum"``: L_c = 1/2 * sum_i ||x_i - c_{y_i}||^2 (paper Eq. 10), so
    dL_c/dx_i = x_i - c_{y_i} (Eq. 8).
    ``reduction="mean"`` (default): the same divided by the batch size m (paper Eq. 7 and
    Wen et al.'s Caffe layer), so dL_c/dx_i = (x_i - c_{y_i}) / m. "mean" keeps lambda
    independent of the batch size, like the cross-entropy term it is added to.

    The centers are a buffer, not a parameter: the optimizer never touches them. After each
    training step call :meth:`update_centers` (Eq. 9):
    delta c_j = sum_i [y_i = j] (c_j - x_i) / (1 + sum_i [y_i = j]);  c_j <- c_j - alpha * delta c_j.
    """

    centers: torch.Tensor

    def __init__(self, num_classes: int, feat_dim: int, alpha: float = 0.5, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        self.num_classes = num_classes
        self.feat_dim = feat_dim
        self.alpha = alpha
        self.reduction = reduction
        self.register_buffer("centers", torch.zeros(num_classes, feat_dim))

    def forward(self, feats: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        diff = feats - self.centers.detach()[labels]
        loss = 0.5 * diff.pow(2).sum()
        return loss / feats.shape[0] if self.reduction == "mean" else loss

    @torch.no_grad()
    def update_centers(self, feats: torch.Tensor, labels: torch.Tensor) -> None:
        feats = feats.detach().to(self.centers.dtype)
        counts = torch.bincount(labels, minlength=self.num_classes).to(feats.dtype)
        sums = torch.zeros_like(self.centers).index_add_(0, labels, feats)
        # sum_i [y_i = j] (c_j - x_i) = n_j c_j - sum_{i: y_i = j} x_i
        delta = (counts[:, None] * self.centers - sums) / (1.0 + counts[:, None])
        self.centers -= self.alpha * delta


def soft_cross_entropy(
    logits: torch.Tensor, target_probs: torch.Tensor, class_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Cross-entropy against a target distribution (e.g. FERPlus vote shares), averaged over the batch.

    With ``class_weight`` each class's share of the target counts that much, and the sum is divided by
    the batch's total weight, as ``F.cross_entropy(weight=...)`` does for hard labels: one-hot targets
    give exactly its value."""
    nll = -(target_probs * F.log_softmax(logits, dim=1))
    if class_weight is None:
        return nll.sum(dim=1).mean()
    weighted = target_probs * class_weight
    return (nll * class_weight).sum() / weighted.sum().clamp_min(1e-12)


class JointLoss(nn.Module):
    """Paper Eq. 10: L = L_s + lambda * L_c, with L_s hard or soft-label cross-entropy.

    ``forward`` returns (total, ce, center) and, in training mode, does not update the
    centers: the training loop calls ``update_centers`` after the optimizer step.
    """

    def __init__(
        self,
        num_classes: int,
        feat_dim: int,
        lambda_c: float = 0.003,
        alpha_c: float = 0.5,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
        class_weight: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        self.lambda_c = lambda_c
        self.label_smoothing = label_smoothing
        self.center = CenterLoss(num_classes, feat_dim, alpha_c, reduction)
        self.class_weight: torch.Tensor | None
        if class_weight is not None and class_weight.shape != (num_classes,):
            raise ValueError(f"class_weight needs {num_classes} values, got shape {tuple(class_weight.shape)}")
        self.register_buffer("class_weight", class_weight)

    def forward(
        self,
        logits: torch.Tensor,
        feats: torch.Tensor,
        labels: torch.Tensor,
        soft_targets: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if soft_targets is not None:
            ce = soft_cross_entropy(logits, soft_targets, self.class_weight)
        else:
            ce = F.cross_entropy(logits, labels, weight=self.class_weight, label_smoothing=self.label_smoothing)
        if self.lambda_c > 0:
            center = self.center(feats, labels)
        else:
            center = torch.zeros((), dtype=logits.dtype)
        return ce + self.lambda_c * center, ce.detach(), center.detach()

    def update_centers(self, feats: torch.Tensor, labels: torch.Tensor) -> None:
        if self.lambda_c > 0:
            self.center.update_centers(feats, labels)
