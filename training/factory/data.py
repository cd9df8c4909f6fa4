"""A run's data: the splits it trains and selects on, the balanced and augmented training set (mixed
with the posed set's train split when there is one), and the loaders."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
from torch.utils.data import DataLoader

from .. import distributed
from ..data import ExpressionSet, load_posed_splits, load_splits
from ..data.dataset import EvalDataset, MixedTrainDataset, TrainDataset
from ..data.transforms import AugmentConfig, Preprocess, balance_plan

EVAL_BATCH = 256


@dataclass
class RunData:
    train_set: ExpressionSet
    valid_set: ExpressionSet
    pre: Preprocess
    balance: dict[str, object]
    augment: AugmentConfig
    train: TrainDataset | MixedTrainDataset
    valid_loader: DataLoader
    posed_loader: DataLoader | None = None
    posed_info: dict[str, object] | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        return self.train_set.classes


def limited(data: ExpressionSet, n: int | None, seed: int) -> ExpressionSet:
    """The labelled images, or a seeded random ``n`` of them (kept in their order)."""
    data = data.labeled()
    if n is None or n >= len(data):
        return data
    idx = np.sort(np.random.default_rng(seed).permutation(len(data))[:n])
    return data.subset(idx)


def load_train_valid(args: argparse.Namespace) -> tuple[ExpressionSet, ExpressionSet]:
    """The labelled train and valid splits, cut to ``--limit`` / ``--limit-valid`` images."""
    splits = load_splits(args.dataset, args.data, ("train", "valid"), args.vote_set, args.seed)
    return limited(splits["train"], args.limit, args.seed), limited(splits["valid"], args.limit_valid, args.seed + 1)


def print_balance(plan: dict[str, object], classes: tuple[str, ...]) -> None:
    print(f"balancing: {plan['rule']}")
    for c, b, a in zip(classes, plan["before"], plan["after"]):  # type: ignore[call-overload]
        print(f"  {c:>10}: {b:6d} -> {a:6d}")


def create_data(args: argparse.Namespace) -> RunData:
    train_set, valid_set = load_train_valid(args)
    pre = Preprocess(args.input_size, args.in_chans)
    plan = balance_plan(train_set.labels, len(train_set.classes), args.balance_fraction)
    print_balance(plan, train_set.classes)
    augment = AugmentConfig(brightness=args.jitter[0], contrast=args.jitter[1], blur_p=args.blur, erase_p=args.erase)
    train = TrainDataset(train_set, pre, args.seed, args.balance_fraction, augment, args.augment_all)
    valid_loader = eval_loader(valid_set, pre)
    if not args.posed_dir:
        return RunData(train_set, valid_set, pre, plan, augment, train, valid_loader)
    mixed, posed_loader, posed_info = mix_posed(train, args, pre, augment)
    return RunData(train_set, valid_set, pre, plan, augment, mixed, valid_loader, posed_loader, posed_info)


def mix_posed(
    train: TrainDataset, args: argparse.Namespace, pre: Preprocess, augment: AugmentConfig
) -> tuple[MixedTrainDataset, DataLoader, dict[str, object]]:
    """Every epoch: ``train`` plus ``--posed-weight`` x the posed set's train split; a loader of its val split."""
    posed_train, posed_val = load_posed_splits(args.posed_dir, args.detector)
    posed = TrainDataset(posed_train, pre, args.seed + 1, args.balance_fraction, augment, args.augment_all)
    mixed = MixedTrainDataset([(train, 1.0), (posed, args.posed_weight)], args.seed)
    info = {
        "source": posed_train.source,
        "train_images": len(posed_train),
        "val_images": len(posed_val),
        "per_epoch": mixed.counts(),
        **posed_train.info,
    }
    print(f"posed set: {len(posed_train)} train, {len(posed_val)} val; per epoch FERPlus/posed {mixed.counts()}")
    return mixed, eval_loader(posed_val, pre), info


def eval_loader(data: ExpressionSet, pre: Preprocess) -> DataLoader:
    return DataLoader(EvalDataset(data, pre), batch_size=EVAL_BATCH)


def epoch_loader(
    train: TrainDataset | MixedTrainDataset,
    epoch: int,
    dd: distributed.Distributed,
    batch_size: int,
    workers: int,
) -> DataLoader:
    """Epoch ``epoch``'s batches for this process: its share of the seeded order, ``batch_size / world`` a step."""
    train.set_epoch(epoch)
    share = distributed.Shard(train, dd.rank, dd.world, batch_size // dd.world) if dd.active else train
    return DataLoader(share, batch_size=batch_size // dd.world, shuffle=False, drop_last=True, num_workers=workers)
