"""Train A-MobileNet (or a baseline) on FERPlus / RAF-DB: ``python -m training.train --help``.

Defaults are the paper's settings (section 3.1, ``training/paper.py``): Adam, its learning rate, weight
decay, batch size, dropout, epochs and input size. Every deviation is a flag; the resolved args are saved
in the run folder (args.json) and copied into each checkpoint and the model card. ``main`` composes the
factories (``training/factory``: model, data, optimiser, checkpointer) and runs the epoch loop.
"""

from __future__ import annotations

import argparse
import builtins
import json
import os
import random
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from . import distributed
from .blazeface import FRONT_DETECTOR
from .distill import Distillation, OnnxTeacher, TeacherError
from .engine import predict, train_one_epoch
from .factory.checkpoint import SELECTION_RULES, Checkpointer, selection_rule
from .factory.data import RunData, create_data, epoch_loader
from .factory.model import create_criterion, create_run_model
from .factory.optim import create_optimizer, create_schedule
from .metrics import classification_report
from .models import count_parameters
from .paper import PAPER_DEFAULTS

#: Largest parameter difference between processes after an epoch before the run stops as out of sync.
SYNC_TOLERANCE = 1e-4


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.train", description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--dataset", choices=["ferplus", "rafdb"], default="ferplus")
    p.add_argument("--data", default=os.environ.get("FERPLUS_DIR"), help="dataset folder (default $FERPLUS_DIR)")
    p.add_argument(
        "--vote-set",
        choices=["2017", "2016"],
        default="2017",
        help="FERPlus votes: 2017 fer2013new.csv or 2016 label.csv",
    )
    p.add_argument(
        "--model", default="a_mobilenet", choices=["a_mobilenet", "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small"]
    )
    p.add_argument(
        "--in-chans",
        type=int,
        choices=[1, 3],
        default=PAPER_DEFAULTS["in_chans"],
        help="1 = grey input, 3 = grey/colour replicated to RGB (paper)",
    )
    p.add_argument("--input-size", type=int, default=PAPER_DEFAULTS["input_size"])
    p.add_argument(
        "--width",
        type=float,
        default=1.0,
        help="width multiplier of the MobileNetV1 family (channels x this; 0.5 = a low-power student)",
    )
    p.add_argument("--epochs", type=int, default=PAPER_DEFAULTS["epochs"])
    p.add_argument("--batch-size", type=int, default=PAPER_DEFAULTS["batch_size"])
    p.add_argument("--lr", type=float, default=PAPER_DEFAULTS["lr"])
    p.add_argument("--weight-decay", type=float, default=PAPER_DEFAULTS["weight_decay"])
    p.add_argument("--schedule", choices=["none", "cosine"], default="none")
    p.add_argument("--dropout", type=float, default=PAPER_DEFAULTS["dropout"])
    p.add_argument("--lambda-c", type=float, default=0.003, help="center-loss weight (0 = softmax only)")
    p.add_argument("--alpha-c", type=float, default=0.5, help="center update rate")
    p.add_argument("--center-reduction", choices=["mean", "sum"], default="mean")
    p.add_argument("--soft-labels", action="store_true", help="cross-entropy on FERPlus vote shares")
    p.add_argument(
        "--class-weight",
        nargs="+",
        default=None,
        metavar="CLASS=W",
        help="weight of a class in the cross-entropy (e.g. anger=2: a class the model under-predicts); others 1",
    )
    p.add_argument(
        "--balance-fraction",
        type=float,
        default=0.5,
        help="oversample (and augment) classes to at least this fraction of the largest class",
    )
    p.add_argument(
        "--augment-all",
        action="store_true",
        help="geometric augmentation on every class, not only the oversampled ones",
    )
    p.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="channels-last memory format (about 1.4x faster on CPU; same model)",
    )
    p.add_argument(
        "--init",
        choices=["none", "faceres"],
        default="none",
        help="faceres = the body from faceres-deep (face-trained MobileNetV1; the paper: ImageNet)",
    )
    p.add_argument("--faceres-cache", default=None, help="folder of the fetched faceres-deep files")
    p.add_argument(
        "--init-from",
        default=None,
        metavar="CARD",
        help="start from an exported model's weights (its card and ONNX file), to fine-tune a shipped model",
    )
    p.add_argument("--body-lr-mult", type=float, default=1.0, help="learning rate of the body (not CBAM, head) x this")
    p.add_argument("--warmup-epochs", type=float, default=0.0, help="linear learning-rate warm-up, per step")
    p.add_argument("--posed-dir", default=None, help="add the posed set (train split) and validate on its val split")
    p.add_argument("--posed-weight", type=float, default=1.0, help="posed samples per epoch, x its train size")
    p.add_argument("--detector", default=str(FRONT_DETECTOR), help="detector card for posed crops")
    p.add_argument(
        "--select",
        choices=list(SELECTION_RULES),
        default=None,
        help="checkpoint selection (default: mean-ferplus-acc-posed-bacc with --posed-dir, else ferplus-acc)",
    )
    p.add_argument("--jitter", type=float, nargs=2, default=[0.0, 0.0], metavar=("BRIGHTNESS", "CONTRAST"))
    p.add_argument("--blur", type=float, default=0.0, help="chance of a Gaussian blur per image")
    p.add_argument("--erase", type=float, default=0.0, help="chance of random erasing per image")
    p.add_argument(
        "--teacher",
        default=None,
        help="distil from this exported model card (e.g. models/a-mobilenet-ferplus.json); off by default",
    )
    p.add_argument("--distill-weight", type=float, default=0.7, help="share of the loss that is the teacher's term")
    p.add_argument("--distill-temperature", type=float, default=2.0, help="softmax temperature of the teacher's term")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--workers", type=int, default=0, help="data-loading processes (0 = in the training process; same batches)"
    )
    p.add_argument("--limit", type=int, default=None, help="use a random subset of this many train images")
    p.add_argument("--limit-valid", type=int, default=None, help="use a random subset of valid")
    p.add_argument("--out", default=None, help="run folder (default training/runs/<time>)")
    p.add_argument("--resume", default=None, help="checkpoint to resume from (e.g. <run>/last.pt)")
    p.add_argument(
        "--max-minutes", type=float, default=None, help="stop after the epoch that passes this wall-clock budget"
    )
    return p


