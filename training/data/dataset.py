"""Torch datasets over an :class:`ExpressionSet`: a balanced, augmented training set and a plain eval set."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from .common import ExpressionSet
from .transforms import AugmentConfig, Preprocess, balanced_indices, sample_params


class TrainDataset(Dataset):
    """Per epoch: indices from the balancing rule; minority samples get the geometric
    augmentation, every sample a random flip. Randomness is seeded by (seed, epoch, position),
    so an epoch is the same whether or not training was resumed."""

    def __init__(
        self,
        data: ExpressionSet,
        pre: Preprocess,
        seed: int,
        balance_fraction: float = 0.5,
        augment: AugmentConfig | None = None,
        augment_all: bool = False,
    ) -> None:
        self.data = data.labeled()
        self.pre = pre
        self.seed = seed
        self.balance_fraction = balance_fraction
        self.augment = augment or AugmentConfig()
        self.augment_all = augment_all
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        rng = np.random.default_rng([self.seed, epoch, 0])
        self.indices, self.geometric = balanced_indices(
            self.data.labels, len(self.data.classes), self.balance_fraction, rng
        )

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, torch.Tensor]:
        j = int(self.indices[i])
        rng = np.random.default_rng([self.seed, self.epoch, 1, i])
        params = sample_params(rng, self.augment, bool(self.geometric[i]) or self.augment_all)
        soft = self.data.soft[j] if self.data.soft is not None else np.zeros(len(self.data.classes), np.float32)
        return self.pre(self.data.images[j], params), int(self.data.labels[j]), torch.from_numpy(soft)


class EvalDataset(Dataset):
    def __init__(self, data: ExpressionSet, pre: Preprocess) -> None:
        self.data = data.labeled()
        self.pre = pre

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.pre(self.data.images[i]), int(self.data.labels[i])


class MixedTrainDataset(Dataset):
    """Several training sets in one epoch (e.g. FERPlus and the posed set). Each part contributes
    ``weight x len(part)`` samples per epoch (tiled, then drawn without replacement), and the whole
    epoch is shuffled, all seeded by (seed, epoch)."""

    def __init__(self, parts: list[tuple[TrainDataset, float]], seed: int) -> None:
        if not parts or any(w <= 0 for _, w in parts):
            raise ValueError("every part needs a weight > 0")
        self.parts = parts
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        rng = np.random.default_rng([self.seed, epoch, 2])
        order: list[np.ndarray] = []
        for k, (part, weight) in enumerate(self.parts):
            part.set_epoch(epoch)
            n, want = len(part), int(round(weight * len(part)))
            reps, rest = divmod(want, n)
            idx = np.concatenate([np.tile(np.arange(n), reps), rng.choice(n, rest, replace=False)])
            order.append(np.stack([np.full(len(idx), k), idx], axis=1))
        allrows = np.concatenate(order)
        self.rows = allrows[rng.permutation(len(allrows))]

    def counts(self) -> list[int]:
        return [int((self.rows[:, 0] == k).sum()) for k in range(len(self.parts))]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int, torch.Tensor]:
        k, j = self.rows[i]
        return self.parts[int(k)][0][int(j)]
