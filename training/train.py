"""Train A-MobileNet (or a baseline) on FERPlus / RAF-DB: ``python -m training.train --help``.

Defaults are the paper's settings (section 3.1): Adam, lr 1e-4, weight decay 1e-5, batch 64,
dropout 0.5, 100 epochs, input 224. Every deviation is a flag; the resolved args are saved
in the run folder (args.json) and copied into each checkpoint and the model card.
"""

from __future__ import annotations

import argparse
import builtins
import csv
import json
import math
import os
import random
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from . import distributed
from .blazeface import FRONT_DETECTOR
from .data import ExpressionSet, load_split
from .data.dataset import EvalDataset, MixedTrainDataset, TrainDataset
from .data.transforms import AugmentConfig, Preprocess, balance_plan
from .engine import predict, torch_load, train_one_epoch
from .losses import JointLoss
from .metrics import classification_report
from .models import count_parameters, create_model
from .models.a_mobilenet import CBAM
from .paper import PAPER_DEFAULTS


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


SELECTION_RULES = {
    "ferplus-acc": "FERPlus valid accuracy",
    "mean-ferplus-acc-posed-bacc": "mean of FERPlus valid accuracy and posed-val balanced accuracy",
}


def selection_score(rule: str, row: dict[str, float]) -> float:
    if rule == "ferplus-acc":
        return row["valid_acc"]
    return (row["valid_acc"] + row["posed_val_bacc"]) / 2


def lr_factor(step: int, steps_per_epoch: int, epochs: int, warmup_epochs: float, cosine: bool) -> float:
    """Per-step multiplier of the base learning rates: linear warm-up, then cosine (or constant)."""
    warm = max(1, round(warmup_epochs * steps_per_epoch))
    total = max(1, steps_per_epoch * epochs)
    f = min(1.0, (step + 1) / warm)
    return f * (0.5 * (1 + math.cos(math.pi * min(step, total) / total)) if cosine else 1.0)


def param_groups(model: torch.nn.Module, lr: float, body_lr_mult: float) -> list[dict[str, object]]:
    """The pretrained body at ``lr * body_lr_mult``; CBAM blocks and the head, which start new, at ``lr``."""
    new = {id(p) for m in model.modules() if isinstance(m, CBAM) for p in m.parameters()}
    new |= {id(p) for name, p in model.named_parameters() if not name.startswith("features.")}
    body = [p for p in model.parameters() if id(p) not in new]
    fresh = [p for p in model.parameters() if id(p) in new]
    return [{"params": body, "lr": lr * body_lr_mult, "name": "body"}, {"params": fresh, "lr": lr, "name": "new"}]


def load_posed_splits(root: str, detector_card: str) -> tuple[ExpressionSet, ExpressionSet]:
    """The posed set's train and val splits, cut out as the app cuts faces (detector + measured crop)."""
    from .blazeface import BlazeFace, CropSpec
    from .crop_calibration import read_crop
    from .data.posed import load_posed

    detector, crop = BlazeFace(detector_card), CropSpec.from_card(read_crop())
    return load_posed(root, "train", detector, crop), load_posed(root, "val", detector, crop)


def init_faceres(model: torch.nn.Module, args: argparse.Namespace, train: ExpressionSet, pre: Preprocess) -> dict:
    """The body from faceres-deep, BN statistics matched on 256 training faces (no augmentation)."""
    from .pretrained.faceres import PretrainedError, check_files, default_cache, init_from_faceres

    try:
        manifest = check_files(Path(args.faceres_cache) if args.faceres_cache else default_cache())
    except PretrainedError as e:
        raise SystemExit(f"error: {e}") from None
    idx = np.random.default_rng([args.seed, 3]).permutation(len(train))[:256]
    x = torch.stack([pre(train.images[i]) for i in idx])
    return init_from_faceres(model, manifest, x, pre.mean, pre.std)  # type: ignore[arg-type]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def _subset(data: ExpressionSet, n: int | None, seed: int) -> ExpressionSet:
    data = data.labeled()
    if n is None or n >= len(data):
        return data
    idx = np.sort(np.random.default_rng(seed).permutation(len(data))[:n])
    return data.subset(idx)


