"""The network a run trains, its initialisation, and the joint loss whose centres train with it."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..data import ExpressionSet
from ..data.transforms import Preprocess
from ..losses import JointLoss
from ..models import count_parameters, create_model


def init_faceres(
    model: nn.Module, train: ExpressionSet, pre: Preprocess, seed: int, cache: str | None
) -> dict[str, object]:
    """The body from faceres-deep, BN statistics matched on 256 training faces (no augmentation)."""
    from ..pretrained.faceres import PretrainedError, check_files, default_cache, init_from_faceres

    try:
        manifest = check_files(Path(cache) if cache else default_cache())
    except PretrainedError as e:
        raise SystemExit(f"error: {e}") from None
    idx = np.random.default_rng([seed, 3]).permutation(len(train))[:256]
    x = torch.stack([pre(train.images[i]) for i in idx])
    return init_from_faceres(model, manifest, x, pre.mean, pre.std)  # type: ignore[arg-type]


def create_run_model(
    args: argparse.Namespace,
    num_classes: int,
    train: ExpressionSet,
    pre: Preprocess,
    device: torch.device,
    main_process: bool,
) -> tuple[nn.Module, dict[str, object] | None]:
    """The model on ``device``, and the faceres report when it was initialised from faceres-deep.

    Only a fresh run's main process initialises: a resumed run loads its weights, and DDP copies
    rank 0's weights to the other processes."""
    try:
        model = create_model(args.model, num_classes, args.in_chans, args.dropout, args.width)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
    print(
        f"{args.model} (width {args.width:g}): {count_parameters(model):,} parameters, {num_classes} classes, "
        f"input {args.in_chans}x{args.input_size}x{args.input_size}"
    )
    init_report: dict[str, object] | None = None
    if args.init == "faceres" and not args.resume and main_process:
        init_report = init_faceres(model, train, pre, args.seed, args.faceres_cache)
        print(
            f"init from faceres-deep: {init_report['alive_features']} of {init_report['num_features']} features alive"
        )
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model.to(device), init_report


def create_criterion(args: argparse.Namespace, num_classes: int, num_features: int, device: torch.device) -> JointLoss:
    """Cross-entropy plus ``--lambda-c`` x the center loss, its centres updated at ``--alpha-c``."""
    criterion = JointLoss(num_classes, num_features, args.lambda_c, args.alpha_c, args.center_reduction)
    return criterion.to(device)
