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


def calibration_batch(train: ExpressionSet, pre: Preprocess, seed: int) -> torch.Tensor:
    """256 training faces, seeded, preprocessed without augmentation: what an initialisation fits its BNs on."""
    idx = np.random.default_rng([seed, 3]).permutation(len(train))[:256]
    return torch.stack([pre(train.images[i]) for i in idx])


def init_faceres(
    model: nn.Module, train: ExpressionSet, pre: Preprocess, seed: int, cache: str | None
) -> dict[str, object]:
    """The body from faceres-deep, BN statistics matched on 256 training faces (no augmentation)."""
    from ..pretrained.faceres import PretrainedError, check_files, default_cache, init_from_faceres

    try:
        manifest = check_files(Path(cache) if cache else default_cache())
    except PretrainedError as e:
        raise SystemExit(f"error: {e}") from None
    x = calibration_batch(train, pre, seed)
    return init_from_faceres(model, manifest, x, pre.mean, pre.std)  # type: ignore[arg-type]


def init_exported(model: nn.Module, train: ExpressionSet, pre: Preprocess, seed: int, card: str) -> dict[str, object]:
    from ..distill import OnnxTeacher, TeacherError
    from ..pretrained.exported import ExportedInitError, init_from_exported

    x = calibration_batch(train, pre, seed)
    try:
        return init_from_exported(model, OnnxTeacher(card, train.classes, pre), x)  # type: ignore[arg-type]
    except (TeacherError, ExportedInitError) as e:
        raise SystemExit(f"error: --init-from {card}: {e}") from None


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
    if args.init_from and not args.resume and main_process:
        init_report = init_exported(model, train, pre, args.seed, args.init_from)
        print(
            f"init from {init_report['name']} {init_report['version']}: "
            f"max logit difference {init_report['max_logit_difference']:.2e} from the file"
        )
    if args.init == "faceres" and not args.resume and main_process:
        init_report = init_faceres(model, train, pre, args.seed, args.faceres_cache)
        print(
            f"init from faceres-deep: {init_report['alive_features']} of {init_report['num_features']} features alive"
        )
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model.to(device), init_report


def class_weights(specs: list[str] | None, classes: list[str]) -> torch.Tensor | None:
    """``["anger=2", ...]`` -> a weight per class (1 for those not named), or None when none is named."""
    if not specs:
        return None
    weights = torch.ones(len(classes))
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or name not in classes:
            raise SystemExit(
                f"error: --class-weight takes CLASS=WEIGHT with CLASS one of {', '.join(classes)}; got {spec!r}"
            )
        try:
            weight = float(value)
        except ValueError:
            raise SystemExit(f"error: --class-weight {spec!r}: {value!r} is not a number") from None
        if not weight > 0:
            raise SystemExit(f"error: --class-weight {spec!r}: a weight must be above 0")
        weights[classes.index(name)] = weight
    return weights


def create_criterion(
    args: argparse.Namespace, classes: list[str], num_features: int, device: torch.device
) -> JointLoss:
    """Cross-entropy (each class weighted by ``--class-weight``) plus ``--lambda-c`` x the center loss,
    its centres updated at ``--alpha-c``."""
    weight = class_weights(args.class_weight, classes)
    criterion = JointLoss(
        len(classes), num_features, args.lambda_c, args.alpha_c, args.center_reduction, class_weight=weight
    )
    return criterion.to(device)