def check_args(args: argparse.Namespace) -> None:
    if not args.data:
        raise SystemExit("error: give --data or set FERPLUS_DIR")
    if args.init_from and args.init != "none":
        raise SystemExit("--init-from and --init faceres both set the weights: choose one")
    if args.width != 1.0 and args.init == "faceres":
        raise SystemExit("--init faceres needs --width 1 (faceres-deep is a full-width MobileNetV1)")
    if args.soft_labels and args.dataset != "ferplus":
        raise SystemExit("--soft-labels needs FERPlus vote counts")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def run_meta(
    args: argparse.Namespace,
    command: str,
    earlier_commands: list[str],
    data: RunData,
    model: nn.Module,
    init_report: dict[str, object] | None,
    rule: str,
    world: int,
    teacher: dict[str, object] | None = None,
) -> dict[str, Any]:
    """The run card: args.json, and the ``meta`` of every checkpoint (which evaluate and export read)."""
    return {
        "args": vars(args),
        "command": command,
        "earlier_commands": earlier_commands,
        "classes": list(data.classes),
        "preprocess": data.pre.card(),
        "balance": data.balance,
        "train_images": len(data.train_set),
        "valid_images": len(data.valid_set),
        "train_source": data.train_set.source,
        "data_info": data.train_set.info,
        "paper_defaults": PAPER_DEFAULTS,
        "init": init_report,
        "posed": data.posed_info,
        "selection": {"rule": rule, "means": SELECTION_RULES[rule]},
        "augment": asdict(data.augment),
        "torch": torch.__version__,
        "parameters": count_parameters(model),
        "processes": world,
        "teacher": teacher,
    }


def validate(model: nn.Module, data: RunData, channels_last: bool, device: torch.device) -> dict[str, float]:
    """Valid loss and accuracy, and the posed val's accuracy and balanced accuracy when there is one."""
    logits, labels = predict(model, data.valid_loader, "valid", channels_last, device)
    scores = {
        "valid_loss": float(torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels))),
        "valid_acc": float((logits.argmax(1) == labels).mean()),
    }
    if data.posed_loader is not None:
        p_logits, p_labels = predict(model, data.posed_loader, "posed val", channels_last, device)
        report = classification_report(p_logits, p_labels, data.classes)
        scores |= {"posed_val_acc": report["accuracy"], "posed_val_bacc": report["balanced_accuracy"]}  # type: ignore[dict-item]
    return scores