def load_train_valid(args: argparse.Namespace) -> tuple[ExpressionSet, ExpressionSet]:
    if args.dataset == "ferplus":
        train = load_split("ferplus", args.data, "train", args.vote_set)
        valid = load_split("ferplus", args.data, "valid", args.vote_set)
    else:  # RAF-DB has no valid split: hold out 10% of train, fixed by the seed
        full = load_split("rafdb", args.data, "train")
        perm = np.random.default_rng(args.seed).permutation(len(full))
        cut = len(full) // 10
        train, valid = full.subset(np.sort(perm[cut:])), full.subset(np.sort(perm[:cut]))
    return _subset(train, args.limit, args.seed), _subset(valid, args.limit_valid, args.seed + 1)


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


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if not args.data:
        raise SystemExit("error: give --data or set FERPLUS_DIR")
    if args.soft_labels and args.dataset != "ferplus":
        raise SystemExit("--soft-labels needs FERPlus vote counts")
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

    train_set, valid_set = load_train_valid(args)
    classes = train_set.classes
    pre = Preprocess(args.input_size, args.in_chans)
    plan = balance_plan(train_set.labels, len(classes), args.balance_fraction)
    print(f"balancing: {plan['rule']}")
    for c, b, a in zip(classes, plan["before"], plan["after"]):  # type: ignore[arg-type]
        print(f"  {c:>10}: {b:6d} -> {a:6d}")
    augment = AugmentConfig(brightness=args.jitter[0], contrast=args.jitter[1], blur_p=args.blur, erase_p=args.erase)
    train_ds: TrainDataset | MixedTrainDataset = TrainDataset(
        train_set, pre, args.seed, args.balance_fraction, augment, args.augment_all
    )
    valid_loader = DataLoader(EvalDataset(valid_set, pre), batch_size=256)
    rule = args.select or ("mean-ferplus-acc-posed-bacc" if args.posed_dir else "ferplus-acc")
    posed_loader, posed_info = None, None
    if args.posed_dir:
        posed_train, posed_val = load_posed_splits(args.posed_dir, args.detector)
        posed_ds = TrainDataset(posed_train, pre, args.seed + 1, args.balance_fraction, augment, args.augment_all)
        train_ds = MixedTrainDataset([(train_ds, 1.0), (posed_ds, args.posed_weight)], args.seed)
        posed_loader = DataLoader(EvalDataset(posed_val, pre), batch_size=256)
        posed_info = {
            "source": posed_train.source,
            "train_images": len(posed_train),
            "val_images": len(posed_val),
            "per_epoch": train_ds.counts(),
            **posed_train.info,
        }
        print(f"posed set: {len(posed_train)} train, {len(posed_val)} val; per epoch FERPlus/posed {train_ds.counts()}")
    elif rule != "ferplus-acc":
        raise SystemExit(f"--select {rule} needs --posed-dir")

    model = create_model(args.model, len(classes), args.in_chans, args.dropout)
    print(
        f"{args.model}: {count_parameters(model):,} parameters, {len(classes)} classes, "
        f"input {args.in_chans}x{args.input_size}x{args.input_size}"
    )
    init_report: dict[str, object] | None = None
    if args.init == "faceres" and not args.resume and dd.main:  # DDP copies rank 0's weights to the others
        init_report = init_faceres(model, args, train_set, pre)
        print(
            f"init from faceres-deep: {init_report['alive_features']} of {init_report['num_features']} features alive"
        )
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    model = model.to(dd.device)
    criterion = JointLoss(len(classes), model.num_features, args.lambda_c, args.alpha_c, args.center_reduction)
    criterion = criterion.to(dd.device)
    grouped = args.body_lr_mult != 1.0
    params = param_groups(model, args.lr, args.body_lr_mult) if grouped else model.parameters()
    optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(train_ds) // args.batch_size
    per_step = args.warmup_epochs > 0
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    if per_step:
        cosine = args.schedule == "cosine"
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: lr_factor(step, steps_per_epoch, args.epochs, args.warmup_epochs, cosine)
        )
    elif args.schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    start, best_acc, best_epoch, history = 1, -1.0, 0, []
    earlier_commands: list[str] = []
    if args.resume:
        ck = torch_load(args.resume)
        # A resumed model was made by every command of the run, so all of them go into its card.
        earlier_commands = [*ck["meta"].get("earlier_commands", []), ck["meta"]["command"]]
        model.load_state_dict(ck["model"])
        criterion.load_state_dict(ck["criterion"])
        optimizer.load_state_dict(ck["optimizer"])
        if scheduler is not None and ck.get("scheduler"):
            scheduler.load_state_dict(ck["scheduler"])
        start, best_acc, best_epoch, history = ck["epoch"] + 1, ck["best_acc"], ck["best_epoch"], ck["history"]
        torch.set_rng_state(ck["rng"]["torch"])
        np.random.set_state(ck["rng"]["numpy"])
        random.setstate(ck["rng"]["python"])
        init_report = ck["meta"].get("init")
        print(f"resumed from {args.resume} at epoch {start}")

    meta = {
        "args": vars(args),
        "command": command,
        "earlier_commands": earlier_commands,
        "classes": list(classes),
        "preprocess": pre.card(),
        "balance": plan,
        "train_images": len(train_set),
        "valid_images": len(valid_set),
        "train_source": train_set.source,
        "data_info": train_set.info,
        "paper_defaults": PAPER_DEFAULTS,
        "init": init_report,
        "posed": posed_info,
        "selection": {"rule": rule, "means": SELECTION_RULES[rule]},
        "augment": asdict(augment),
        "torch": torch.__version__,
        "parameters": count_parameters(model),
        "processes": dd.world,
    }
    forward = None
    if dd.active:
        ddp = torch.nn.parallel.DistributedDataParallel(
            distributed.WithFeatures(model), device_ids=[dd.device] if dd.device.type == "cuda" else None
        )
        forward = ddp
        print(f"DistributedDataParallel: {dd.world} processes, {args.batch_size // dd.world} images each per step")
    if dd.main:
        (run / "args.json").write_text(json.dumps(meta, indent=1))
    # The epoch loop: every rank trains; rank 0 alone validates, logs and writes checkpoints.
    try:
        t0 = time.time()
        isatty = sys.stderr.isatty()
        for epoch in range(start, args.epochs + 1):
            te = time.time()
            train_ds.set_epoch(epoch)
            share = (
                distributed.Shard(train_ds, dd.rank, dd.world, args.batch_size // dd.world) if dd.active else train_ds
            )
            loader = DataLoader(
                share, batch_size=args.batch_size // dd.world, shuffle=False, drop_last=True, num_workers=args.workers
            )
            tr = train_one_epoch(
                model,
                criterion,
                loader,
                optimizer,
                args.soft_labels,
                f"epoch {epoch}/{args.epochs}",
                mininterval=0.5 if isatty else 60.0,
                on_step=scheduler.step if per_step and scheduler is not None else None,
                forward=forward,
                gather=(lambda f, y: distributed.gather(dd, f, y)) if dd.active else None,
                device=dd.device,
            )
            tr = distributed.mean_over_ranks(dd, tr)
            lr = optimizer.param_groups[-1]["lr"]
            if scheduler is not None and not per_step:
                scheduler.step()
            divergence = distributed.max_divergence(dd, model, criterion)
            if divergence > 1e-4:
                raise RuntimeError(f"processes out of sync after epoch {epoch}: parameters differ by {divergence:.3g}")
            elapsed = (time.time() - t0) / 60
            stop = args.max_minutes is not None and elapsed > args.max_minutes and epoch < args.epochs
            if not dd.main:
                if distributed.broadcast_flag(dd, stop):
                    break
                continue
            logits, labels = predict(model, valid_loader, "valid", args.channels_last, dd.device)
            v_loss = float(torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)))
            v_acc = float((logits.argmax(1) == labels).mean())
            posed_row: dict[str, float] = {}
            if posed_loader is not None:
                p_logits, p_labels = predict(model, posed_loader, "posed val", args.channels_last, dd.device)
                report = classification_report(p_logits, p_labels, classes)
                posed_row = {"posed_val_acc": report["accuracy"], "posed_val_bacc": report["balanced_accuracy"]}  # type: ignore[dict-item]
            secs = time.time() - te
            history.append(
                {
                    "epoch": epoch,
                    "lr": lr,
                    "train_loss": tr["loss"],
                    "train_ce": tr["ce"],
                    "train_center": tr["center"],
                    "train_acc": tr["acc"],
                    "valid_loss": v_loss,
                    "valid_acc": v_acc,
                    **posed_row,
                    "images": int(tr["images"]),
                    "seconds": round(secs, 1),
                    "images_per_s": round(tr["images"] / secs, 1),
                    **({"processes": dd.world, "rank_divergence": divergence} if dd.active else {}),
                }
            )
            score = selection_score(rule, history[-1])
            history[-1]["selection_score"] = score
            improved = score > best_acc
            if improved:
                best_acc, best_epoch = score, epoch
            ck = {
                "model": model.state_dict(),
                "criterion": criterion.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict() if scheduler else None,
                "epoch": epoch,
                "best_acc": best_acc,
                "best_epoch": best_epoch,
                "history": history,
                "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()},
                "model_name": args.model,
                "num_classes": len(classes),
                "in_chans": args.in_chans,
                "meta": meta,
            }
            torch.save(ck, run / "last.tmp")
            (run / "last.tmp").replace(run / "last.pt")
            if improved:
                torch.save(ck, run / "best.pt")
            write_logs(run, history)
            print(
                f"epoch {epoch}: train loss {tr['loss']:.4f} acc {tr['acc']:.4f} | valid loss {v_loss:.4f} "
                f"acc {v_acc:.4f}"
                + (
                    f" | posed val acc {posed_row['posed_val_acc']:.4f} bacc {posed_row['posed_val_bacc']:.4f}"
                    if posed_row
                    else ""
                )
                + f" | best {rule} {best_acc:.4f} @ {best_epoch} | {secs:.0f}s",
                flush=True,
            )
            if distributed.broadcast_flag(dd, stop):
                print(f"stopping: --max-minutes {args.max_minutes} passed after epoch {epoch}")
                break
    finally:
        distributed.teardown(dd)
    return run


if __name__ == "__main__":
    main()