def summary(epoch: int, tr: dict[str, float], scores: dict[str, float], ck: Checkpointer, secs: float) -> str:
    posed = (
        f" | posed val acc {scores['posed_val_acc']:.4f} bacc {scores['posed_val_bacc']:.4f}"
        if "posed_val_acc" in scores
        else ""
    )
    return (
        f"epoch {epoch}: train loss {tr['loss']:.4f} acc {tr['acc']:.4f} | valid loss {scores['valid_loss']:.4f} "
        f"acc {scores['valid_acc']:.4f}{posed} | best {ck.rule} {ck.best_score:.4f} @ {ck.best_epoch} | {secs:.0f}s"
    )


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    check_args(args)
    rule = selection_rule(args.select, bool(args.posed_dir))
    dd = distributed.setup()
    if args.batch_size % dd.world:
        raise SystemExit(
            f"error: --batch-size {args.batch_size} (the global batch) must divide by {dd.world} processes"
        )
    if not dd.main:  # rank 0 speaks for the run
        builtins.print = lambda *_a, **_k: None
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    run = Path(args.out or Path("training/runs") / time.strftime("%Y%m%d-%H%M%S"))
    run.mkdir(parents=True, exist_ok=True)
    command = "python -m training.train " + " ".join(shlex.quote(a) for a in argv)

    # The order below is the order in which the run draws from the global RNGs: keep it.
    data = create_data(args)
    classes = data.classes
    model, init_report = create_run_model(args, len(classes), data.train_set, data.pre, dd.device, dd.main)
    criterion = create_criterion(args, list(classes), model.num_features, dd.device)
    optimizer = create_optimizer(model, args)
    schedule = create_schedule(optimizer, args, len(data.train) // args.batch_size)
    ck = Checkpointer(run, rule)
    if args.resume:
        init_report = ck.resume(args.resume, model, criterion, optimizer, schedule).get("init")
        print(f"resumed from {args.resume} at epoch {ck.start}")
    distill = None
    if args.teacher:
        try:
            teacher = OnnxTeacher(args.teacher, classes, data.pre)
            distill = Distillation(teacher, args.distill_weight, args.distill_temperature)
        except TeacherError as e:
            raise SystemExit(f"error: {e}") from e
        print(f"distilling from {teacher.card['name']} {teacher.card['version']} at {teacher.size} px")
    meta = run_meta(
        args, command, ck.earlier_commands, data, model, init_report, rule, dd.world, distill.card if distill else None
    )
    forward = None
    if dd.active:
        forward = torch.nn.parallel.DistributedDataParallel(
            distributed.WithFeatures(model), device_ids=[dd.device] if dd.device.type == "cuda" else None
        )
        print(f"DistributedDataParallel: {dd.world} processes, {args.batch_size // dd.world} images each per step")
    if dd.main:
        (run / "args.json").write_text(json.dumps(meta, indent=1))
    # The epoch loop: every rank trains; rank 0 alone validates, logs and writes checkpoints.
    try:
        t0 = time.time()
        isatty = sys.stderr.isatty()
        for epoch in range(ck.start, args.epochs + 1):
            te = time.time()
            tr = train_one_epoch(
                model,
                criterion,
                epoch_loader(data.train, epoch, dd, args.batch_size, args.workers),
                optimizer,
                args.soft_labels,
                f"epoch {epoch}/{args.epochs}",
                mininterval=0.5 if isatty else 60.0,
                on_step=schedule.on_step,
                forward=forward,
                gather=(lambda f, y: distributed.gather(dd, f, y)) if dd.active else None,
                device=dd.device,
                distill=distill,
            )
            tr = distributed.mean_over_ranks(dd, tr)
            lr = optimizer.param_groups[-1]["lr"]
            schedule.end_epoch()
            divergence = distributed.max_divergence(dd, model, criterion)
            if divergence > SYNC_TOLERANCE:
                raise RuntimeError(f"processes out of sync after epoch {epoch}: parameters differ by {divergence:.3g}")
            elapsed = (time.time() - t0) / 60
            stop = args.max_minutes is not None and elapsed > args.max_minutes and epoch < args.epochs
            if not dd.main:
                if distributed.broadcast_flag(dd, stop):
                    break
                continue
            scores = validate(model, data, args.channels_last, dd.device)
            secs = time.time() - te
            improved = ck.add_epoch(
                {
                    "epoch": epoch,
                    "lr": lr,
                    "train_loss": tr["loss"],
                    "train_ce": tr["ce"],
                    "train_center": tr["center"],
                    **({"train_distill": tr["distill"]} if "distill" in tr else {}),
                    "train_acc": tr["acc"],
                    **scores,
                    "images": int(tr["images"]),
                    "seconds": round(secs, 1),
                    "images_per_s": round(tr["images"] / secs, 1),
                    **({"processes": dd.world, "rank_divergence": divergence} if dd.active else {}),
                }
            )
            ck.save(model, criterion, optimizer, schedule, meta, improved)
            print(summary(epoch, tr, scores, ck, secs), flush=True)
            if distributed.broadcast_flag(dd, stop):
                print(f"stopping: --max-minutes {args.max_minutes} passed after epoch {epoch}")
                break
    finally:
        distributed.teardown(dd)
    return run


if __name__ == "__main__":
    main()
